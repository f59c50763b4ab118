"""Loading the demo data set into the store; called by ``hub demo-data`` and by test fixtures.

Rows are bulk inserted with their ids, table by table in foreign-key order, in chunks. Nothing is
committed here: the caller owns the transaction (``async with session.begin(): ...``), so a failed
load leaves the store as it was.

Member units get stable codes, to be used with ``hub clients create --unit CODE`` (the codes and
real names of the banner's reference data, ``hub/reference/banner.json``, which ``hub init``
loads; 蒙苏经济开发区 and its ``town-150627401`` are in the reference data only):

- ``zjj`` 住建局 (competent department), ``dcs`` 督查室 (inspection office), ``zzb`` 组织部 and
  ``xcb`` 宣传部 (party and publicity), ``cgj`` 城管局 and ``xfdd`` 消防大队 (departments);
- ``town-<town code>`` for each town government and the 水岸新城推进办, e.g. ``town-150627100``
  (阿勒腾席热镇) … ``town-150627106``, ``town-150627400`` (水岸新城);
- ``community-<community code>`` for each community, e.g. ``community-150627100001`` (园林社区);
- ``utility-water``, ``utility-power``, ``utility-gas``, ``utility-heat``, ``utility-telecom``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.config import Settings
from hub.demo.committees import load_committee_workflows_demo
from hub.demo.common import Row
from hub.demo.dataset import DEFAULT_SEED, DEFAULT_TODAY, MAX_SCALE, build_dataset
from hub.demo.ledger import load as load_ledger_demo
from hub.demo.ranking import load_ranking_demo
from hub.domain.crypto import Keyring
from hub.errors import BadUserInput
from hub.services import parameters
from hub.services.personal_data import SEALED_FIELDS, seal_rows
from hub.store import models  # noqa: F401  (registers the tables in the metadata)
from hub.store.base import Base
from hub.store.models import Jurisdiction

CHUNK_ROWS = 2_000


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What a load inserted: rows per table, and whether it replaced the store's data first."""

    scale: int
    seed: int
    replaced: bool
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """Rows inserted over all tables."""
        return sum(self.counts.values())

    def __str__(self) -> str:
        tables = sum(1 for count in self.counts.values() if count)
        replaced = ", replacing the previous data" if self.replaced else ""
        where = f"scale {self.scale}, seed {self.seed}{replaced}"
        return f"{self.total:,} rows in {tables} tables ({where})"


async def store_is_empty(session: AsyncSession) -> bool:
    """Whether the store has no jurisdictions (so nothing was loaded or synced into it yet)."""
    return await session.scalar(sa.select(Jurisdiction.id).limit(1)) is None


async def load_demo_data(
    session: AsyncSession,
    *,
    settings: Settings,
    scale: int = 1,
    seed: int = DEFAULT_SEED,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
    today: date = DEFAULT_TODAY,
    upstream: bool = True,
    keyring: Keyring | None = None,
) -> DemoSummary:
    """Insert the demo data set; with ``replace``, delete the rows of the tables first (all but
    ``KEPT_ON_REPLACE``).

    Refuses (``BadUserInput``) to load into a store that already has jurisdictions unless
    ``replace`` is set: the demo ids would collide with the rows there.

    With ``upstream=False`` only the local records are loaded (places, member units, committees,
    residents, semi-annual assessments, and the enterprises they refer to, as if registered
    here): what the upstream platforms hold then arrives through the connectors, from the
    sandboxes, which serve the same data set (``make run`` does this).

    Names, ID numbers and phone numbers are sealed with ``keyring`` (by default the one of
    ``settings``), as the app will open them; the demo ranking is published with the settings'
    ranking rules and budget.
    """
    report = progress or _quiet
    if not 1 <= scale <= MAX_SCALE:
        raise BadUserInput(f"scale must be between 1 and {MAX_SCALE}, got {scale}", scale=scale)
    if replace:
        await _delete_all(session, report)
    elif not await store_is_empty(session):
        raise BadUserInput(
            "the store is not empty: pass replace (`hub demo-data --replace`) to delete all its "
            "data and load the demo data instead",
            replace=False,
        )

    report(f"building the demo data set (scale {scale}, seed {seed})")
    # Building is pure CPU work (seconds at scale 10): off the event loop, so the loop stays live.
    dataset = await asyncio.to_thread(build_dataset, scale=scale, seed=seed, today=today)
    tables = dataset.tables() if upstream else local_only(dataset.tables())
    # Personal data goes into the store sealed (and ID numbers with their blind index); CPU work
    # too, so off the loop as well.
    keyring = keyring or parameters.pii_keyring(settings)
    tables = await asyncio.to_thread(seal_personal_data, keyring, tables)
    unknown = set(tables) - set(Base.metadata.tables)
    if unknown:
        raise RuntimeError(f"the demo data set has tables the store lacks: {sorted(unknown)}")

    # Core inserts of whole chunks (executemany): the ORM's per-row bookkeeping would cost about a
    # third more time on PostgreSQL and buys nothing here, since every column is given.
    for table in Base.metadata.sorted_tables:
        rows = tables.get(table.name)
        if not rows:
            continue
        for start in range(0, len(rows), CHUNK_ROWS):
            await session.execute(sa.insert(table), rows[start : start + CHUNK_ROWS])
        report(f"{table.name}: {len(rows):,} rows")

    if session.get_bind().dialect.name == "postgresql":
        await _reset_id_sequences(session, [name for name, rows in tables.items() if rows])
    counts = {name: len(rows) for name, rows in tables.items()}
    counts |= await load_ranking_demo(
        session,
        today=today,
        seed=seed,
        ranking_settings=parameters.ranking_settings(settings),
        budget=parameters.budget_settings(settings),
    )
    counts |= await load_ledger_demo(session, seed=seed, today=today)
    counts |= await load_committee_workflows_demo(session, today=today, seed=seed)
    return DemoSummary(scale=scale, seed=seed, replaced=replace, counts=counts)


def seal_personal_data(keyring: Keyring, tables: dict[str, list[Row]]) -> dict[str, list[Row]]:
    """The tables with the personal fields of their rows sealed (``hub.services.personal_data``)."""
    return {
        name: seal_rows(keyring, name, rows) if name in SEALED_FIELDS else rows
        for name, rows in tables.items()
    }


# Tables whose every row comes from an upstream platform.
UPSTREAM_TABLES = frozenset(
    {
        "enterprise_credit_records",
        "enterprise_credit_grades",
        "service_contracts",
        "tenders",
        "tender_bids",
        "tender_candidates",
        "tender_awards",
        "connection_tasks",
        "outages",
    }
)
_NO_PROVENANCE = {
    "source": None,
    "source_id": None,
    "synced_at": None,
    "content_hash": None,
    "source_updated_at": None,
}


def local_only(tables: dict[str, list[Row]]) -> dict[str, list[Row]]:
    """The rows of the data set that are not synced from an upstream (see ``load_demo_data``)."""
    out = {name: [] if name in UPSTREAM_TABLES else rows for name, rows in tables.items()}
    assessments = [row for row in tables["assessments"] if row["source"] is None]
    kept = {row["id"] for row in assessments}
    out["assessments"] = assessments
    out["assessment_items"] = [r for r in tables["assessment_items"] if r["assessment_id"] in kept]
    out["enterprises"] = [
        {
            **row,
            **_NO_PROVENANCE,
            "credit_score": None,
            "credit_grade": None,
            "credit_evaluated_on": None,
        }
        for row in tables["enterprises"]
    ]
    return out


KEPT_ON_REPLACE = frozenset({"audit_log", "trusted_documents"})
"""Tables a replacement leaves alone: the audit log is append-only, and trusted documents are
configuration, not data. API clients go with the member units they belong to."""


async def _delete_all(session: AsyncSession, report: Callable[[str], None]) -> None:
    """Delete all rows of all tables but ``KEPT_ON_REPLACE``, children first (alembic_version is
    not in the metadata)."""
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in KEPT_ON_REPLACE:
            continue
        # SQLite checks ON DELETE RESTRICT row by row, so a table referring to itself (a town's
        # communities) cannot be emptied in one statement: cut those references first.
        self_refs = {fk.parent.name: None for fk in table.foreign_keys if fk.column.table is table}
        if self_refs:
            await session.execute(sa.update(table).values(self_refs))
        await session.execute(sa.delete(table))
    report("deleted the data in the store")


async def _reset_id_sequences(session: AsyncSession, table_names: list[str]) -> None:
    # Explicit ids do not advance PostgreSQL's sequences: move each to the largest id, so that
    # later inserts without an id do not collide with the demo rows.
    quote = session.get_bind().dialect.identifier_preparer.quote
    for name in table_names:
        await session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                f"(SELECT MAX(id) FROM {quote(name)}))"
            ),
            {"table": name},
        )


def _quiet(_message: str) -> None:
    pass
