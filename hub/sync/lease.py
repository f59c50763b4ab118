"""One sync run per source at a time, across every hub replica: a lease row per source.

A lease is taken by inserting (or taking over an expired) row of ``sync_leases`` in its own short
transaction; it works the same on SQLite and PostgreSQL. The holder renews it while it works, so
a replica that dies frees the source after ``ttl`` at the latest. A lease held by someone else
is ``hub.errors.SyncBusy``.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.errors import SyncBusy
from hub.store.base import utcnow
from hub.store.models import SyncLease

__all__ = ["DEFAULT_TTL", "Lease", "SyncBusy"]

DEFAULT_TTL = timedelta(minutes=5)


class Lease:
    """The right to sync one source until ``expires_at``; renew it while working."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        source: str,
        *,
        ttl: timedelta = DEFAULT_TTL,
        holder: str | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self.source = source
        self.ttl = ttl
        self.holder = holder or uuid.uuid4().hex

    def __repr__(self) -> str:
        return f"<Lease {self.source} holder={self.holder[:8]}>"

    async def acquire(self) -> None:
        """Take the lease, or raise ``SyncBusy`` when a live one is held by someone else."""
        now = utcnow()
        async with self._sessionmaker() as session, session.begin():
            taken = await session.execute(
                sa.update(SyncLease)
                .where(
                    SyncLease.source == self.source,
                    sa.or_(SyncLease.expires_at < now, SyncLease.holder == self.holder),
                )
                .values(holder=self.holder, expires_at=now + self.ttl, updated_at=now)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return
            current = await session.scalar(
                sa.select(SyncLease).where(SyncLease.source == self.source)
            )
            if current is not None:
                raise SyncBusy(self.source, current.holder, current.expires_at)
        try:
            async with self._sessionmaker() as session, session.begin():
                session.add(
                    SyncLease(source=self.source, holder=self.holder, expires_at=now + self.ttl)
                )
        except IntegrityError:
            # Another replica inserted it between our two transactions.
            async with self._sessionmaker() as session:
                current = await session.scalar(
                    sa.select(SyncLease).where(SyncLease.source == self.source)
                )
            assert current is not None
            raise SyncBusy(self.source, current.holder, current.expires_at) from None

    async def renew(self) -> None:
        """Push the expiry forward; ``SyncBusy`` if the lease was lost meanwhile."""
        await self.acquire()

    async def release(self) -> None:
        """Give the lease up (only ours)."""
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                sa.delete(SyncLease).where(
                    SyncLease.source == self.source, SyncLease.holder == self.holder
                )
            )
