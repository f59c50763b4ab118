"""Who may do what: the role table of the joint conference (MISSION.md R1–R3, R12).

This is the one place where roles get their permissions and their scope. Every check of the hub
derives from it: the GraphQL layer asks ``Grant.may`` before a root field or mutation runs, and the
services filter what they read by the grant's ``scope`` (jurisdiction is enforced where the data
is read, not by hiding fields afterwards).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from hub.domain.enums import UnitRole


class Role(enum.StrEnum):
    """A member unit's role, or the anonymous public."""

    COMPETENT_DEPARTMENT = UnitRole.COMPETENT_DEPARTMENT.value  # 住建局
    TOWN = UnitRole.TOWN.value  # 镇人民政府, 水岸新城推进办
    COMMUNITY = UnitRole.COMMUNITY.value  # 社区
    DEPARTMENT = UnitRole.DEPARTMENT.value  # 城管局, 消防大队 …
    PARTY_PUBLICITY = UnitRole.PARTY_PUBLICITY.value  # 组织部, 宣传部
    INSPECTION_OFFICE = UnitRole.INSPECTION_OFFICE.value  # 督查室
    UTILITY = UnitRole.UTILITY.value  # 水、电、气、热、通讯
    PUBLIC = "public"  # anyone without a credential


class Permission(enum.StrEnum):
    """What a role may do. Read permissions name the part of the data they open."""

    READ_ENTERPRISES = "read:enterprises"  # registration, credit grade list (public)
    READ_ENTERPRISE_DETAIL = "read:enterprise-detail"  # contracts, bids, assessments of a profile
    READ_COMPOUNDS = "read:compounds"  # compounds, contracts, utility data
    READ_COMMITTEES = "read:committees"  # owners' committees and their terms
    READ_FUND = "read:fund"  # special maintenance fund applications, votes, disbursements (R5)
    READ_OWNER_CREDIT = "read:owner-credit"  # the owner credit records a town or community keeps
    READ_TENDERS = "read:tenders"
    READ_STATISTICS = "read:statistics"  # aggregated figures
    READ_SYNC = "read:sync"  # sync status, runs, quarantine, reconciliation
    READ_AUDIT = "read:audit"  # the audit log
    PII = "pii"  # unmasked personal data (each read is audited)
    OWNER_CREDIT_CHECK = "owner-credit:check"  # the public self-check of an owner's credit
    WRITE_ENTERPRISES = "write:enterprises"  # enterprises' local data, assessments, rankings
    WRITE_LOCAL = "write:local"  # committees, owner credit, repairs, fund, daily inspections
    ASSESS_COMMITTEES = "assess:committees"
    OPERATE_SYNC = "operate:sync"  # trigger syncs, resolve the reconciliation queue
    READ_LEDGER = "read:ledger"  # ledger items (台账), their history and statistics
    WORK_LEDGER = "work:ledger"  # report, work, verify and escalate ledger items
    READ_FINDINGS = "read:findings"  # compliance findings (督办事项)
    READ_RANKINGS = "read:rankings"  # published annual rankings and their sanctions (R8)
    ACCEPT_REPAIRS = "accept:repairs"  # accept a post-warranty repair for one's own party (R4)
    WRITE_MASTER_DATA = "write:master-data"  # places, residents, member units (see MASTER_DATA)


class Scope(enum.StrEnum):
    """How far a role's reads and writes reach."""

    BANNER = "banner"  # the whole banner
    TOWN = "town"  # the unit's town (or the 水岸新城 office's area)
    COMMUNITY = "community"  # the unit's community
    UNIT = "unit"  # the unit's own records only (a utility's tasks and outages)


@dataclass(frozen=True, slots=True)
class Grant:
    """A role's permissions and scope."""

    role: Role
    permissions: frozenset[Permission]
    scope: Scope
    description: str

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions


_P = Permission
_PUBLIC_READS = frozenset({_P.READ_ENTERPRISES, _P.OWNER_CREDIT_CHECK, _P.READ_RANKINGS})
_LEDGER = frozenset({_P.READ_LEDGER, _P.WORK_LEDGER, _P.READ_FINDINGS})
_DIRECTORY = frozenset(
    {
        _P.READ_ENTERPRISES,
        _P.READ_ENTERPRISE_DETAIL,
        _P.READ_COMPOUNDS,
        _P.READ_COMMITTEES,
        _P.READ_FUND,
        _P.READ_TENDERS,
        _P.READ_STATISTICS,
    }
)

ROLE_TABLE: dict[Role, Grant] = {
    grant.role: grant
    for grant in (
        Grant(
            Role.COMPETENT_DEPARTMENT,
            _PUBLIC_READS
            | _DIRECTORY
            | _LEDGER
            | {
                _P.READ_SYNC,
                _P.WRITE_ENTERPRISES,
                _P.OPERATE_SYNC,
                _P.ACCEPT_REPAIRS,
                _P.WRITE_MASTER_DATA,
            },
            Scope.BANNER,
            "住建局: reads everything; writes enterprises' local data, assessments and rankings, "
            "and every kind of master data; operates the sync. Personal data masked.",
        ),
        Grant(
            Role.TOWN,
            _PUBLIC_READS
            | _DIRECTORY
            | _LEDGER
            | {
                _P.PII,
                _P.WRITE_LOCAL,
                _P.ACCEPT_REPAIRS,
                _P.READ_OWNER_CREDIT,
                _P.WRITE_MASTER_DATA,
            },
            Scope.TOWN,
            "Town government or 水岸新城推进办: reads and writes within its town, personal data "
            "included (audited); manages its communities and what lies in them.",
        ),
        Grant(
            Role.COMMUNITY,
            _PUBLIC_READS
            | _DIRECTORY
            | _LEDGER
            | {
                _P.PII,
                _P.WRITE_LOCAL,
                _P.ASSESS_COMMITTEES,
                _P.READ_OWNER_CREDIT,
                _P.ACCEPT_REPAIRS,
                _P.WRITE_MASTER_DATA,
            },
            Scope.COMMUNITY,
            "Community: reads and writes within its community, personal data included "
            "(audited); assesses committees; manages its compounds, residents and committee "
            "members.",
        ),
        Grant(
            Role.DEPARTMENT,
            _PUBLIC_READS | _LEDGER | {_P.READ_COMPOUNDS},
            Scope.BANNER,
            "城管局, 消防大队 …: reads compounds; reads and works the ledger items routed to it "
            "and sees the findings it is responsible for; no personal data.",
        ),
        Grant(
            Role.PARTY_PUBLICITY,
            _PUBLIC_READS | {_P.READ_STATISTICS},
            Scope.BANNER,
            "组织部, 宣传部: aggregated statistics only.",
        ),
        Grant(
            Role.INSPECTION_OFFICE,
            _PUBLIC_READS
            | _DIRECTORY
            | {_P.READ_SYNC, _P.READ_AUDIT, _P.READ_LEDGER, _P.READ_FINDINGS},
            Scope.BANNER,
            "督查室: reads everything, the audit log included; no writes. Personal data masked.",
        ),
        Grant(
            Role.UTILITY,
            _PUBLIC_READS | {_P.READ_COMPOUNDS},
            Scope.UNIT,
            "Utility company: compounds with its own connection tasks and outages.",
        ),
        Grant(
            Role.PUBLIC,
            _PUBLIC_READS,
            Scope.BANNER,
            "Anyone: the enterprise credit-grade list, published rankings, the owner-credit "
            "self-check.",
        ),
    )
}
"""Every role's grant. Change access here, nowhere else."""


class MasterKind(enum.StrEnum):
    """A kind of master data (基础数据) that member units create, update and retire."""

    MEMBER_UNIT = "member-unit"
    COMMUNITY = "community"
    COMPOUND = "compound"
    RESIDENT = "resident"
    COMMITTEE_MEMBER = "committee-member"


MASTER_DATA: dict[MasterKind, frozenset[Role]] = {
    MasterKind.MEMBER_UNIT: frozenset({Role.COMPETENT_DEPARTMENT}),
    MasterKind.COMMUNITY: frozenset({Role.COMPETENT_DEPARTMENT, Role.TOWN}),
    MasterKind.COMPOUND: frozenset({Role.COMPETENT_DEPARTMENT, Role.TOWN, Role.COMMUNITY}),
    MasterKind.RESIDENT: frozenset({Role.COMPETENT_DEPARTMENT, Role.TOWN, Role.COMMUNITY}),
    MasterKind.COMMITTEE_MEMBER: frozenset({Role.COMPETENT_DEPARTMENT, Role.TOWN, Role.COMMUNITY}),
}
"""Who manages each kind of master data (with ``Permission.WRITE_MASTER_DATA``), always within
the role's scope: 住建局 everything, a town its communities and what lies in them, a community
its compounds, residents and committee members. The member units themselves only 住建局."""


def may_manage(role: Role, kind: MasterKind) -> bool:
    """Whether the role may create, update and retire master data of this kind (its scope
    still decides which records)."""
    return ROLE_TABLE[role].may(Permission.WRITE_MASTER_DATA) and role in MASTER_DATA[kind]


def grant_of(role: Role) -> Grant:
    return ROLE_TABLE[role]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a member unit's API client or signed-in staff, or the anonymous public.

    ``town_id`` and ``community_id`` are the unit's jurisdiction (a community unit has both; a
    town unit only the town); ``client`` names the credential (an API key's prefix or a token's
    subject) for the audit log and per-client limits. Never personal data.
    """

    role: Role = Role.PUBLIC
    unit_code: str | None = None
    unit_id: int | None = None
    town_id: int | None = None
    community_id: int | None = None
    client: str | None = None

    @property
    def grant(self) -> Grant:
        return ROLE_TABLE[self.role]

    @property
    def scope(self) -> Scope:
        return self.grant.scope

    @property
    def authenticated(self) -> bool:
        return self.unit_code is not None

    def may(self, permission: Permission) -> bool:
        return self.grant.may(permission)


PUBLIC = Principal()
"""The anonymous caller."""
