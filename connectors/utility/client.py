"""The connector of a utility company (water, power, gas, heat or telecom; R1).

One connector per company, configured with its member unit code (``utility-water`` …), whose
source is ``utility:<unit code>``. The API (``CONTRACT.md``): a static key in ``X-Api-Key``;
offset paging (``offset``, ``limit``, ``total``), records under ``results``. Two independent
streams: connection tasks (管网入户、入表) and outages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import BaseModel, ValidationError

from connectors.auth import ApiKeyAuth
from connectors.core import (
    JSON,
    Entity,
    InvalidRecord,
    MappedRecord,
    OffsetPaging,
    StreamSpec,
    Tombstone,
    content_hash,
)
from connectors.utility import mapping, wire
from hub.domain.enums import UtilityKind
from hub.domain.sources import utility_source

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
        page_size=100,
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


def utility_kind_of(unit_code: str) -> UtilityKind:
    """The kind of the demo's utility companies from their unit code (``utility-water`` → WATER)."""
    try:
        return UtilityKind(unit_code.removeprefix("utility-").upper())
    except ValueError:
        raise ValueError(f"cannot tell the utility kind of {unit_code!r}: pass kind=") from None


class UtilityConnector:
    """Pulls one utility company's connection tasks and outages."""

    streams = STREAMS

    def __init__(
        self,
        *,
        unit_code: str,
        base_url: str,
        api_key: str,
        kind: UtilityKind | None = None,
        header: str = API_KEY_HEADER,
    ) -> None:
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
        source_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        try:
            if raw.get("deleted") is True:
                return mapping.map_tombstone(wire.Tombstone.model_validate(raw), entity=entity)
            return map_record(
                model.model_validate(raw), utility_kind=self.kind, content_hash=content_hash(raw)
            )
        except ValidationError as exc:
            raise InvalidRecord(validation_reason(exc), source_id=source_id) from None
        except InvalidRecord as exc:
            raise InvalidRecord(exc.reason, source_id=exc.source_id or source_id) from None


def validation_reason(exc: ValidationError) -> str:
    """Which fields failed and why, without the values (they may be personal data)."""
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    parts = [f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in errors[:3]]
    more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more
