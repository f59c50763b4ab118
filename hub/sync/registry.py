"""Which connector serves which kind of source, built from the source's settings."""

from __future__ import annotations

from hub.config import SourceSettings
from hub.errors import BadUserInput


def build_connector(  # type: ignore[no-untyped-def]
    name: str, source: SourceSettings, *, page_size: int | None = None
):
    """The connector of a configured source (credentials taken from its settings); ``page_size``
    replaces the connector's own page size (tests)."""
    credentials = {key: value.get_secret_value() for key, value in source.credentials.items()}
    if source.kind == "ordos":
        from connectors.ordos.client import OrdosConnector

        return OrdosConnector(base_url=source.base_url, page_size=page_size, **credentials)
    if source.kind == "tender":
        from connectors.tender.client import TenderConnector

        return TenderConnector(base_url=source.base_url, page_size=page_size, **credentials)
    if source.kind == "utility":
        from connectors.utility.client import UtilityConnector

        if not name.startswith("utility:"):
            raise BadUserInput(f"source {name}: a utility source is named utility:<unit code>")
        return UtilityConnector(
            unit_code=name.split(":", 1)[1],
            base_url=source.base_url,
            page_size=page_size,
            **credentials,
        )
    raise BadUserInput(f"source {name}: unknown connector kind {source.kind!r}")
