"""The request's database session: opened on first use, closed with the operation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hub.errors import RequestEnded
from hub.graphql.context import RequestDatabase
from hub.store.session import create_sessionmaker


async def _one(session: AsyncSession) -> int:
    return int((await session.execute(sa.text("SELECT 1"))).scalar_one())


async def test_work_after_the_request_ended_is_refused_and_opens_no_session(
    engine: AsyncEngine,
) -> None:
    """A resolver left running after the answer went out cannot open a session nobody closes."""
    opened: list[AsyncSession] = []
    sessionmaker = create_sessionmaker(engine)

    def counting() -> AsyncSession:
        session = sessionmaker()
        opened.append(session)
        return session

    db = RequestDatabase(counting)  # type: ignore[arg-type]
    assert await db.run(_one) == 1
    await db.close()
    with pytest.raises(RequestEnded, match="request has ended"):
        await db.run(_one)
    assert len(opened) == 1
