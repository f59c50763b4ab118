"""Key rotation (`hub keys rotate`): every value re-sealed with the active key, idempotently."""

from __future__ import annotations

import base64
import os

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.config import DEMO_PII_KEY, Settings
from hub.services import personal_data
from hub.services.parameters import pii_keyring
from hub.store.models import CommitteeMember, Resident


async def rotate_all(session: AsyncSession, settings: Settings, table: str) -> tuple[int, int]:
    keyring = pii_keyring(settings)
    after, rows, batches = 0, 0, 0
    while True:
        batch = await personal_data.rotate_batch(
            session, keyring=keyring, table=table, after_id=after, limit=1_000
        )
        if batch.last_id is None:
            return rows, batches
        after, rows, batches = batch.last_id, rows + batch.rows, batches + 1


async def test_rotation_reseals_everything_once_and_keeps_blind_indexes(
    session: AsyncSession,
) -> None:
    """With a new active key, every resident and member value is re-sealed under it and still
    opens to the same data; blind indexes stay; a second run has nothing to do."""
    new_key = base64.b64encode(os.urandom(32)).decode()
    rotated = Settings(
        pii_keys={"demo": base64.b64encode(DEMO_PII_KEY).decode(), "k2": new_key},
        pii_active_key="k2",
    )
    old_keyring, keyring = pii_keyring(Settings()), pii_keyring(rotated)
    before = {
        r.id: (personal_data.open_resident(old_keyring, r), r.id_number_index)
        for r in (await session.scalars(sa.select(Resident))).all()
    }
    total = len(before)
    assert await personal_data.count_to_rotate(session, keyring=keyring, table="residents") == total

    rows, batches = await rotate_all(session, rotated, "residents")
    assert rows == total and batches == -(-total // 1_000)
    members, _ = await rotate_all(session, rotated, "committee_members")
    assert members > 0
    session.expire_all()

    for resident in (await session.scalars(sa.select(Resident))).all():
        assert resident.name_encrypted.startswith("v1:k2:")
        assert resident.id_number_encrypted.startswith("v1:k2:")
        data, index = before[resident.id]
        assert personal_data.open_resident(keyring, resident) == data
        assert resident.id_number_index == index
    for member in (await session.scalars(sa.select(CommitteeMember).limit(200))).all():
        assert member.name_encrypted.startswith("v1:k2:")
        personal_data.open_member(keyring, member)

    for table in personal_data.SEALED_FIELDS:
        assert await personal_data.count_to_rotate(session, keyring=keyring, table=table) == 0
        assert await rotate_all(session, rotated, table) == (0, 0)
