"""Pure mapping of a utility company's records (``wire``) to store terms (``MappedRecord``).

Fields are the store's columns without ids or provenance, enumerated ones in the connectors' own
words (``connectors.enums``). The company is
the connector's, not the record's: its kind (``utility_kind``) is passed in, and the store's
``utility_id`` is the member unit of the source (``utility:<unit code>``), for the sync engine to
fill. Compounds are referred to by town code and name as the company writes it (民悦A区小区 for
民悦A区): the sync engine matches them on the normalised name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from connectors.core import CompoundRef, Entity, InvalidRecord, MappedRecord
from connectors.enums import ConnectionTaskKind, ConnectionTaskStatus, UtilityKind
from connectors.utility import wire

TASK_KIND = {
    "管网入户": ConnectionTaskKind.SERVICE_CONNECTION,
    "入表": ConnectionTaskKind.METER_INSTALLATION,
}
TASK_STATUS = {
    "计划": ConnectionTaskStatus.PLANNED,
    "施工中": ConnectionTaskStatus.IN_PROGRESS,
    "已完成": ConnectionTaskStatus.DONE,
    "已取消": ConnectionTaskStatus.CANCELLED,
}


def map_connection_task(
    record: wire.ConnectionTask, *, utility_kind: UtilityKind, content_hash: str
) -> MappedRecord:
    """A service-connection or meter-installation task (管网入户、入表, R1)."""
    status = TASK_STATUS[record.status]
    if status is ConnectionTaskStatus.DONE and record.completedOn is None:
        raise InvalidRecord("completedOn: missing for a completed task", source_id=record.id)
    fields = {
        "utility_kind": utility_kind,
        "kind": TASK_KIND[record.type],
        "status": status,
        "households": record.households,
        "planned_on": record.plannedOn,
        "due_on": record.dueOn,
        "completed_on": record.completedOn,
    }
    return _mapped(
        Entity.CONNECTION_TASK, record, record.townCode, record.compoundName, fields, content_hash
    )


def map_outage(
    record: wire.Outage, *, utility_kind: UtilityKind, content_hash: str
) -> MappedRecord:
    """An interruption of the company's service in a compound; open while ``ends_at`` is None."""
    if record.endsAt is not None and record.endsAt < record.startsAt:
        raise InvalidRecord("endsAt: before startsAt", source_id=record.id)
    fields = {
        "utility_kind": utility_kind,
        "starts_at": _utc(record.startsAt),
        "ends_at": _utc(record.endsAt) if record.endsAt is not None else None,
        "reason": record.reason,
        "affected_households": record.affectedHouseholds,
    }
    return _mapped(
        Entity.OUTAGE, record, record.townCode, record.compoundName, fields, content_hash
    )


def _mapped(
    entity: Entity,
    record: wire.Record,
    town_code: str,
    compound_name: str,
    fields: Mapping[str, object],
    content_hash: str,
) -> MappedRecord:
    return MappedRecord(
        entity=entity,
        source_id=record.id,
        cursor=_utc(record.updatedAt),
        fields=fields,
        refs={"compound_id": CompoundRef(town_code=town_code, name=compound_name.strip())},
        content_hash=content_hash,
    )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
