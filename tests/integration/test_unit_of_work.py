"""The unit of work of a change (``hub.services.work.change``) on the real database: the rows of a
change and its audit entry are committed together or not at all, and a refusal leaves nothing but
its own audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.domain.access import Permission, Principal, Role
from hub.domain.enums import JurisdictionLevel
from hub.errors import BadUserInput, Forbidden, HubError, InvalidValue, NotFound
from hub.services import work
from hub.store.models import AuditEntry, Jurisdiction
from tests.conftest import StatementCounter

AT = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
TOWN = Principal(role=Role.TOWN, unit_code="town-test", unit_id=None, client="abc123")
"""A town unit: it may write local records (``WRITE_LOCAL``) but not operate the sync."""


def actor() -> work.Actor:
    """An actor with a request id of its own, so that each test finds its own entries."""
    return work.Actor(TOWN, operation="TestOperation", request_id=uuid.uuid4().hex, at=AT)


def new_row(code: str) -> Jurisdiction:
    return Jurisdiction(code=code, name="测试社区", level=JurisdictionLevel.COMMUNITY)


async def rows(sessionmaker: async_sessionmaker[AsyncSession], code: str) -> int:
    async with sessionmaker() as session:
        found = await session.scalar(
            sa.select(sa.func.count()).select_from(Jurisdiction).where(Jurisdiction.code == code)
        )
    return found or 0


async def entries(
    sessionmaker: async_sessionmaker[AsyncSession], who: work.Actor
) -> list[AuditEntry]:
    async with sessionmaker() as session:
        stmt = sa.select(AuditEntry).where(AuditEntry.request_id == who.request_id)
        return list(await session.scalars(stmt.order_by(AuditEntry.id)))


def adding(code: str, *, then: Exception | None = None) -> Callable[[AsyncSession], Any]:
    """A change's work: add a row and flush it (so it is in the database), then raise ``then``."""

    async def work_(session: AsyncSession) -> Jurisdiction:
        row = new_row(code)
        session.add(row)
        await session.flush()
        if then is not None:
            raise then
        return row

    return work_


def transactions(statements: list[str]) -> list[list[str]]:
    """The INSERTs of the traced statements, grouped by the savepoint they ran in (the test's
    sessions commit into savepoints of the test's connection: one savepoint, one transaction)."""
    groups: list[list[str]] = []
    current: list[str] | None = None
    for statement in statements:
        text = statement.strip().upper()
        if text.startswith("SAVEPOINT"):
            current = []
        elif text.startswith("RELEASE SAVEPOINT"):
            if current:
                groups.append(current)
            current = None
        elif text.startswith("INSERT") and current is not None:
            current.append(text.split()[2].strip('"'))
    return groups


async def test_a_change_commits_its_rows_and_one_ok_entry_in_one_transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
    count_statements: Callable[[], StatementCounter],
) -> None:
    """The rows of a successful change and its ``ok`` audit entry are written by one transaction;
    the entry names the actor, the request, the subject and the merged detail."""
    who, code = actor(), f"uow-{uuid.uuid4().hex[:8]}"
    counter = count_statements()
    result = await work.change(
        sessionmaker,
        who,
        action="testChange",
        permission=Permission.WRITE_LOCAL,
        subject_type="Jurisdiction",
        work=adding(code),
        subject_id=lambda row: row.id,
        detail={"asked": "yes"},
        detail_of=lambda row: {"code": row.code},
    )
    counter.active = False
    assert isinstance(result, Jurisdiction) and result.code == code
    assert transactions(counter.statements) == [["JURISDICTIONS", "AUDIT_LOG"]]
    assert await rows(sessionmaker, code) == 1
    [entry] = await entries(sessionmaker, who)
    assert (entry.action, entry.outcome, entry.subject_type, entry.subject_id) == (
        "testChange",
        "ok",
        "Jurisdiction",
        str(result.id),
    )
    assert (entry.actor_role, entry.actor_unit, entry.actor_client) == (
        Role.TOWN.value,
        "town-test",
        "abc123",
    )
    assert (entry.operation, entry.occurred_at) == ("TestOperation", AT)
    assert entry.detail == {"asked": "yes", "code": code}


async def test_nothing_is_kept_when_the_entry_cannot_be_made(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """A change whose audit entry fails (here: its subject cannot be named) keeps none of its
    rows: nothing is committed before the entry is in the same transaction. The error, a bug,
    propagates and is not audited as a refusal."""
    who, code = actor(), f"uow-{uuid.uuid4().hex[:8]}"

    def unnamed(row: Jurisdiction) -> object:
        raise RuntimeError("the subject cannot be named")

    with pytest.raises(RuntimeError):
        await work.change(
            sessionmaker,
            who,
            action="testChange",
            permission=Permission.WRITE_LOCAL,
            subject_type="Jurisdiction",
            work=adding(code),
            subject_id=unnamed,
        )
    assert await rows(sessionmaker, code) == 0
    assert await entries(sessionmaker, who) == []


async def test_a_bug_in_the_work_keeps_nothing_and_is_not_audited(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """An unexpected error of the work (not a HubError it refuses with) rolls its rows back and
    propagates: it is a bug, not an answer."""
    who, code = actor(), f"uow-{uuid.uuid4().hex[:8]}"
    with pytest.raises(ZeroDivisionError):
        await work.change(
            sessionmaker,
            who,
            action="testChange",
            permission=Permission.WRITE_LOCAL,
            subject_type="Jurisdiction",
            work=adding(code, then=ZeroDivisionError()),
            subject_id=lambda row: row.id,
        )
    assert await rows(sessionmaker, code) == 0
    assert await entries(sessionmaker, who) == []


async def test_a_missing_permission_runs_no_work_and_writes_a_not_permitted_entry(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Without the permission the work is not run; the refusal names the permission and its
    entry (``not_permitted``) carries the subject type and the detail, but no subject."""
    who, ran = actor(), []

    async def never(session: AsyncSession) -> None:
        ran.append(True)

    refusal = await work.change(
        sessionmaker,
        who,
        action="syncTest",
        permission=Permission.OPERATE_SYNC,
        subject_type="SyncRun",
        work=never,
        subject_id=lambda result: 0,
        detail={"source": "ordos"},
    )
    assert ran == []
    assert refusal == work.Refusal(
        outcome=work.Outcome.NOT_PERMITTED,
        message=f"syncTest needs the {Permission.OPERATE_SYNC} permission",
    )
    [entry] = await entries(sessionmaker, who)
    assert (entry.action, entry.outcome, entry.subject_type, entry.subject_id) == (
        "syncTest",
        "not_permitted",
        "SyncRun",
        None,
    )
    assert entry.detail == {"source": "ordos"} and entry.occurred_at == AT


@pytest.mark.parametrize(
    ("error", "outcome", "field"),
    [
        (BadUserInput("title: give a title", field="title"), work.Outcome.INVALID, "title"),
        (InvalidValue("amount", "must be positive"), work.Outcome.INVALID, "amount"),
        (
            NotFound("compoundId: no compound", field="compoundId"),
            work.Outcome.INVALID,
            "compoundId",
        ),
        (Forbidden("only the reporting level verifies"), work.Outcome.NOT_PERMITTED, None),
    ],
    ids=["BadUserInput", "InvalidValue", "NotFound", "Forbidden"],
)
async def test_a_refusal_of_the_work_rolls_its_rows_back_and_is_audited(
    sessionmaker: async_sessionmaker[AsyncSession],
    error: HubError,
    outcome: work.Outcome,
    field: str | None,
) -> None:
    """Input the work refuses (``invalid``) or a record not the actor's to change
    (``not_permitted``): the rows it had already written are gone, the refusal carries the
    error's message and field, and one entry of that outcome is written, without the detail
    only a success can tell."""
    who, code = actor(), f"uow-{uuid.uuid4().hex[:8]}"
    refusal = await work.change(
        sessionmaker,
        who,
        action="testChange",
        permission=Permission.WRITE_LOCAL,
        subject_type="Jurisdiction",
        work=adding(code, then=error),
        subject_id=lambda row: row.id,
        detail={"asked": "yes"},
        detail_of=lambda row: {"code": row.code},
    )
    assert isinstance(refusal, work.Refusal)
    assert (refusal.outcome, refusal.message, refusal.field) == (outcome, error.message, field)
    assert refusal.details == error.details
    assert await rows(sessionmaker, code) == 0
    [entry] = await entries(sessionmaker, who)
    assert (entry.outcome, entry.subject_type, entry.subject_id) == (
        str(outcome),
        "Jurisdiction",
        None,
    )
    assert entry.detail == {"asked": "yes"}
