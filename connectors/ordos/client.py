"""The connector of the 鄂尔多斯物业管理服务平台 (R7): streams, auth and record parsing.

The platform's API (``CONTRACT.md``): OAuth2 client credentials (``POST /oauth/token``), page-number
paging (``page``, ``pageSize``, ``data.total``), records under ``data.records``. Streams in
dependency order: enterprises, then their credit records, credit grades, projects (service
contracts) and daily inspections, all of which refer to enterprises by USCC.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import BaseModel

from connectors.auth import OAuth2ClientCredentials
from connectors.core import (
    JSON,
    PAGE_SIZE,
    Entity,
    MappedRecord,
    PageNumberPaging,
    StreamSpec,
    Tombstone,
    with_page_size,
)
from connectors.ordos import mapping, wire
from connectors.parsing import parse_record

SOURCE = "ordos"
"""The source name of the platform's records (the hub's ``Source.ORDOS``)."""
API = "/api/v1"
TOKEN_PATH = "/oauth/token"
_PAGING = PageNumberPaging(
    page_param="page", size_param="pageSize", first_page=1, total_path=("data", "total")
)
_RECORDS = ("data", "records")


def _stream(name: str, path: str, entity: Entity, *, root: bool = False) -> StreamSpec:
    return StreamSpec(
        name=name,
        path=f"{API}/{path}",
        record_path=_RECORDS,
        primary_key="id",
        cursor_field="updatedAt",
        paging=_PAGING,
        page_size=PAGE_SIZE,
        depends_on=() if root else ("enterprises",),
        entities=(entity,),
    )


STREAMS = (
    _stream("enterprises", "enterprises", Entity.ENTERPRISE, root=True),
    _stream("credit_records", "credit-records", Entity.CREDIT_RECORD),
    _stream("credit_grades", "credit-grades", Entity.CREDIT_GRADE),
    _stream("projects", "projects", Entity.SERVICE_CONTRACT),
    _stream("inspections", "inspections", Entity.INSPECTION),
)

# Stream → (wire model, entity, mapping function taking the model and the content hash).
_PARSERS: dict[str, tuple[type[BaseModel], Entity, Callable[..., MappedRecord]]] = {
    "enterprises": (wire.Enterprise, Entity.ENTERPRISE, mapping.map_enterprise),
    "credit_records": (wire.CreditRecord, Entity.CREDIT_RECORD, mapping.map_credit_record),
    "credit_grades": (wire.CreditGrade, Entity.CREDIT_GRADE, mapping.map_credit_grade),
    "projects": (wire.Project, Entity.SERVICE_CONTRACT, mapping.map_project),
    "inspections": (wire.Inspection, Entity.INSPECTION, mapping.map_inspection),
}


class OrdosConnector:
    """Pulls enterprises, credit, projects and inspections from the Ordos platform."""

    source = SOURCE
    streams: tuple[StreamSpec, ...] = STREAMS

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        token_url: str | None = None,
        page_size: int | None = None,
    ) -> None:
        self.streams = with_page_size(STREAMS, page_size)
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.scope = scope
        self.token_url = token_url or f"{self.base_url}{TOKEN_PATH}"
        self._client_secret = client_secret

    def __repr__(self) -> str:
        return f"OrdosConnector(base_url={self.base_url!r}, client_id={self.client_id!r})"

    def auth(self) -> OAuth2ClientCredentials:
        """The OAuth2 client-credentials auth for ``connectors.http.UpstreamClient``."""
        return OAuth2ClientCredentials(
            token_url=self.token_url,
            client_id=self.client_id,
            client_secret=self._client_secret,
            scope=self.scope,
        )

    def parse(self, stream: StreamSpec, raw: Mapping[str, JSON]) -> MappedRecord | Tombstone:
        """Validate and map one raw record; ``InvalidRecord`` names the field refused."""
        model, entity, map_record = _PARSERS[stream.name]
        return parse_record(raw, model=model, entity=entity, map_record=map_record)
