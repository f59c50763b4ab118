"""The connector of the 招投标平台 (R6): streams, auth and record parsing.

The platform's API (``CONTRACT.md``): every request signed with HMAC-SHA256 (key id, timestamp,
nonce, body hash); opaque cursor paging, the next page given both as a cursor (``next``) and as a
full link (``nextLink``). Tenders and candidates follow the cursor, bids and awards the link, so
both flavours are exercised. Streams in dependency order: tenders, bids, candidates, awards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import BaseModel

from connectors.auth import HmacSigning
from connectors.core import (
    JSON,
    PAGE_SIZE,
    CursorPaging,
    Entity,
    MappedRecord,
    StreamSpec,
    Tombstone,
    with_page_size,
)
from connectors.parsing import parse_record
from connectors.tender import mapping, wire

SOURCE = "tender"
"""The source name of the platform's records (the hub's ``Source.TENDER``)."""
API = "/open-api/v2"
_CURSOR = CursorPaging(cursor_param="cursor", size_param="limit", next_path=("next",))
_LINK = CursorPaging(
    cursor_param="cursor", size_param="limit", next_path=("nextLink",), next_is_link=True
)


def _stream(name: str, paging: CursorPaging, entity: Entity, *, root: bool = False) -> StreamSpec:
    return StreamSpec(
        name=name,
        path=f"{API}/{name}",
        record_path=("items",),
        primary_key="id",
        cursor_field="updatedAt",
        paging=paging,
        page_size=PAGE_SIZE,
        depends_on=() if root else ("tenders",),
        entities=(entity,),
    )


STREAMS = (
    _stream("tenders", _CURSOR, Entity.TENDER, root=True),
    _stream("bids", _LINK, Entity.TENDER_BID),
    _stream("candidates", _CURSOR, Entity.TENDER_CANDIDATE),
    _stream("awards", _LINK, Entity.TENDER_AWARD),
)

# Stream → (wire model, entity, mapping function taking the model and the content hash).
_PARSERS: dict[str, tuple[type[BaseModel], Entity, Callable[..., MappedRecord]]] = {
    "tenders": (wire.Tender, Entity.TENDER, mapping.map_tender),
    "bids": (wire.Bid, Entity.TENDER_BID, mapping.map_bid),
    "candidates": (wire.Candidate, Entity.TENDER_CANDIDATE, mapping.map_candidate),
    "awards": (wire.Award, Entity.TENDER_AWARD, mapping.map_award),
}


class TenderConnector:
    """Pulls tenders, bids, ranked candidates and awards from the tender platform."""

    source = SOURCE
    streams: tuple[StreamSpec, ...] = STREAMS

    def __init__(
        self, *, base_url: str, key_id: str, secret: str, page_size: int | None = None
    ) -> None:
        self.streams = with_page_size(STREAMS, page_size)
        self.base_url = base_url.rstrip("/")
        self.key_id = key_id
        self._secret = secret

    def __repr__(self) -> str:
        return f"TenderConnector(base_url={self.base_url!r}, key_id={self.key_id!r})"

    def auth(self) -> HmacSigning:
        """The HMAC request signing for ``connectors.http.UpstreamClient``."""
        return HmacSigning(key_id=self.key_id, secret=self._secret)

    def parse(self, stream: StreamSpec, raw: Mapping[str, JSON]) -> MappedRecord | Tombstone:
        """Validate and map one raw record; ``InvalidRecord`` names the field refused."""
        model, entity, map_record = _PARSERS[stream.name]
        return parse_record(raw, model=model, entity=entity, map_record=map_record)
