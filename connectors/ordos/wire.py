"""Pydantic models of the records of the 鄂尔多斯物业管理服务平台 API, as ``CONTRACT.md`` describes.

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

EnterpriseStatus = Literal["存续", "停业", "吊销", "注销"]
CreditCategory = Literal["基本信息", "良好信息", "不良信息"]
CreditLevel = Literal["市级", "旗级", "镇级", "社区级"]
Selection = Literal["前期物业", "业主委员会选聘"]


class Record(BaseModel):
    """Fields every record of the platform has."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    id: Id
    updatedAt: Instant


class CompoundName(BaseModel):
    """A compound as the platform names it: the town's code and the compound's name."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    townCode: Annotated[str, Field(pattern=r"^\d{9}$")]
    name: Annotated[str, Field(min_length=1, max_length=100)]


class Enterprise(Record):
    """物业服务企业: registration and the latest published credit grade."""

    uscc: str
    name: Annotated[str, Field(min_length=1, max_length=200)]
    legalRepresentative: str
    registeredAddress: str
    areaCode: Annotated[str, Field(pattern=r"^\d{6}$")]
    registeredCapital: Annotated[float, Field(ge=0)]
    foundedOn: Day
    status: EnterpriseStatus
    creditScore: float | None = None
    creditGrade: Annotated[str, Field(max_length=8)] | None = None
    creditEvaluatedOn: Day | None = None


class CreditRecord(Record):
    """企业信用记录: a basic, good or bad record with its points and validity."""

    enterpriseUscc: str
    category: CreditCategory
    title: Annotated[str, Field(min_length=1, max_length=200)]
    points: Annotated[float, Field(ge=0)]
    level: CreditLevel
    recordedOn: Day
    validFrom: Day
    validUntil: Day | None = None


class CreditGrade(Record):
    """信用等级: a score and grade published on a day."""

    enterpriseUscc: str
    evaluatedOn: Day
    score: float
    grade: Annotated[str, Field(min_length=1, max_length=8)]


class Project(Record):
    """物业服务项目: an enterprise serving a compound under a contract."""

    enterpriseUscc: str
    compound: CompoundName
    startsOn: Day
    endsOn: Day | None = None
    selection: Selection
    tenderCode: str | None = None


class InspectionItem(BaseModel):
    """One deduction of a daily inspection."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    code: Annotated[str, Field(min_length=1, max_length=20)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    deduction: Annotated[float, Field(ge=0)]
    note: Annotated[str, Field(max_length=200)] | None = None


class Inspection(Record):
    """日常巡查: a daily inspection of a compound an enterprise serves, with its deductions."""

    enterpriseUscc: str
    compound: CompoundName
    inspectedOn: Day
    inspector: str | None = None
    totalDeduction: Annotated[float, Field(ge=0)]
    items: list[InspectionItem]
