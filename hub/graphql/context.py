"""The typed context of one GraphQL request: settings, the request's database session, the
DataLoaders, the viewer and the request's notion of "now"."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection
from strawberry.extensions import SchemaExtension

from hub.config import Settings
from hub.domain.access import PUBLIC, Principal
from hub.errors import RequestEnded
from hub.graphql.loaders import Loaders
from hub.observability.requests import keeps_request_id
from hub.store.base import utcnow
from hub.store.session import for_writing

if TYPE_CHECKING:
    from hub.graphql.pii import AuditBatch
    from hub.sync.manager import SyncManager

T = TypeVar("T")

# Event-loop rounds without a new DataLoader key before a batch is closed (see RequestDatabase).
SETTLE_ROUNDS = 3


class RequestDatabase:
    """The one session of a request, used by one coroutine at a time.

    Strawberry resolves sibling fields concurrently, and an ``AsyncSession`` must not run two
    statements at once, so every use goes through ``run``, which takes a lock. DataLoaders keep
    the number of statements per request small, so the lock costs little.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()
        self._closed = False
        self.activity = 0
        """Bumped by every DataLoader key request; see ``run(settle=True)``."""

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]], *, settle: bool = False) -> T:
        """Run ``work`` with the request's session (opened on first use).

        With ``settle``, first let the event loop run until no resolver asks a DataLoader for a
        new key any more (``SETTLE_ROUNDS`` quiet rounds in a row). A DataLoader batch then holds
        every key of its level of the query, however the resolvers happened to be scheduled, so
        the number of statements depends on the shape of the query, not on the size of lists.
        """
        async with self._lock:
            if self._closed:
                # A resolver still running after the answer went out (graphql-core leaves the
                # siblings of a field whose error nulled their parent to finish on their own):
                # it must not open a session that nobody would close.
                raise RequestEnded("the request has ended; its database session is closed")
            if settle:
                quiet, seen = 0, self.activity
                while quiet < SETTLE_ROUNDS:
                    await asyncio.sleep(0)
                    quiet, seen = (quiet + 1, seen) if self.activity == seen else (0, self.activity)
            if self._session is None:
                self._session = self._sessionmaker()
            return await work(self._session)

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """Where a change's unit of work (``hub.services.work``) opens its own session."""
        return self._sessionmaker

    async def transaction(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in a transaction of its own, committed when it returns (for mutations).

        It is a new session, not the request's read session: a mutation's writes commit or roll
        back as one, whatever the request read before.
        """
        async with for_writing(self._sessionmaker)() as session, session.begin():
            return await work(session)

    async def close(self) -> None:
        """End the request's transaction (read-only so far: rolled back), free the connection
        and refuse any later work (each WebSocket operation has a context of its own)."""
        async with self._lock:
            self._closed = True
            if self._session is not None:
                await self._session.close()
                self._session = None


@dataclass
class HubContext:
    """Everything a resolver may use; built fresh for each request."""

    settings: Settings
    db: RequestDatabase
    viewer: Principal
    """Who is asking (see ``hub.domain.access``); the public unless a credential was sent."""
    now: datetime = field(default_factory=utcnow)
    request: HTTPConnection | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    sync: SyncManager | None = None
    loaders: Loaders = field(init=False)
    media_type: str = "application/json"
    """The response's media type, negotiated from ``Accept``
    (``hub.graphql.over_http.negotiate``)."""
    pii_audit: AuditBatch | None = field(default=None, init=False)
    """Unmasked personal-data reads waiting for their audit entry (``hub.graphql.pii``)."""

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.db, today=self.today, viewer=self.viewer)

    @property
    def today(self) -> date:
        """The date in the banner (Asia/Shanghai by default): business dates are local."""
        return self.now.astimezone(ZoneInfo(self.settings.timezone)).date()


def make_context(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    request: HTTPConnection | None = None,
    now: datetime | None = None,
    sync: SyncManager | None = None,
    viewer: Principal = PUBLIC,
) -> HubContext:
    """A new context for one request; the request id is taken from ``X-Request-ID`` if sent."""
    context = HubContext(
        settings=settings,
        db=RequestDatabase(sessionmaker),
        viewer=viewer,
        now=now or utcnow(),
        request=request,
        sync=sync,
    )
    sent = request.headers.get("x-request-id") if request is not None else None
    if sent and keeps_request_id(sent):
        context.request_id = sent
    return context


class CloseDatabase(SchemaExtension):
    """Ends the request's transaction when the operation is done, whatever happened."""

    async def on_operation(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            context = self.execution_context.context
            if isinstance(context, HubContext):
                await context.db.close()
                # graphql-core keeps the context alive in a reference cycle until a full garbage
                # collection: drop the loaded rows now rather than then.
                context.loaders.clear()


Info = strawberry.Info[HubContext, None]
"""The ``info`` argument of our resolvers."""
