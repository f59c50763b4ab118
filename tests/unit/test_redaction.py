"""Personal data and credentials in free text (``hub.domain.redaction``), and what the audit log
keeps of free text (``hub.services.audit.clean_detail``): issue #12, §2."""

from __future__ import annotations

import pytest

from hub.domain.redaction import clean_text, redact
from hub.services.audit import MAX_DETAIL_ITEMS, MAX_DETAIL_TEXT, clean_detail
from hub.services.identity import prefix_of

KEY = "hub_0123456789ab_S3cret-S3cret_S3cretS3cret"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"refused {KEY}.", "refused hub_0123456789ab_[secret]."),
        (f"Authorization: Bearer {KEY}", "Authorization: Bearer hub_0123456789ab_[secret]"),
        ("Bearer some-opaque-token", "Bearer [credential]"),
        ("authorization=bearer%20abcdef&x=1", "authorization=bearer%20[credential]&x=1"),
        ("Basic dXNlcjpwYXNzd29yZA==", "Basic [credential]"),
        ("token eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "token [credential]"),
        ("id 150627197511023181, 15062719751102318X", "id [ID number], [ID number]"),
        ("身份证号150627197511023181的", "身份证号[ID number]的"),
        ("query _150627197511023181", "query _[ID number]"),
        ("tel 13930856648 / +86 139-3085-6648 / 139 3085 6648", "tel [phone] / [phone] / [phone]"),
        ("+8613930856648 or 0477-8512345", "[phone] or [phone]"),
        ("call 139-3085-6648", "call [phone]"),
    ],
)
def test_credentials_and_numbers_of_people_are_masked(text: str, expected: str) -> None:
    """Keys keep their public prefix; other credentials, ID numbers and phones are masked."""
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-25T04:00:00.123456Z",
        "request a13912345678b0c3d4e5f60718293a4b",
        "value 99999999999999999999 is out of range",
        "epoch 1764043200000",
        "basic checks passed",
        "hub_structured handler",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    """Timestamps, hex ids, long numbers and ordinary words are not mistaken for secrets."""
    assert redact(text) == text


def test_clean_text_replaces_control_characters_masks_and_cuts() -> None:
    """Control, format and line-separator characters become spaces; the result is masked and at
    most the limit long, however long the input."""
    cleaned = clean_text(
        "ordos\x00150627197511023181\n\r\t\u202e\u2028" + "x" * 1_000_000, limit=40
    )
    assert cleaned.startswith("ordos [ID number]") and cleaned.endswith("…")
    assert len(cleaned) == 40 and cleaned.isprintable()
    assert clean_text("utility:water") == "utility:water"


def test_audit_detail_is_bounded_and_cleaned() -> None:
    """The detail of an audit entry keeps JSON values only: texts cleaned and cut, containers
    bounded in length and depth."""
    detail = clean_detail(
        {
            "source": "13930856648\n" + "y" * 500,
            "full": True,
            "year": 2026,
            "many": list(range(100)),
            "deep": {"a": {"b": {"c": "d"}}},
            "other": object(),
        }
    )
    assert detail["source"].startswith("[phone] ") and len(detail["source"]) == MAX_DETAIL_TEXT
    assert detail["full"] is True and detail["year"] == 2026
    assert detail["many"] == list(range(MAX_DETAIL_ITEMS))
    assert detail["deep"] == {"a": {"b": "[nested]"}}
    assert isinstance(detail["other"], str)


def test_the_prefix_of_a_key_is_what_may_be_shown() -> None:
    """A whole key gives its prefix; a prefix, itself."""
    assert prefix_of(KEY) == "0123456789ab"
    assert prefix_of(" 0123456789ab ") == "0123456789ab"
