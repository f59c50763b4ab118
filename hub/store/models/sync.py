"""Tables of the sync engine: runs, per-stream state, quarantine, reconciliation and leases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain.enums import ReconciliationStatus, SyncRunStatus
from hub.store.base import Base, str_enum


class SyncRun(Base):
    """One run of the sync of a source, with its counts."""

    __tablename__ = "sync_runs"

    source: Mapped[str] = mapped_column(sa.String(40), index=True)
    status: Mapped[SyncRunStatus] = mapped_column(str_enum(SyncRunStatus))
    full: Mapped[bool] = mapped_column(default=False)
    trigger: Mapped[str] = mapped_column(sa.String(40))  # schedule, cli, graphql:<unit>
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    window_upper: Mapped[datetime]
    fetched: Mapped[int] = mapped_column(default=0)
    inserted: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    quarantined: Mapped[int] = mapped_column(default=0)
    deleted: Mapped[int] = mapped_column(default=0)
    reconciliation: Mapped[int] = mapped_column(default=0)
    retries: Mapped[int] = mapped_column(default=0)
    rate_limited: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.String(500))


class SyncStreamState(Base):
    """Where the sync of one stream stands: its watermark and the checkpoint of a window."""

    __tablename__ = "sync_stream_states"
    __table_args__ = (sa.UniqueConstraint("source", "stream"),)

    source: Mapped[str] = mapped_column(sa.String(40))
    stream: Mapped[str] = mapped_column(sa.String(40))
    # Upper bound of the last completed window: the next window starts here (minus lookback).
    watermark: Mapped[datetime | None]
    # The window in progress, and the token of its next page (JSON), while a run is under way.
    window_lower: Mapped[datetime | None]
    window_upper: Mapped[datetime | None]
    next_token: Mapped[str | None] = mapped_column(sa.String(500))
    window_total: Mapped[int | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    last_run_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sync_runs.id", ondelete="SET NULL")
    )
    records: Mapped[int] = mapped_column(default=0)


class QuarantinedRecord(Base):
    """An upstream record that failed validation or mapping, kept with its payload and reason."""

    __tablename__ = "sync_quarantine"

    source: Mapped[str] = mapped_column(sa.String(40), index=True)
    stream: Mapped[str] = mapped_column(sa.String(40))
    source_id: Mapped[str | None] = mapped_column(sa.String(100))
    payload: Mapped[Any] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(sa.String(500))
    run_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sync_runs.id", ondelete="SET NULL"), index=True
    )
    resolved_at: Mapped[datetime | None]


class ReconciliationItem(Base):
    """An upstream record whose compound could not be matched; a person links or creates it."""

    __tablename__ = "sync_reconciliation"
    __table_args__ = (sa.UniqueConstraint("source", "entity", "source_id"),)

    source: Mapped[str] = mapped_column(sa.String(40), index=True)
    stream: Mapped[str] = mapped_column(sa.String(40))
    entity: Mapped[str] = mapped_column(sa.String(40))
    source_id: Mapped[str] = mapped_column(sa.String(100))
    town_code: Mapped[str] = mapped_column(sa.String(20))
    compound_name: Mapped[str] = mapped_column(sa.String(100))
    payload: Mapped[Any] = mapped_column(sa.JSON)
    status: Mapped[ReconciliationStatus] = mapped_column(
        str_enum(ReconciliationStatus), default=ReconciliationStatus.OPEN, index=True
    )
    compound_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("compounds.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(sa.String(60))


class SyncLease(Base):
    """Who runs the sync of a source now: one run per source, across all hub replicas."""

    __tablename__ = "sync_leases"

    source: Mapped[str] = mapped_column(sa.String(40), unique=True)
    holder: Mapped[str] = mapped_column(sa.String(100))
    expires_at: Mapped[datetime]
