"""``content_hash``: the hash stored with every synced row, taken from the validated record.

A re-sync writes a record only when its hash changed, so the hash must change whenever anything
stored from the record changes, and should not when nothing stored does.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from connectors.core import content_hash
from connectors.ordos import wire

CREDIT_RECORD: dict[str, Any] = {
    "id": "CR-1",
    "enterpriseUscc": "911506275636836504",
    "category": "不良信息",
    "title": "企业基本信息",
    "points": 80.0,
    "level": "社区级",
    "recordedOn": "2026-11-15",
    "validFrom": "2026-11-15",
    "validUntil": None,
    "updatedAt": "2026-11-15T08:00:00.250Z",
}
INSPECTION: dict[str, Any] = {
    "id": "INSP-1",
    "enterpriseUscc": "91150627MA0G9RW08G",
    "compound": {"townCode": "150627105", "name": "紫金华府"},
    "inspectedOn": "2026-11-24",
    "inspector": None,
    "totalDeduction": 3.0,
    "items": [{"code": "D03", "name": "绿化养护不到位", "deduction": 3.0, "note": None}],
    "updatedAt": "2026-11-24T23:09:52.597Z",
}
CHANGES = {
    "id": "CR-2",
    "enterpriseUscc": "91150627MA097AXL2A",
    "category": "良好信息",
    "title": "企业基本信息 ",
    "points": 80.5,
    "level": "市级",
    "recordedOn": "2026-11-16",
    "validFrom": "2026-11-16",
    "validUntil": "2027-11-16",
    "updatedAt": "2026-11-15T08:00:00.251Z",
}


def credit(raw: dict[str, Any]) -> wire.CreditRecord:
    return wire.CreditRecord.model_validate(raw)


def test_content_hash_is_the_sha256_of_the_models_json() -> None:
    """The definition, written down: SHA-256 of the wire model's compact JSON, fields in the
    model's order (a change of the definition shows here)."""
    text = (
        '{"id":"CR-1","updatedAt":"2026-11-15T08:00:00.250000Z",'
        '"enterpriseUscc":"911506275636836504","category":"不良信息","title":"企业基本信息",'
        '"points":80.0,"level":"社区级","recordedOn":"2026-11-15","validFrom":"2026-11-15",'
        '"validUntil":null}'
    )
    assert content_hash(credit(CREDIT_RECORD)) == hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_a_change_of_any_known_field_changes_the_hash(field: str) -> None:
    """Every field the hub reads, the cursor included, is part of the hash."""
    changed = {**CREDIT_RECORD, field: CHANGES[field]}
    assert content_hash(credit(changed)) != content_hash(credit(CREDIT_RECORD))


def test_a_change_inside_a_nested_record_changes_the_hash() -> None:
    """A compound's name or an inspection item's deduction is content too."""
    inspection = wire.Inspection.model_validate(INSPECTION)
    renamed = {**INSPECTION, "compound": {**INSPECTION["compound"], "name": "紫金华府二期"}}
    items = [{**INSPECTION["items"][0], "note": "已整改"}]
    for other in ({**INSPECTION, "items": items}, renamed):
        assert content_hash(wire.Inspection.model_validate(other)) != content_hash(inspection)


def test_a_field_the_hub_ignores_and_the_order_of_keys_leave_the_hash_alone() -> None:
    """An upstream field the hub does not know, or keys in another order, store the same row,
    so they keep the hash."""
    same = {"extraField": "sandbox", **dict(reversed(CREDIT_RECORD.items()))}
    assert content_hash(credit(same)) == content_hash(credit(CREDIT_RECORD))
