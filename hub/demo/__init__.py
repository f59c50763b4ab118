"""The deterministic demo data set (`hub demo-data`): built in memory, loaded into the store."""

from hub.demo.dataset import DemoDataset, build_dataset
from hub.demo.load import DemoSummary, load_demo_data, store_is_empty

__all__ = ["DemoDataset", "DemoSummary", "build_dataset", "load_demo_data", "store_is_empty"]
