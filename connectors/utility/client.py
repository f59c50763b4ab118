"""The connector of a utility company (water, power, gas, heat or telecom; R1).

One connector per company, configured with its member unit code (``utility-water`` …), whose
source is ``utility:<unit code>``. The API (``CONTRACT.md``): a static key in ``X-Api-Key``;
offset paging (``offset``, ``limit``, ``total``), records under ``results``. Two independent
streams: connection tasks (管网入户、入表) and outages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import BaseModel

from connectors.auth import ApiKeyAuth
from connectors.core import (
    JSON,
    PAGE_SIZE,
    Entity,
    MappedRecord,
    OffsetPaging,
    StreamSpec,
    Tombstone,
    with_page_size,
)
from connectors.enums import UtilityKind
from connectors.parsing import parse_record
from connectors.utility import mapping, wire

SOURCE_PREFIX = "utility"
"""Source names of utility companies are ``utility:<unit code>`` (the hub's ``Source.UTILITY``)."""
API = "/api/v1"
API_KEY_HEADER = "X-Api-Key"
_PAGING = OffsetPaging(offset_param="offset", limit_param="limit", total_path=("total",))


def _stream(name: str, path: str, entity: Entity) -> StreamSpec:
    return StreamSpec(
        name=name,
        path=f"{API}/{path}",
        record_path=("results",),
        primary_key="id",
        cursor_field="updatedAt",
        paging=_PAGING,
        page_size=PAGE_SIZE,
        entities=(entity,),
    )


STREAMS = (
    _stream("connection_tasks", "connection-tasks", Entity.CONNECTION_TASK),
    _stream("outages", "outages", Entity.OUTAGE),
)

# Stream → (wire model, entity, mapping function taking the model, the kind and the hash).
_PARSERS: dict[str, tuple[type[BaseModel], Entity, Callable[..., MappedRecord]]] = {
    "connection_tasks": (wire.ConnectionTask, Entity.CONNECTION_TASK, mapping.map_connection_task),
    "outages": (wire.Outage, Entity.OUTAGE, mapping.map_outage),
}


def utility_source(unit_code: str) -> str:
    """The source name of one utility company's records."""
    return f"{SOURCE_PREFIX}:{unit_code}"


def utility_kind_of(unit_code: str) -> UtilityKind:
    """The kind of the demo's utility companies from their unit code (``utility-water`` → WATER)."""
    try:
        return UtilityKind(unit_code.removeprefix("utility-").upper())
    except ValueError:
        raise ValueError(f"cannot tell the utility kind of {unit_code!r}: pass kind=") from None


class UtilityConnector:
    """Pulls one utility company's connection tasks and outages."""

    streams: tuple[StreamSpec, ...] = STREAMS

    def __init__(
        self,
        *,
        unit_code: str,
        base_url: str,
        api_key: str,
        kind: UtilityKind | None = None,
        header: str = API_KEY_HEADER,
        page_size: int | None = None,
    ) -> None:
        self.streams = with_page_size(STREAMS, page_size)
        self.unit_code = unit_code
        self.kind = kind or utility_kind_of(unit_code)
        self.source = utility_source(unit_code)
        self.base_url = base_url.rstrip("/")
        self.header = header
        self._api_key = api_key

    def __repr__(self) -> str:
        return f"UtilityConnector(source={self.source!r}, base_url={self.base_url!r})"

    def auth(self) -> ApiKeyAuth:
        """The API key auth for ``connectors.http.UpstreamClient``."""
        return ApiKeyAuth(self._api_key, header=self.header)

    def parse(self, stream: StreamSpec, raw: Mapping[str, JSON]) -> MappedRecord | Tombstone:
        """Validate and map one raw record; ``InvalidRecord`` names the field refused."""
        model, entity, map_record = _PARSERS[stream.name]
        return parse_record(
            raw, model=model, entity=entity, map_record=map_record, utility_kind=self.kind
        )
