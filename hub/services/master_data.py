"""The frame every change of master data (基础数据) shares: who may make it, which place it lies
in, what it changed, how it is refused, and how a record is retired.

The kinds' services (``member_units``, ``communities``, ``compound_changes``, ``residents``,
``committee_members``) check a record's own fields with ``hub.domain.master_data`` (the rules
the spreadsheet imports use too), its references and its jurisdiction here, and return a
``Changed``: the record and the before/after of each changed field, personal data masked, which
the mutation writes into its audit entry. Callers own the transaction (``hub.services.work``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import MASTER_DATA, MasterKind, Principal, Scope, may_manage
from hub.domain.field_values import FieldInvalid, FieldProblem
from hub.domain.field_values import text as checked_text
from hub.domain.pii import mask
from hub.errors import BadUserInput, Forbidden, NotFound
from hub.store.base import RETIRED_REASON_LENGTH, Base, Retirement
from hub.store.models import Jurisdiction

M = TypeVar("M", bound=Base)

NOT_FOUND = "NOT_FOUND"
"""Problem code of a reference (a community code, a compound code …) that names no record the
caller may reach: missing, retired or outside its jurisdiction (the same answer for all three)."""
DUPLICATE = "DUPLICATE"
"""Problem code of a value another record already holds (a code, a compound's name in its
town, a resident already registered in the same home)."""
RETIRED = "RETIRED"
"""Problem code of a change to a record that was retired (a retired record is not changed)."""
IMMUTABLE = "IMMUTABLE"
"""Problem code of a field that does not change once the record exists."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One refused input field: its GraphQL name, a stable code and the reason in Chinese (never
    the value, which may be personal data)."""

    field: str
    code: str
    message: str


UNSTORABLE = frozenset({"TOO_LONG", "BAD_TEXT"})
"""Problems of a text that cannot be stored at all: named first, as every service of the hub
checks the texts it stores first thing (``hub.services.validation``)."""


class Invalid(BadUserInput):
    """The input of a master-data change was refused, field by field (``problems``); nothing was
    written. Its ``field`` is the first field at fault (a text that cannot be stored first)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("Invalid needs at least one problem")
        problems = sorted(problems, key=lambda p: p.code not in UNSTORABLE)
        message = "; ".join(f"{p.field}: {p.message}" for p in problems)
        super().__init__(
            message,
            field=problems[0].field,
            problems=[{"field": p.field, "code": p.code, "message": p.message} for p in problems],
        )
        self.problems = list(problems)


def input_name(key: str) -> str:
    """The GraphQL input name of a field key of ``hub.domain.master_data`` (``floor_area`` →
    ``floorArea``)."""
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)


def problems_of(found: Iterable[FieldProblem]) -> list[Problem]:
    """The domain's problems under the inputs' names."""
    return [Problem(input_name(p.field), p.code.value, p.message) for p in found]


def raise_if(problems: Sequence[Problem]) -> None:
    """``Invalid`` when there is any problem."""
    if problems:
        raise Invalid(problems)


def require_manage(principal: Principal, kind: MasterKind) -> None:
    """``Forbidden`` unless the principal's role manages master data of this kind (its scope
    still decides which records)."""
    if not may_manage(principal.role, kind):
        roles = ", ".join(sorted(role.value for role in MASTER_DATA[kind]))
        raise Forbidden(
            f"the role {principal.role.value} does not manage {kind.value} records "
            f"(who does: {roles}, each in its jurisdiction)"
        )


# Places: the towns and communities a principal's changes may reach -------------------------


def place_visible(principal: Principal) -> sa.ColumnElement[bool] | None:
    """The condition on jurisdictions a principal's changes may reach (None: all): a town's
    unit its town and the town's communities, a community's unit its community."""
    if principal.scope is Scope.COMMUNITY:
        return Jurisdiction.id == principal.community_id
    if principal.scope is Scope.TOWN:
        return sa.or_(
            Jurisdiction.id == principal.town_id, Jurisdiction.parent_id == principal.town_id
        )
    if principal.scope is Scope.UNIT:
        return sa.false()
    return None


async def find_place(
    session: AsyncSession, *, code: str, levels: Iterable[Any], principal: Principal
) -> Jurisdiction | None:
    """The live jurisdiction with this code at one of the levels, if the principal reaches it."""
    stmt = sa.select(Jurisdiction).where(
        Jurisdiction.code == code,
        Jurisdiction.level.in_(list(levels)),
        Jurisdiction.retired_at.is_(None),
    )
    condition = place_visible(principal)
    if condition is not None:
        stmt = stmt.where(condition)
    return await session.scalar(stmt)


async def get_place_or_raise(
    session: AsyncSession, *, place_id: int, level: Any, principal: Principal, field: str
) -> Jurisdiction:
    """The jurisdiction with this id at this level, held for the change (``FOR UPDATE``), if the
    principal reaches it; otherwise ``NotFound`` naming ``field``, the same whether it does not
    exist or lies elsewhere (as ``hub.services.scope.get_in_scope_or_raise``)."""
    stmt = sa.select(Jurisdiction).where(Jurisdiction.id == place_id, Jurisdiction.level == level)
    condition = place_visible(principal)
    if condition is not None:
        stmt = stmt.where(condition)
    place = await session.scalar(stmt.with_for_update())
    if place is None:
        noun = str(getattr(level, "value", level)).lower()
        raise NotFound(f"{field}: no {noun} with this ID in your jurisdiction", field=field)
    return place


# What changed ---------------------------------------------------------------------------------


def audit_value(value: Any) -> Any:
    """A value as the audit detail and the answer show it: dates in ISO 8601, enums by value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass(slots=True)
class Changed(Generic[M]):
    """A record just created, updated or retired, and what changed: field key → (before,
    after), personal values already masked. ``created`` tells a new record (every before is
    None)."""

    record: M
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    created: bool = False

    def note(self, key: str, before: Any, after: Any, *, personal: bool = False) -> None:
        """Record a change of ``key`` (masked when ``personal``)."""
        if personal:
            before = None if before is None else mask(key, str(before))
            after = None if after is None else mask(key, str(after))
        self.changes[key] = (audit_value(before), audit_value(after))

    def audit_detail(self) -> dict[str, Any]:
        """What the change's audit entry keeps: the before and after of each changed field."""
        return {
            "created": self.created,
            "changes": {
                key: {"before": before, "after": after}
                for key, (before, after) in self.changes.items()
            },
        }


def assign(
    changed: Changed[M], values: Mapping[str, Any], *, attributes: Mapping[str, str] | None = None
) -> None:
    """Set each value on the record (field key → attribute name via ``attributes``, the same
    name where absent) and note those that differ."""
    record = changed.record
    for key, value in values.items():
        attribute = (attributes or {}).get(key, key)
        before = None if changed.created else getattr(record, attribute)
        if changed.created or before != value:
            setattr(record, attribute, value)
            changed.note(key, before, value)


def refuse_retired(record: Retirement, *, what: str) -> None:
    """``Invalid`` for a change of a retired record."""
    if record.retired_at is not None:
        raise Invalid([Problem("id", RETIRED, f"该{what}已撤销，不能再修改")])


def check_reason(reason: str) -> str:
    """The reason given for retiring a record (required, at most 200 characters), or
    ``Invalid``; checked before the record is looked up, as every input is."""
    if not reason.strip():
        raise Invalid([Problem("reason", "REQUIRED", "请说明撤销的原因")])
    try:
        return checked_text(reason, "reason", max_length=RETIRED_REASON_LENGTH)
    except FieldInvalid as exc:
        raise Invalid(problems_of([exc.problem])) from None


def retire(changed: Changed[M], *, reason: str, now: datetime, what: str) -> None:
    """Retire the record: ``retired_at`` now and the reason (``check_reason``); a record already
    retired is refused. The reason is staff's text: the audit entry notes that it was given, not
    the text (it could name a person)."""
    record = changed.record
    assert isinstance(record, Retirement)
    refuse_retired(record, what=what)
    record.retired_at = now
    record.retired_reason = check_reason(reason)
    changed.note("retired_at", None, now)
    changed.changes["retired_reason"] = (None, "[text]")
