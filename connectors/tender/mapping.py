"""Pure mapping of 招投标平台 records (``wire``) to store terms (``MappedRecord``).

Fields are the store's columns without ids or provenance, enumerated ones in the connectors' own
words (``connectors.enums``). A tender refers to
its compound by town code and name; bids, candidates and awards to their tender by its project
code (a ``SourceRef``, the tender being synced first) and to enterprises by USCC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from connectors.core import (
    CompoundRef,
    Entity,
    InvalidRecord,
    MappedRecord,
    Ref,
    SourceRef,
)
from connectors.enums import SelectionMethod, TenderMethod, TenderStatus
from connectors.parsing import enterprise_ref
from connectors.tender import wire

TENDER_STATUS = {
    "招标公告": TenderStatus.ANNOUNCED,
    "评标中": TenderStatus.EVALUATING,
    "候选人公示": TenderStatus.PUBLICIZED,
    "中标通知": TenderStatus.AWARDED,
    "已备案": TenderStatus.FILED,
    "已终止": TenderStatus.CANCELLED,
}
SELECTION = {
    "前期物业": SelectionMethod.PRELIMINARY,
    "业主委员会选聘": SelectionMethod.COMMITTEE_RESELECTION,
}
METHOD = {"公开招标": TenderMethod.OPEN, "邀请招标": TenderMethod.INVITED}


def map_tender(record: wire.Tender, *, content_hash: str) -> MappedRecord:
    """A tender (R6) of a compound."""
    if record.bidDeadline < record.announcedOn:
        raise InvalidRecord("bidDeadline: before announcedOn", source_id=record.id)
    fields = {
        "code": record.id,
        "title": record.title,
        "selection": SELECTION[record.selection],
        "method": METHOD[record.method],
        "tenderer": record.tenderer,
        "announced_on": record.announcedOn,
        "bid_deadline": record.bidDeadline,
        "status": TENDER_STATUS[record.status],
    }
    refs = {"compound_id": CompoundRef(town_code=record.townCode, name=record.compoundName.strip())}
    return _mapped(Entity.TENDER, record, fields, refs, content_hash)


def map_bid(record: wire.Bid, *, content_hash: str) -> MappedRecord:
    """A bid of an enterprise in a tender."""
    fields = {
        "price": record.price,
        "technical_score": record.technicalScore,
        "submitted_on": record.submittedOn,
    }
    refs = _tender_and(record.tenderId, record.bidderUscc, "bidderUscc")
    return _mapped(Entity.TENDER_BID, record, fields, refs, content_hash)


def map_candidate(record: wire.Candidate, *, content_hash: str) -> MappedRecord:
    """A ranked candidate of a tender."""
    fields = {"rank": record.rank, "total_score": record.totalScore}
    refs = _tender_and(record.tenderId, record.enterpriseUscc, "enterpriseUscc")
    return _mapped(Entity.TENDER_CANDIDATE, record, fields, refs, content_hash)


def map_award(record: wire.Award, *, content_hash: str) -> MappedRecord:
    """The award of a tender, with its publicity, filing and contract dates."""
    for name, later in (("publicityUntil", record.publicityUntil), ("filedOn", record.filedOn)):
        if later is not None and later < record.awardedOn:
            raise InvalidRecord(f"{name}: before awardedOn", source_id=record.id)
    fields = {
        "awarded_on": record.awardedOn,
        "publicity_until": record.publicityUntil,
        "filed_on": record.filedOn,
        "contract_signed_on": record.contractSignedOn,
    }
    refs = _tender_and(record.tenderId, record.winnerUscc, "winnerUscc")
    return _mapped(Entity.TENDER_AWARD, record, fields, refs, content_hash)


def _tender_and(tender_id: str, uscc: str, field: str) -> dict[str, Ref]:
    enterprise = enterprise_ref(uscc, field)
    return {"tender_id": SourceRef(Entity.TENDER, tender_id), "enterprise_id": enterprise}


def _mapped(
    entity: Entity,
    record: wire.Record,
    fields: Mapping[str, object],
    refs: Mapping[str, Ref],
    content_hash: str,
) -> MappedRecord:
    cursor: datetime = record.updatedAt.astimezone(UTC)
    return MappedRecord(
        entity=entity,
        source_id=record.id,
        cursor=cursor,
        fields=fields,
        refs=refs,
        content_hash=content_hash,
    )
