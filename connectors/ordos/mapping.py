"""Pure mapping of 鄂尔多斯物业管理服务平台 records (``wire``) to store terms (``MappedRecord``).

Fields are the store's columns without ids or provenance, enumerated ones in the connectors' own
words (``connectors.enums``, which the sync layer translates); enterprises are referred to by
USCC and compounds by town code and name, for the sync engine to resolve. A value the hub cannot
accept (a USCC with a wrong check character, a total that is not the sum of its items) raises
``InvalidRecord`` naming the field.

Not mapped, for want of a reference kind in ``connectors.core``: a project's ``tenderCode`` (a
record of another source, the tender platform) and an inspection's ``inspector`` (a member unit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from connectors.core import (
    CompoundRef,
    Entity,
    InvalidRecord,
    MappedRecord,
    Ref,
)
from connectors.enums import (
    AssessmentKind,
    CreditCategory,
    CreditLevel,
    EnterpriseStatus,
    SelectionMethod,
)
from connectors.ordos import wire
from connectors.parsing import checked_uscc, enterprise_ref

ENTERPRISE_STATUS = {
    "存续": EnterpriseStatus.ACTIVE,
    "停业": EnterpriseStatus.SUSPENDED,
    "吊销": EnterpriseStatus.REVOKED,
    "注销": EnterpriseStatus.DEREGISTERED,
}
CREDIT_CATEGORY = {
    "基本信息": CreditCategory.BASIC,
    "良好信息": CreditCategory.GOOD,
    "不良信息": CreditCategory.BAD,
}
CREDIT_LEVEL = {
    "市级": CreditLevel.CITY,
    "旗级": CreditLevel.BANNER,
    "镇级": CreditLevel.TOWN,
    "社区级": CreditLevel.COMMUNITY,
}
SELECTION = {
    "前期物业": SelectionMethod.PRELIMINARY,
    "业主委员会选聘": SelectionMethod.COMMITTEE_RESELECTION,
}
# Inspection totals are sums of half points: anything further off is a platform error.
_TOTAL_TOLERANCE = 0.05


def map_enterprise(record: wire.Enterprise, *, content_hash: str) -> MappedRecord:
    """An enterprise: registration and its latest published grade."""
    fields = {
        "uscc": _uscc(record.uscc, "uscc"),
        "name": record.name,
        "legal_representative": record.legalRepresentative,
        "registered_address": record.registeredAddress,
        "area_code": record.areaCode,
        "registered_capital": record.registeredCapital,
        "founded_on": record.foundedOn,
        "status": ENTERPRISE_STATUS[record.status],
        "credit_score": record.creditScore,
        "credit_grade": record.creditGrade,
        "credit_evaluated_on": record.creditEvaluatedOn,
    }
    return _mapped(Entity.ENTERPRISE, record, fields, {}, content_hash)


def map_credit_record(record: wire.CreditRecord, *, content_hash: str) -> MappedRecord:
    """A credit record of an enterprise (``points`` never negative; BAD ones count against)."""
    if record.validUntil is not None and record.validUntil < record.validFrom:
        raise InvalidRecord("validUntil: before validFrom", source_id=record.id)
    fields = {
        "category": CREDIT_CATEGORY[record.category],
        "title": record.title,
        "points": record.points,
        "level": CREDIT_LEVEL[record.level],
        "recorded_on": record.recordedOn,
        "valid_from": record.validFrom,
        "valid_until": record.validUntil,
    }
    refs = {"enterprise_id": enterprise_ref(record.enterpriseUscc, "enterpriseUscc")}
    return _mapped(Entity.CREDIT_RECORD, record, fields, refs, content_hash)


def map_credit_grade(record: wire.CreditGrade, *, content_hash: str) -> MappedRecord:
    """A credit score and grade published on a day (R7)."""
    fields = {"evaluated_on": record.evaluatedOn, "score": record.score, "grade": record.grade}
    refs = {"enterprise_id": enterprise_ref(record.enterpriseUscc, "enterpriseUscc")}
    return _mapped(Entity.CREDIT_GRADE, record, fields, refs, content_hash)


def map_project(record: wire.Project, *, content_hash: str) -> MappedRecord:
    """A project: which enterprise serves which compound, from when to when (a service contract)."""
    if record.endsOn is not None and record.endsOn < record.startsOn:
        raise InvalidRecord("endsOn: before startsOn", source_id=record.id)
    fields = {
        "starts_on": record.startsOn,
        "ends_on": record.endsOn,
        "selection": SELECTION[record.selection],
    }
    refs: dict[str, Ref] = {
        "enterprise_id": enterprise_ref(record.enterpriseUscc, "enterpriseUscc"),
        "compound_id": _compound(record.compound),
    }
    return _mapped(Entity.SERVICE_CONTRACT, record, fields, refs, content_hash)


def map_inspection(record: wire.Inspection, *, content_hash: str) -> MappedRecord:
    """A daily inspection (R8) with its deductions as children (assessment items)."""
    total = round(sum(item.deduction for item in record.items), 2)
    if abs(total - record.totalDeduction) > _TOTAL_TOLERANCE:
        raise InvalidRecord("totalDeduction: not the sum of the items", source_id=record.id)
    fields = {
        "kind": AssessmentKind.DAILY_INSPECTION,
        "year": record.inspectedOn.year,
        "half": None,
        "assessed_on": record.inspectedOn,
        "total": record.totalDeduction,
    }
    refs: dict[str, Ref] = {
        "enterprise_id": enterprise_ref(record.enterpriseUscc, "enterpriseUscc"),
        "compound_id": _compound(record.compound),
    }
    children = [
        {
            "item_code": item.code,
            "item_name": item.name,
            "max_points": None,
            "points": item.deduction,
            "note": item.note,
        }
        for item in record.items
    ]
    return _mapped(Entity.INSPECTION, record, fields, refs, content_hash, children)


def _mapped(
    entity: Entity,
    record: wire.Record,
    fields: Mapping[str, object],
    refs: Mapping[str, Ref],
    content_hash: str,
    children: Sequence[Mapping[str, object]] = (),
) -> MappedRecord:
    return MappedRecord(
        entity=entity,
        source_id=record.id,
        cursor=_utc(record.updatedAt),
        fields=fields,
        refs=refs,
        children=children,
        content_hash=content_hash,
    )


def _uscc(value: str, field: str) -> str:
    return checked_uscc(value, field)


def _compound(compound: wire.CompoundName) -> CompoundRef:
    return CompoundRef(town_code=compound.townCode, name=compound.name.strip())


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
