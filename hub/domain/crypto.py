"""Encryption of personal data at rest, and the blind index of resident ID numbers (PIPL).

Pure functions over keys handed in (no settings, no database); ``hub.services.personal_data``
wires them to the settings and the store.

- A value is sealed with AES-256-GCM into the text ``v1:<key id>:<base64(nonce ‖ ciphertext)>``.
  The key id travels with the value, so that old keys keep opening old values while a rotation
  (``hub keys rotate``) re-seals them with the active key.
- The associated data is the field's place, ``<table>.<field>#<record id>``: a value copied into
  another row or another column does not open there (``DecryptionFailed``), so ciphertexts cannot
  be swapped between records or fields.
- Look-ups by ID number go through a keyed blind index, HMAC-SHA256 under a key of its own: equal
  numbers give equal indexes, and without the key the index says nothing about the number.

Errors name the field, the record and the key id, never the value.

    PersonalDataError      a bug or a key problem, not a HubError: a client sees "Internal
    │                      error", the log gets the message (record and key id)
    ├── UnknownKey         the value was sealed with a key id the keyring lacks
    └── DecryptionFailed   malformed, tampered with, or moved to another record or field
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = "v1"
"""Version of the sealed text; a new scheme gets a new prefix."""
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # GCM's standard nonce; random per value (2^32 values per key stay far inside)
MIN_INDEX_KEY_BYTES = 32
KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,16}$")
"""Key ids are short and free of ``:`` so that they fit in the sealed text's prefix."""


class PersonalDataError(Exception):
    """Personal data could not be opened; a bug or a key problem, never the client's fault."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownKey(PersonalDataError):
    """The value was sealed with a key that is not configured (any more)."""


class DecryptionFailed(PersonalDataError):
    """The sealed text is malformed, was tampered with, or belongs to another record or field."""


@dataclass(frozen=True, slots=True)
class FieldRef:
    """Where a value lives: table, field and record id; its text is the associated data."""

    table: str
    field: str
    record_id: int

    @property
    def aad(self) -> bytes:
        return f"{self.table}.{self.field}#{self.record_id}".encode()

    def __str__(self) -> str:
        return f"{self.table}.{self.field} of record {self.record_id}"


@dataclass(frozen=True, slots=True)
class Keyring:
    """The encryption keys by id, the id of the active one, and the blind-index key.

    Build it with ``Keyring.create``, which checks the keys. ``repr`` shows the key ids only.
    """

    active: str
    _ciphers: Mapping[str, AESGCM] = field(repr=False)
    _index_key: bytes = field(repr=False)

    @classmethod
    def create(cls, keys: Mapping[str, bytes], *, active: str, index_key: bytes) -> Keyring:
        """A keyring, or ``ValueError`` saying which key is wrong (never showing a key)."""
        if not keys:
            raise ValueError("no encryption key is given")
        for key_id, key in keys.items():
            if not KEY_ID.match(key_id):
                raise ValueError(
                    f"key id {key_id!r}: 1–16 characters of letters, digits, '_', '.' or '-'"
                )
            if len(key) != KEY_BYTES:
                raise ValueError(f"key {key_id!r}: must be {KEY_BYTES} bytes, got {len(key)}")
        if active not in keys:
            raise ValueError(f"the active key id {active!r} is not among the keys {sorted(keys)}")
        if len(index_key) < MIN_INDEX_KEY_BYTES:
            raise ValueError(f"the blind-index key must have at least {MIN_INDEX_KEY_BYTES} bytes")
        if any(hmac.compare_digest(index_key, key) for key in keys.values()):
            raise ValueError("the blind-index key must differ from the encryption keys")
        ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        return cls(active=active, _ciphers=ciphers, _index_key=index_key)

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._ciphers)

    def cipher(self, key_id: str) -> AESGCM | None:
        return self._ciphers.get(key_id)

    @property
    def index_key(self) -> bytes:
        return self._index_key


def encrypt(
    keyring: Keyring,
    value: str,
    ref: FieldRef,
    *,
    nonce: Callable[[int], bytes] = os.urandom,
) -> str:
    """``value`` sealed with the active key for the place ``ref``."""
    cipher = keyring.cipher(keyring.active)
    assert cipher is not None  # Keyring.create checked it
    iv = nonce(NONCE_BYTES)
    sealed = cipher.encrypt(iv, value.encode(), ref.aad)
    return f"{FORMAT}:{keyring.active}:{base64.b64encode(iv + sealed).decode('ascii')}"


def key_id_of(token: str) -> str | None:
    """The key id of a sealed text, or None when it is not one."""
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != FORMAT:
        return None
    return parts[1]


def decrypt(keyring: Keyring, token: str, ref: FieldRef) -> str:
    """The value sealed in ``token`` for the place ``ref``.

    ``UnknownKey`` or ``DecryptionFailed`` otherwise; their messages name ``ref`` and the key id.
    """
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != FORMAT:
        raise DecryptionFailed(f"{ref}: not a sealed value ({FORMAT}:<key id>:<data>)")
    _, key_id, data = parts
    cipher = keyring.cipher(key_id)
    if cipher is None:
        raise UnknownKey(f"{ref}: sealed with key id {key_id!r}, which is not configured")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionFailed(f"{ref}: the data under key id {key_id!r} is not base64") from None
    if len(raw) < NONCE_BYTES + 16:
        raise DecryptionFailed(f"{ref}: the data under key id {key_id!r} is too short")
    try:
        plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], ref.aad)
    except InvalidTag:
        # From the cause we learn nothing worth keeping (InvalidTag has no message): drop it.
        raise DecryptionFailed(
            f"{ref}: key id {key_id!r} does not open it (tampered with, or from another record "
            "or field)"
        ) from None
    return plain.decode()


def blind_index(keyring: Keyring, id_number: str) -> str:
    """The blind index of a resident ID number: 64 hex digits of HMAC-SHA256.

    The number is trimmed and upper-cased first (a final ``x`` is an ``X``), as
    ``hub.domain.identifiers.validate_resident_id`` does, so that the same number always gives
    the same index.
    """
    message = b"resident-id-number:" + id_number.strip().upper().encode()
    return hmac.new(keyring.index_key, message, hashlib.sha256).hexdigest()
