"""Pydantic models of the records of the 招投标平台 API, as ``CONTRACT.md`` describes.

Unknown fields are ignored, so a field the platform adds later does no harm; known fields are
strict, so a number sent as text, text sent as a number or a day sent as a number fails validation
and the record is quarantined instead of stored wrongly. Days are ``YYYY-MM-DD`` text, instants
ISO 8601 text with ``Z`` or an offset.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.wire_common import Day, Id, Instant, Tombstone

__all__ = ["Day", "Id", "Instant", "Tombstone"]

TenderStatus = Literal["招标公告", "评标中", "候选人公示", "中标通知", "已备案", "已终止"]
Selection = Literal["前期物业", "业主委员会选聘"]
Method = Literal["公开招标", "邀请招标"]


class Record(BaseModel):
    """Fields every record of the platform has."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    id: Id
    updatedAt: Instant


class Tender(Record):
    """招标项目: a tender for the property service of a compound; ``id`` is its project code."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    townCode: Annotated[str, Field(pattern=r"^\d{9}$")]
    compoundName: Annotated[str, Field(min_length=1, max_length=100)]
    selection: Selection
    method: Method
    tenderer: Annotated[str, Field(min_length=1, max_length=200)]
    announcedOn: Day
    bidDeadline: Day
    status: TenderStatus


class Bid(Record):
    """投标: an enterprise's bid in a tender; price in yuan per m² per month."""

    tenderId: Id
    bidderUscc: str
    price: Annotated[float, Field(gt=0)]
    technicalScore: Annotated[float, Field(ge=0, le=100)] | None = None
    submittedOn: Day


class Candidate(Record):
    """中标候选人: a ranked candidate (1–3) published after the evaluation."""

    tenderId: Id
    enterpriseUscc: str
    rank: Annotated[int, Field(ge=1, le=3)]
    totalScore: Annotated[float, Field(ge=0, le=100)]


class Award(Record):
    """中标结果: winner, award notice, publicity, filing (备案) and contract dates."""

    tenderId: Id
    winnerUscc: str
    awardedOn: Day
    publicityUntil: Day | None = None
    filedOn: Day | None = None
    contractSignedOn: Day | None = None
