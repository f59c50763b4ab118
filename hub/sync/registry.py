"""Which connector serves which kind of source, built from the source's settings."""

from __future__ import annotations

from typing import Any, Protocol

from connectors.auth import Auth
from connectors.core import Connector
from hub.config import SourceSettings
from hub.errors import BadUserInput


class SourceConnector(Connector, Protocol):
    """A connector of a configured source: what the engine needs, and the auth of its client."""

    def auth(self) -> Auth:
        """How the source's HTTP client authenticates (``connectors.http.UpstreamClient``)."""
        ...


def build_connector(
    name: str, source: SourceSettings, *, page_size: int | None = None
) -> SourceConnector:
    """The connector of a configured source (credentials taken from its settings); ``page_size``
    replaces the connector's own page size (tests)."""
    # The credential names are the connector's keyword arguments (client_id, api_key …).
    credentials: dict[str, Any] = {
        key: value.get_secret_value() for key, value in source.credentials.items()
    }
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
