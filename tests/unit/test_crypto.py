"""Sealing personal data (AES-GCM with key ids and associated data) and the blind index."""

from __future__ import annotations

import base64
import os
from datetime import date

import pytest

from hub.config import DEMO_PII_INDEX_KEY, DEMO_PII_KEY, Settings
from hub.domain.crypto import (
    DecryptionFailed,
    FieldRef,
    Keyring,
    UnknownKey,
    blind_index,
    decrypt,
    encrypt,
    key_id_of,
)
from hub.domain.enums import OwnerCreditCategory, OwnerCreditStatus
from hub.domain.owner_credit import OwnerCreditEntry, OwnerCreditGrade, owner_credit
from hub.services.parameters import pii_keyring

K1, K2, INDEX = os.urandom(32), os.urandom(32), os.urandom(32)
NAME = FieldRef("residents", "name", 7)
ID_NUMBER = "15062719800101123X"


def ring(active: str = "k1", index_key: bytes = INDEX) -> Keyring:
    return Keyring.create({"k1": K1, "k2": K2}, active=active, index_key=index_key)


def test_round_trip_keeps_the_value_and_names_the_key() -> None:
    """A sealed value opens to itself, carries the active key id, and differs each time."""
    keyring = ring()
    sealed = encrypt(keyring, "张三丰", NAME)
    assert sealed.startswith("v1:k1:") and "张三丰" not in sealed
    assert key_id_of(sealed) == "k1"
    assert decrypt(keyring, sealed, NAME) == "张三丰"
    assert encrypt(keyring, "张三丰", NAME) != sealed  # a fresh nonce every time


def test_old_keys_still_open_after_the_active_key_changes() -> None:
    """Rotation: values sealed under k1 open with a keyring whose active key is k2."""
    sealed = encrypt(ring("k1"), "13812345678", NAME)
    assert decrypt(ring("k2"), sealed, NAME) == "13812345678"


def test_unknown_key_id_is_refused_naming_record_and_key_not_value() -> None:
    """A value under a key the keyring lacks fails with the field, record and key id only."""
    sealed = encrypt(ring(), "张三丰", NAME)
    other = Keyring.create({"k9": os.urandom(32)}, active="k9", index_key=INDEX)
    with pytest.raises(UnknownKey) as caught:
        decrypt(other, sealed, NAME)
    message = str(caught.value)
    assert "residents.name of record 7" in message and "'k1'" in message
    assert "张三丰" not in message


def test_a_key_with_the_right_id_but_other_bytes_is_refused() -> None:
    """The wrong key under the same id does not open the value (no garbage comes out)."""
    sealed = encrypt(ring(), "张三丰", NAME)
    impostor = Keyring.create({"k1": os.urandom(32)}, active="k1", index_key=INDEX)
    with pytest.raises(DecryptionFailed):
        decrypt(impostor, sealed, NAME)


@pytest.mark.parametrize("position", [0, 5, 20, -1])
def test_tampered_ciphertext_is_refused(position: int) -> None:
    """Flipping any bit of nonce, ciphertext or tag fails authentication."""
    keyring = ring()
    sealed = encrypt(keyring, "张三丰", NAME)
    prefix, data = sealed.rsplit(":", 1)
    raw = bytearray(base64.b64decode(data))
    raw[position] ^= 0x01
    tampered = f"{prefix}:{base64.b64encode(bytes(raw)).decode()}"
    with pytest.raises(DecryptionFailed, match=r"residents\.name of record 7"):
        decrypt(keyring, tampered, NAME)


@pytest.mark.parametrize("token", ["", "张三丰", "v2:k1:AAAA", "v1:k1:not base64!", "v1:k1:AAAA"])
def test_malformed_values_are_refused(token: str) -> None:
    """Plain text, an unknown format, bad base64 and short data are refused, not passed on."""
    with pytest.raises(DecryptionFailed):
        decrypt(ring(), token, NAME)


@pytest.mark.parametrize(
    "elsewhere",
    [
        FieldRef("residents", "name", 8),  # another record
        FieldRef("residents", "phone", 7),  # another field of the record
        FieldRef("committee_members", "name", 7),  # another table
    ],
)
def test_a_value_moved_to_another_record_or_field_does_not_open(elsewhere: FieldRef) -> None:
    """The associated data binds a value to its table, field and record id."""
    keyring = ring()
    sealed = encrypt(keyring, "张三丰", NAME)
    with pytest.raises(DecryptionFailed):
        decrypt(keyring, sealed, elsewhere)


def test_blind_index_is_stable_keyed_and_canonical() -> None:
    """Same number, same index (whatever the key id or case of X); another index key, another."""
    index = blind_index(ring("k1"), ID_NUMBER)
    assert len(index) == 64 and int(index, 16) >= 0
    assert blind_index(ring("k2"), ID_NUMBER) == index  # independent of the encryption keys
    assert blind_index(ring(), " 15062719800101123x ") == index
    assert blind_index(ring(), "150627198001011234") != index
    assert blind_index(ring(index_key=os.urandom(32)), ID_NUMBER) != index
    assert ID_NUMBER not in index


def test_keyring_checks_its_keys_without_showing_them() -> None:
    """Wrong sizes, a missing active key or a shared index key are refused; repr hides keys."""
    with pytest.raises(ValueError, match="32 bytes"):
        Keyring.create({"k1": b"short"}, active="k1", index_key=INDEX)
    with pytest.raises(ValueError, match="active key id"):
        Keyring.create({"k1": K1}, active="k2", index_key=INDEX)
    with pytest.raises(ValueError, match="key id"):
        Keyring.create({"k:1": K1}, active="k:1", index_key=INDEX)
    with pytest.raises(ValueError, match="differ"):
        Keyring.create({"k1": K1}, active="k1", index_key=K1)
    assert K1.hex() not in repr(ring()) and "k1" in repr(ring())


def test_development_has_demo_keys_and_production_requires_real_ones() -> None:
    """No keys set: the demo keys in development; production refuses to start, naming the
    setting, and refuses the demo keys even when given explicitly."""
    assert pii_keyring(Settings()).active == "demo"
    production = {"env": "production", "database_url": "postgresql+asyncpg://x@y/z"}
    with pytest.raises(ValueError, match="HUB_PII_KEYS must be set"):
        Settings(**production)
    real = base64.b64encode(os.urandom(32)).decode()
    with pytest.raises(ValueError, match="HUB_PII_INDEX_KEY must be set"):
        Settings(**production, pii_keys={"p1": real})
    demo = base64.b64encode(DEMO_PII_KEY).decode()
    demo_index = base64.b64encode(DEMO_PII_INDEX_KEY).decode()
    with pytest.raises(ValueError, match="public demo keys"):
        Settings(**production, pii_keys={"p1": real}, pii_index_key=demo_index)
    with pytest.raises(ValueError, match="public demo keys"):
        Settings(**production, pii_keys={"demo": demo}, pii_index_key=real)
    index = base64.b64encode(os.urandom(32)).decode()
    settings = Settings(**production, pii_keys={"p1": real}, pii_index_key=index)
    assert pii_keyring(settings).active == "p1"


def test_bad_key_settings_are_refused_without_echoing_the_key() -> None:
    """A key that is not base64 or of the wrong size is named, its value never shown."""
    with pytest.raises(ValueError) as caught:
        Settings(pii_keys={"k1": "not-a-key!!"})
    assert "HUB_PII_KEYS['k1']" in str(caught.value) and "not-a-key" not in str(caught.value)
    two = {"a": base64.b64encode(K1).decode(), "b": base64.b64encode(K2).decode()}
    with pytest.raises(ValueError, match="HUB_PII_ACTIVE_KEY"):
        Settings(pii_keys=two)
    assert pii_keyring(Settings(pii_keys=two, pii_active_key="b")).active == "b"


def _entry(category: OwnerCreditCategory, status: OwnerCreditStatus, year: int) -> OwnerCreditEntry:
    return OwnerCreditEntry(category, status, date(year, 1, 1), date(year + 2, 1, 1))


def test_owner_credit_grade_counts_only_records_in_effect() -> None:
    """Objections, restorations and expired records do not count; bad records lower the grade."""
    on = date(2026, 6, 1)
    good = _entry(OwnerCreditCategory.COMMENDATION, OwnerCreditStatus.ACTIVE, 2025)
    bad = _entry(OwnerCreditCategory.UNPAID_FEES, OwnerCreditStatus.ACTIVE, 2025)
    expired = _entry(OwnerCreditCategory.UNPAID_FEES, OwnerCreditStatus.ACTIVE, 2020)
    objected = _entry(OwnerCreditCategory.UNPAID_FEES, OwnerCreditStatus.OBJECTION_PENDING, 2025)
    restored = _entry(OwnerCreditCategory.FIRE_LANE_BLOCKING, OwnerCreditStatus.RESTORED, 2025)
    assert owner_credit([], on=on).grade is OwnerCreditGrade.NORMAL
    assert owner_credit([expired, objected, restored], on=on).grade is OwnerCreditGrade.NORMAL
    assert owner_credit([good], on=on).grade is OwnerCreditGrade.GOOD
    assert owner_credit([good, bad], on=on).grade is OwnerCreditGrade.WARNING
    summary = owner_credit([bad, bad, good], on=on)
    assert (summary.grade, summary.good, summary.bad) == (OwnerCreditGrade.POOR, 1, 2)
