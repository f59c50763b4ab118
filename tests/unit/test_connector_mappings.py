"""Connector wire models and mappings on hand-written payloads from each CONTRACT.md (no I/O)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.auth import ApiKeyAuth, HmacSigning, OAuth2ClientCredentials
from connectors.core import (
    CompoundRef,
    EnterpriseRef,
    Entity,
    InvalidRecord,
    MappedRecord,
    SourceRef,
    StreamSpec,
    Tombstone,
    content_hash,
)
from connectors.enums import (
    AssessmentKind,
    ConnectionTaskKind,
    ConnectionTaskStatus,
    CreditCategory,
    CreditLevel,
    EnterpriseStatus,
    SelectionMethod,
    TenderMethod,
    TenderStatus,
    UtilityKind,
)
from connectors.ordos import wire as ordos_wire
from connectors.ordos.client import OrdosConnector
from connectors.tender.client import TenderConnector
from connectors.utility.client import UtilityConnector, utility_kind_of

CONNECTORS = Path(__file__).resolve().parents[2] / "connectors"
ORDOS = OrdosConnector(base_url="https://ordos.test", client_id="hub", client_secret="s3cret")
TENDER = TenderConnector(base_url="https://tender.test", key_id="hub", secret="s3cret")
HEAT = UtilityConnector(unit_code="utility-heat", base_url="https://heat.test", api_key="k3y")
PLATFORMS = {"ordos": ORDOS, "tender": TENDER, "utility": HEAT}

ENTERPRISE = {
    "id": "ENT-000045",
    "uscc": "91150627MA097AXL2A",
    "name": "内蒙古泰瑞物业管理有限责任公司",
    "legalRepresentative": "云慧怡",
    "registeredAddress": "内蒙古自治区鄂尔多斯市伊金霍洛旗纳林陶亥镇民族街55号",
    "areaCode": "150627",
    "registeredCapital": 300.0,
    "foundedOn": "2018-06-26",
    "status": "存续",
    "creditScore": 88.0,
    "creditGrade": "AAA",
    "creditEvaluatedOn": "2026-09-30",
    "updatedAt": "2026-10-02T22:07:50.058Z",
}
INSPECTION = {
    "id": "INSP-000450",
    "enterpriseUscc": "91150627MA0G9RW08G",
    "compound": {"townCode": "150627105", "name": "紫金华府"},
    "inspectedOn": "2026-11-24",
    "inspector": "红庆河镇沙日社区",
    "totalDeduction": 3.0,
    "items": [
        {"code": "D03", "name": "绿化养护不到位", "deduction": 2.0, "note": "已录入台账督办"},
        {"code": "D08", "name": "公共照明损坏未修复", "deduction": 1.0, "note": None},
    ],
    "updatedAt": "2026-11-24T23:09:52.597Z",
}
BID = {
    "id": "YJHLQ-WY-2026-029/bid/91150627647722354C",
    "tenderId": "YJHLQ-WY-2026-029",
    "bidderUscc": "91150627647722354C",
    "price": 1.16,
    "technicalScore": 75.9,
    "submittedOn": "2026-11-12",
    "updatedAt": "2026-11-14T11:32:16.917Z",
}
OUTAGE = {
    "id": "OUT-000060",
    "townCode": "150627100",
    "compoundName": "翠苑小区A区",
    "startsAt": "2026-11-24T21:48:00.000Z",
    "endsAt": None,
    "reason": "循环泵故障",
    "affectedHouseholds": 401,
    "updatedAt": "2026-11-24T23:31:16.150Z",
}


def spec(connector: Any, name: str) -> StreamSpec:
    return next(s for s in connector.streams if s.name == name)


def parse(connector: Any, stream: str, raw: dict[str, Any]) -> MappedRecord:
    mapped = connector.parse(spec(connector, stream), raw)
    assert isinstance(mapped, MappedRecord)
    return mapped


def contract_samples(platform: str) -> list[tuple[str, Any]]:
    text = (CONNECTORS / platform / "CONTRACT.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json sample=(\w+)\n(.*?)```", text, flags=re.DOTALL)
    return [(stream, json.loads(body)) for stream, body in blocks]


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_every_contract_sample_parses(platform: str) -> None:
    """Each stream has a sample response in its CONTRACT.md, and every record in it parses."""
    connector = PLATFORMS[platform]
    samples = contract_samples(platform)
    assert {stream for stream, _ in samples} == {s.name for s in connector.streams}
    for stream, envelope in samples:
        records = envelope
        for key in spec(connector, stream).record_path:
            records = records[key]
        assert records
        for raw in records:
            result = connector.parse(spec(connector, stream), raw)
            assert isinstance(result, Tombstone if raw.get("deleted") else MappedRecord)
            assert result.source_id == raw["id"]


def test_enterprise_maps_to_store_columns() -> None:
    """An Ordos enterprise becomes the enterprise columns, status translated, hash of the record."""
    mapped = parse(ORDOS, "enterprises", ENTERPRISE)
    assert mapped.entity is Entity.ENTERPRISE
    assert mapped.source_id == "ENT-000045"
    assert mapped.cursor == datetime(2026, 10, 2, 22, 7, 50, 58_000, tzinfo=UTC)
    assert mapped.fields == {
        "uscc": "91150627MA097AXL2A",
        "name": "内蒙古泰瑞物业管理有限责任公司",
        "legal_representative": "云慧怡",
        "registered_address": "内蒙古自治区鄂尔多斯市伊金霍洛旗纳林陶亥镇民族街55号",
        "area_code": "150627",
        "registered_capital": 300.0,
        "founded_on": date(2018, 6, 26),
        "status": EnterpriseStatus.ACTIVE,
        "credit_score": 88.0,
        "credit_grade": "AAA",
        "credit_evaluated_on": date(2026, 9, 30),
    }
    assert mapped.refs == {}
    assert mapped.content_hash == content_hash(ordos_wire.Enterprise.model_validate(ENTERPRISE))


def test_credit_record_translates_the_vocabulary_and_refers_by_uscc() -> None:
    """Category and level become hub enums; the enterprise is a USCC reference."""
    raw = contract_samples("ordos")[0][1]["data"]["records"][0]
    mapped = parse(ORDOS, "credit_records", raw)
    assert mapped.fields["category"] is CreditCategory.BAD
    assert mapped.fields["level"] is CreditLevel.COMMUNITY
    assert mapped.fields["valid_until"] == date(2027, 11, 15)
    assert mapped.refs == {"enterprise_id": EnterpriseRef("911506275636836504")}


def test_inspection_items_become_children_of_a_daily_inspection() -> None:
    """An inspection is a DAILY_INSPECTION assessment with its deductions as children."""
    mapped = parse(ORDOS, "inspections", INSPECTION)
    assert mapped.entity is Entity.INSPECTION
    assert mapped.fields == {
        "kind": AssessmentKind.DAILY_INSPECTION,
        "year": 2026,
        "half": None,
        "assessed_on": date(2026, 11, 24),
        "total": 3.0,
    }
    assert mapped.refs == {
        "enterprise_id": EnterpriseRef("91150627MA0G9RW08G"),
        "compound_id": CompoundRef("150627105", "紫金华府"),
    }
    assert [c["item_code"] for c in mapped.children] == ["D03", "D08"]
    assert mapped.children[1] == {
        "item_code": "D08",
        "item_name": "公共照明损坏未修复",
        "max_points": None,
        "points": 1.0,
        "note": None,
    }


def test_inspection_whose_total_is_not_its_items_sum_is_refused() -> None:
    """A total that disagrees with the items is a mapping problem, quarantined with a reason."""
    with pytest.raises(InvalidRecord) as caught:
        parse(ORDOS, "inspections", {**INSPECTION, "totalDeduction": 5.0})
    assert caught.value.reason.startswith("totalDeduction")
    assert caught.value.source_id == "INSP-000450"


def test_project_is_a_service_contract_of_a_compound() -> None:
    """A project maps to a service contract referring to enterprise and compound naturally."""
    raw = contract_samples("ordos")[3][1]["data"]["records"][0]
    mapped = parse(ORDOS, "projects", raw)
    assert mapped.entity is Entity.SERVICE_CONTRACT
    assert mapped.fields == {
        "starts_on": date(2019, 10, 2),
        "ends_on": date(2027, 1, 19),
        "selection": SelectionMethod.PRELIMINARY,
    }
    assert mapped.refs["compound_id"] == CompoundRef("150627100", "沙柳公馆")


def test_tender_records_refer_to_their_tender_by_code() -> None:
    """Bids refer to the tender by project code and to the bidder by USCC; tenders to a compound."""
    bid = parse(TENDER, "bids", BID)
    assert bid.fields == {
        "price": 1.16,
        "technical_score": 75.9,
        "submitted_on": date(2026, 11, 12),
    }
    assert bid.refs == {
        "tender_id": SourceRef(Entity.TENDER, "YJHLQ-WY-2026-029"),
        "enterprise_id": EnterpriseRef("91150627647722354C"),
    }
    tender = parse(TENDER, "tenders", contract_samples("tender")[1][1]["items"][0])
    assert tender.fields["code"] == "YJHLQ-WY-2026-030"
    assert tender.fields["status"] is TenderStatus.EVALUATING
    assert tender.fields["method"] is TenderMethod.OPEN
    assert tender.refs == {"compound_id": CompoundRef("150627100", "沙柳公馆")}


def test_utility_records_carry_the_company_kind() -> None:
    """Outages and tasks get the connector's utility kind and a compound reference."""
    outage = parse(HEAT, "outages", OUTAGE)
    assert outage.entity is Entity.OUTAGE
    assert outage.fields["utility_kind"] is UtilityKind.HEAT
    assert outage.fields["starts_at"] == datetime(2026, 11, 24, 21, 48, tzinfo=UTC)
    assert outage.fields["ends_at"] is None
    assert outage.refs == {"compound_id": CompoundRef("150627100", "翠苑小区A区")}
    task = parse(HEAT, "connection_tasks", contract_samples("utility")[1][1]["results"][1])
    assert task.fields["kind"] is ConnectionTaskKind.SERVICE_CONNECTION
    assert task.fields["status"] is ConnectionTaskStatus.DONE
    assert task.fields["completed_on"] == date(2024, 9, 20)


def test_completed_task_without_completion_day_is_refused() -> None:
    """A task said to be done but with no completion day is refused, naming the field."""
    raw = contract_samples("utility")[1][1]["results"][1]
    with pytest.raises(InvalidRecord, match=r"^completedOn"):
        HEAT.parse(spec(HEAT, "connection_tasks"), {**raw, "completedOn": None})


@pytest.mark.parametrize(
    ("platform", "stream", "entity"),
    [
        ("ordos", "projects", Entity.SERVICE_CONTRACT),
        ("tender", "awards", Entity.TENDER_AWARD),
        ("utility", "outages", Entity.OUTAGE),
    ],
)
def test_tombstones_map_to_deletions(platform: str, stream: str, entity: Entity) -> None:
    """``{"id", "deleted": true, "updatedAt"}`` becomes a Tombstone of the stream's entity."""
    raw = {"id": "X-1", "deleted": True, "updatedAt": "2026-11-24T08:00:00+08:00"}
    result = PLATFORMS[platform].parse(spec(PLATFORMS[platform], stream), raw)
    assert result == Tombstone(entity, "X-1", datetime(2026, 11, 24, 0, 0, tzinfo=UTC))


def test_unknown_field_is_accepted_and_leaves_the_content_hash_alone() -> None:
    """A field the upstream adds later is ignored by validation, so it stores nothing and keeps
    the hash (a re-sync does not rewrite every record because of it)."""
    plain = parse(TENDER, "bids", BID)
    extended = parse(TENDER, "bids", {**BID, "bidBond": {"amount": 5000}})
    assert extended.fields == plain.fields
    assert extended.content_hash == plain.content_hash
    changed = parse(TENDER, "bids", {**BID, "price": BID["price"] + 0.01})
    assert changed.content_hash != plain.content_hash


@pytest.mark.parametrize(
    ("platform", "stream", "raw", "field", "value"),
    [
        ("ordos", "enterprises", ENTERPRISE, "registeredCapital", "300.0"),
        ("ordos", "enterprises", ENTERPRISE, "foundedOn", 20180626),
        ("ordos", "enterprises", ENTERPRISE, "name", 42),
        ("ordos", "inspections", INSPECTION, "items", {"code": "D03"}),
        ("tender", "bids", BID, "price", "1.16"),
        ("tender", "bids", BID, "tenderId", None),
        ("utility", "outages", OUTAGE, "affectedHouseholds", 401.0),
        ("utility", "outages", OUTAGE, "startsAt", 1795580100),
    ],
)
def test_wrong_type_is_refused_naming_the_field(
    platform: str, stream: str, raw: dict[str, Any], field: str, value: Any
) -> None:
    """A known field of the wrong JSON type (even a coercible one) fails, naming the field."""
    with pytest.raises(InvalidRecord) as caught:
        PLATFORMS[platform].parse(spec(PLATFORMS[platform], stream), {**raw, field: value})
    assert caught.value.reason.startswith(field)
    assert caught.value.source_id == raw["id"]


def test_bad_uscc_is_refused_without_echoing_personal_data() -> None:
    """A USCC failing its check is refused; the reason names the field, not the person."""
    with pytest.raises(InvalidRecord) as caught:
        parse(ORDOS, "enterprises", {**ENTERPRISE, "uscc": "91150627MA097AXL2B"})
    assert caught.value.reason.startswith("uscc:")
    assert "云慧怡" not in caught.value.reason
    with pytest.raises(InvalidRecord, match=r"^bidderUscc"):
        parse(TENDER, "bids", {**BID, "bidderUscc": "91150627647722354"})


def test_unknown_vocabulary_is_refused() -> None:
    """A status the contract does not list is refused rather than guessed."""
    with pytest.raises(InvalidRecord, match=r"^status"):
        parse(ORDOS, "enterprises", {**ENTERPRISE, "status": "迁出"})


def test_cursor_is_aware_utc_and_a_naive_timestamp_is_refused() -> None:
    """``updatedAt`` with an offset becomes UTC; one without a time zone is refused."""
    mapped = parse(HEAT, "outages", {**OUTAGE, "updatedAt": "2026-11-25T07:31:16+08:00"})
    assert mapped.cursor == datetime(2026, 11, 24, 23, 31, 16, tzinfo=UTC)
    with pytest.raises(InvalidRecord, match=r"^updatedAt"):
        parse(HEAT, "outages", {**OUTAGE, "updatedAt": "2026-11-24T23:31:16"})


def test_streams_are_declared_in_dependency_order() -> None:
    """Each connector lists a stream only after the streams it depends on."""
    for connector in PLATFORMS.values():
        seen: set[str] = set()
        for stream in connector.streams:
            assert set(stream.depends_on) <= seen
            assert (stream.primary_key, stream.cursor_field) == ("id", "updatedAt")
            seen.add(stream.name)
    assert [s.name for s in TENDER.streams] == ["tenders", "bids", "candidates", "awards"]
    assert {s.paging.next_is_link for s in TENDER.streams} == {True, False}


def test_auth_matches_each_platform_and_keeps_secrets_out_of_reprs() -> None:
    """OAuth2 for Ordos, HMAC for tenders, an API key for utilities; no secret in any repr."""
    auths = [ORDOS.auth(), TENDER.auth(), HEAT.auth()]
    assert [type(a) for a in auths] == [OAuth2ClientCredentials, HmacSigning, ApiKeyAuth]
    assert auths[0].token_url == "https://ordos.test/oauth/token"
    for thing in [*auths, *PLATFORMS.values()]:
        assert "s3cret" not in repr(thing) and "k3y" not in repr(thing)


def test_utility_source_and_kind_come_from_the_unit_code() -> None:
    """``utility-gas`` is the GAS company with source ``utility:utility-gas``."""
    assert utility_kind_of("utility-gas") is UtilityKind.GAS
    gas = UtilityConnector(unit_code="utility-gas", base_url="https://gas.test", api_key="k")
    assert gas.source == "utility:utility-gas"
    with pytest.raises(ValueError, match="kind="):
        utility_kind_of("beijing-gas")
