"""What every connector is made of, and what the sync engine (``hub.sync``) relies on.

A connector pulls one upstream platform. It declares its **streams** (``StreamSpec``: path, record
path, primary key, cursor field, paging kind, page size), talks HTTP through the shared client
(``connectors.http``), validates each raw record with its pydantic wire models (``wire.py``) and
maps it with pure functions (``mapping.py``) to a ``MappedRecord`` or a ``Tombstone``.

Connectors know nothing of the store: a mapped record carries store column values and *natural*
references (an enterprise's USCC, a compound's town and name, another record's source id), and the
sync engine resolves those to rows.

Windows: an incremental pull asks for records whose cursor field is in ``[lower, upper)`` — the
lower bound closed, the upper bound open and fixed at the start of the run — in the upstream's
stable order (cursor field, then primary key).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from pydantic import BaseModel

JSON = Any
"""A decoded JSON value."""


# ---------------------------------------------------------------------------------------------
# Paging kinds. A page token is what the client needs to fetch the *next* page of a window:
# a page number, an offset, or an opaque cursor / next link. The sync engine stores it in its
# checkpoint, so a killed run resumes with the page after the last committed one.
# ---------------------------------------------------------------------------------------------

PageToken = int | str | None


@dataclass(frozen=True, slots=True)
class PageNumberPaging:
    """``?page=N&pageSize=S``, pages counted from ``first_page``; the response may give a total."""

    page_param: str = "page"
    size_param: str = "pageSize"
    first_page: int = 1
    total_path: tuple[str, ...] | None = ("total",)


@dataclass(frozen=True, slots=True)
class OffsetPaging:
    """``?offset=N&limit=S``; the response may give a total."""

    offset_param: str = "offset"
    limit_param: str = "limit"
    total_path: tuple[str, ...] | None = ("total",)


@dataclass(frozen=True, slots=True)
class CursorPaging:
    """An opaque cursor: ``?cursor=…``, the next one at ``next_path``; or a full next link.

    With ``next_is_link`` the value at ``next_path`` is a URL (absolute or relative) to follow as
    it is; otherwise it is passed as ``cursor_param``. A null or missing value ends the window.
    """

    cursor_param: str = "cursor"
    size_param: str = "limit"
    next_path: tuple[str, ...] = ("next",)
    next_is_link: bool = False


Paging = PageNumberPaging | OffsetPaging | CursorPaging


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """One kind of record of an upstream, and how to page through it."""

    name: str
    path: str
    record_path: tuple[str, ...]
    primary_key: str
    cursor_field: str
    paging: Paging
    page_size: int = 100
    params: Mapping[str, str] = field(default_factory=dict)
    # Query parameters carrying the window bounds (ISO 8601 UTC): lower closed, upper open.
    lower_param: str = "updatedFrom"
    upper_param: str = "updatedTo"
    # Streams of a source are synced in the order declared; a stream may refer to records of
    # the streams before it (bids to tenders).
    depends_on: tuple[str, ...] = ()
    # The kinds of store record the stream yields; a full reconciliation marks the records of
    # these kinds that the stream no longer lists as deleted.
    entities: tuple[Entity, ...] = ()


PAGE_SIZE = 1000
"""Records per page the connectors ask for: the largest page each upstream's CONTRACT.md allows.

Every page costs the sync a request and a transaction; at 100 records per page that fixed part
was a good share of a sync's time (the sync benchmark, M3, in docs/performance.md).
"""


def with_page_size(streams: Sequence[StreamSpec], page_size: int | None) -> tuple[StreamSpec, ...]:
    """The streams asking for ``page_size`` records per page (None: as they are). Tests use
    small pages so that their small windows span several pages."""
    if page_size is None:
        return tuple(streams)
    if page_size < 1:
        raise ValueError("page_size must be positive")
    return tuple(dataclasses.replace(stream, page_size=page_size) for stream in streams)


@dataclass(frozen=True, slots=True)
class Window:
    """The cursor range of one pull: ``lower <= cursor < upper`` (both timezone-aware UTC).

    ``lower`` None means from the beginning (a full pull).
    """

    lower: datetime | None
    upper: datetime


@dataclass(frozen=True, slots=True)
class Page:
    """One page of raw records as the upstream sent them."""

    records: list[Mapping[str, JSON]]
    next_token: PageToken
    """Token of the page after this one; None when this page is the last of the window."""
    token: PageToken
    """Token this page was fetched with (None for the first page)."""
    total: int | None = None
    """Records in the window according to the upstream, when it says."""
    retries: int = 0
    rate_limited: int = 0


# ---------------------------------------------------------------------------------------------
# Mapped records: the connector's output, the sync engine's input.
# ---------------------------------------------------------------------------------------------


class Entity(enum.StrEnum):
    """Kinds of store record a connector can produce (the sync engine has a sink for each)."""

    ENTERPRISE = "enterprise"
    CREDIT_RECORD = "credit_record"
    CREDIT_GRADE = "credit_grade"
    SERVICE_CONTRACT = "service_contract"
    INSPECTION = "inspection"  # a daily inspection (assessment) with its items
    TENDER = "tender"
    TENDER_BID = "tender_bid"
    TENDER_CANDIDATE = "tender_candidate"
    TENDER_AWARD = "tender_award"
    CONNECTION_TASK = "connection_task"
    OUTAGE = "outage"


@dataclass(frozen=True, slots=True)
class EnterpriseRef:
    """An enterprise known by its USCC."""

    uscc: str


@dataclass(frozen=True, slots=True)
class CompoundRef:
    """A compound known by its name within a town (matched on the normalised name)."""

    town_code: str
    name: str


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Another record of the same source, known by its entity and source id."""

    entity: Entity
    source_id: str


Ref = EnterpriseRef | CompoundRef | SourceRef


_NO_REFS: Mapping[str, Ref] = MappingProxyType({})


class MappedRecord(NamedTuple):
    """An upstream record mapped to store terms.

    ``fields`` are store column values of the entity (no ids); ``refs`` map a foreign-key column
    to the natural reference the engine must resolve; ``children`` are dependent rows replaced
    with their parent (the items of an inspection).

    A named tuple rather than a frozen dataclass: as immutable, and built in a third of the time
    (a sync makes one per upstream record; the sync benchmark, M3, counts the difference).
    """

    entity: Entity
    source_id: str
    cursor: datetime
    fields: Mapping[str, Any]
    refs: Mapping[str, Ref] = _NO_REFS
    children: Sequence[Mapping[str, Any]] = ()
    content_hash: str = ""


class Tombstone(NamedTuple):
    """The upstream deleted a record: the store marks it deleted (soft), never drops it."""

    entity: Entity
    source_id: str
    cursor: datetime


class InvalidRecord(Exception):
    """A raw record failed validation or mapping; it goes to quarantine with this reason."""

    def __init__(self, reason: str, *, source_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.source_id = source_id


def content_hash(record: BaseModel) -> str:
    """SHA-256 of a validated upstream record's JSON as its wire model writes it (pydantic's
    serializer: the model's fields in their order, no spaces, unknown fields left out).

    Two versions of a record with the same hash give the same stored row, which is what lets a
    re-sync of an unchanged record write nothing; a field the hub ignores (one the upstream
    added) changes nothing stored, so it does not change the hash either. Taken from the
    validated values rather than from the raw payload, it costs the sync ~60 % less (one call
    of the Rust serializer instead of the sorted JSON encoding of a dict; the sync benchmark,
    M3). A hash taken otherwise (before this definition) differs: each row is then written
    once more, by the first sync that reads it again.
    """
    return hashlib.sha256(record.__pydantic_serializer__.to_json(record)).hexdigest()


class Connector(Protocol):
    """What the sync engine needs of a connector."""

    @property
    def source(self) -> str:
        """Source name of the records (``ordos``, ``tender``, ``utility:<unit code>``)."""
        ...

    @property
    def streams(self) -> Sequence[StreamSpec]:
        """The streams of the source, in sync order."""
        ...

    def parse(self, stream: StreamSpec, raw: Mapping[str, JSON]) -> MappedRecord | Tombstone:
        """Validate and map one raw record; raise ``InvalidRecord`` saying why it is refused."""
        ...
