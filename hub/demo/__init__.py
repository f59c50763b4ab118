"""The deterministic demo data set (`hub demo-data`), built in memory without I/O.

Loading it into the store is ``hub.demo.load`` (it needs the store and the services); the
sandboxes' view of it is ``hub.demo.world``.
"""

from hub.demo.dataset import DemoDataset, build_dataset

__all__ = ["DemoDataset", "build_dataset"]
