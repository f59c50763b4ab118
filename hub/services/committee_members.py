"""Members joining and leaving an owners' committee during its term (R9), managed by 住建局, a
town in its town and a community in its community (``MASTER_DATA``).

A member joins the committee's latest term, on a day within it; a member leaves on a day within
the term and not before joining, for one of the reasons of ``hub.domain.membership``. Only the
facts are recorded here: whether the committee still has the members R9 asks for is a finding's
business. Name and phone are sealed as every member's are (``hub.services.personal_data``).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import MasterKind, Principal
from hub.domain.crypto import Keyring
from hub.domain.enums import CommitteeMemberRole
from hub.domain.membership import LeaveReason, leave_reason_text
from hub.domain.pii import normalize_phone
from hub.domain.text import NAME_LENGTH, check_text
from hub.errors import InvalidValue
from hub.services.master_data import Changed, require_manage
from hub.services.personal_data import seal_row
from hub.services.scope import get_in_scope_or_raise
from hub.store.models import CommitteeMember, CommitteeTerm, OwnersCommittee

KIND = MasterKind.COMMITTEE_MEMBER


async def join_member(
    session: AsyncSession,
    *,
    principal: Principal,
    keyring: Keyring,
    committee_id: int,
    name: str,
    phone: str | None,
    role: CommitteeMemberRole,
    joined_on: date,
) -> Changed[CommitteeMember]:
    """A member joining the committee's latest term on ``joined_on`` (within the term)."""
    require_manage(principal, KIND)
    check_text("name", name, max_length=NAME_LENGTH)
    if not name.strip():
        raise InvalidValue("name", "give the member's name")
    stored_phone = normalize_phone(phone, field="phone")
    committee = await get_in_scope_or_raise(
        session,
        model=OwnersCommittee,
        record_id=committee_id,
        principal=principal,
        field="committeeId",
        lock=True,
    )
    term = await session.scalar(
        sa.select(CommitteeTerm)
        .where(CommitteeTerm.committee_id == committee.id)
        .order_by(CommitteeTerm.term_no.desc())
        .limit(1)
    )
    if term is None:
        raise InvalidValue("committeeId", "the committee has no term yet: record its election")
    if not term.starts_on <= joined_on <= term.ends_on:
        raise InvalidValue(
            "joinedOn",
            f"a member joins during the current term ({term.starts_on:%Y-%m-%d} to "
            f"{term.ends_on:%Y-%m-%d})",
        )
    member = CommitteeMember(term_id=term.id, name_encrypted="", role=role, joined_on=joined_on)
    session.add(member)
    await session.flush()  # the id binds the sealed values to the row
    sealed = seal_row(
        keyring,
        "committee_members",
        {"id": member.id, "name": name.strip(), "phone": stored_phone},
    )
    member.name_encrypted = sealed["name_encrypted"]
    member.phone_encrypted = sealed["phone_encrypted"]
    await session.flush()
    changed = Changed(member, created=True)
    changed.note("term_no", None, term.term_no)
    changed.note("name", None, name.strip(), personal=True)
    changed.note("phone", None, stored_phone, personal=True)
    changed.note("role", None, role)
    changed.note("joined_on", None, joined_on)
    return changed


async def leave_member(
    session: AsyncSession,
    *,
    principal: Principal,
    member_id: int,
    left_on: date,
    reason: LeaveReason,
    reason_text: str | None,
) -> Changed[CommitteeMember]:
    """A member leaving the committee on ``left_on`` for ``reason`` (OTHER with its text)."""
    require_manage(principal, KIND)
    text = leave_reason_text(reason, reason_text)
    member = await get_in_scope_or_raise(
        session,
        model=CommitteeMember,
        record_id=member_id,
        principal=principal,
        field="memberId",
        lock=True,
    )
    if member.left_on is not None:
        raise InvalidValue("memberId", f"the member left on {member.left_on:%Y-%m-%d} already")
    term = await session.get(CommitteeTerm, member.term_id)
    assert term is not None  # a member's term is in scope when the member is
    if left_on < member.joined_on:
        raise InvalidValue("leftOn", f"a member leaves after joining ({member.joined_on:%Y-%m-%d})")
    if left_on > term.ends_on:
        raise InvalidValue("leftOn", f"the term ended on {term.ends_on:%Y-%m-%d}")
    member.left_on, member.left_reason_kind, member.left_reason = left_on, reason, text
    await session.flush()
    changed = Changed(member)
    changed.note("left_on", None, left_on)
    changed.note("left_reason_kind", None, reason)
    return changed
