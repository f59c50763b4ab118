"""Validating and mapping one raw upstream record: the ``parse`` of every connector.

A record is first recognised as a tombstone or validated with its stream's wire model, then
mapped; any refusal becomes ``InvalidRecord`` with a reason that names the fields and never
repeats their values (they may be personal data).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ValidationError

from connectors.core import (
    JSON,
    EnterpriseRef,
    Entity,
    InvalidRecord,
    MappedRecord,
    Tombstone,
    content_hash,
)
from connectors.identifiers import uscc_problem
from connectors.wire_common import Tombstone as WireTombstone


def parse_record(
    raw: Mapping[str, JSON],
    *,
    model: type[BaseModel],
    entity: Entity,
    map_record: Callable[..., MappedRecord],
    **mapping_options: Any,
) -> MappedRecord | Tombstone:
    """The tombstone or mapped record of ``raw``; ``InvalidRecord`` says why not."""
    try:
        if raw.get("deleted") is True:
            gone = WireTombstone.model_validate(raw)
            return Tombstone(entity, gone.id, gone.updatedAt.astimezone(UTC))
        # The model's validator itself: ``model_validate`` only adds a Python call around it.
        record = model.__pydantic_validator__.validate_python(raw)
        return map_record(record, content_hash=content_hash(record), **mapping_options)
    except ValidationError as exc:
        raise InvalidRecord(validation_reason(exc), source_id=_source_id(raw)) from None
    except InvalidRecord as exc:
        raise InvalidRecord(exc.reason, source_id=exc.source_id or _source_id(raw)) from None


def _source_id(raw: Mapping[str, JSON]) -> str | None:
    value = raw.get("id")
    return value if isinstance(value, str) else None


def validation_reason(exc: ValidationError) -> str:
    """Which fields failed and why, without the values (they may be personal data)."""
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    parts = [f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in errors[:3]]
    more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more


def checked_uscc(value: str, field: str) -> str:
    """The USCC in canonical form, or ``InvalidRecord`` naming the field and why not."""
    code, reason = _checked_uscc(value)
    if reason is not None:
        raise InvalidRecord(f"{field}: {reason}")
    return code


@lru_cache(maxsize=4096)
def enterprise_ref(value: str, field: str) -> EnterpriseRef:
    """The reference to the enterprise of a USCC (canonical form), or ``InvalidRecord``.

    Remembered, like the check: records of a sync refer to the same few thousand enterprises,
    and a reference is immutable, so one serves them all.
    """
    return EnterpriseRef(checked_uscc(value, field))


@lru_cache(maxsize=4096)
def _checked_uscc(value: str) -> tuple[str, str | None]:
    # Remembered: a sync sees the same few thousand enterprises' codes on every record that
    # refers to them (a USCC is a public registration number, not personal data).
    return uscc_problem(value)
