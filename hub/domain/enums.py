"""The vocabulary of the plan as enums, shared by the store, the services and the GraphQL schema.

Values are stable strings: they are stored in the database and sent to clients.
"""

from __future__ import annotations

import enum

from hub.domain.credit import CreditCategory

__all__ = [
    "AssessmentKind",
    "CommitteeMemberRole",
    "CommitteeStatus",
    "ConnectionTaskKind",
    "ConnectionTaskStatus",
    "CreditCategory",
    "CreditLevel",
    "EnterpriseStatus",
    "JurisdictionLevel",
    "OwnerCreditCategory",
    "OwnerCreditStatus",
    "ReconciliationStatus",
    "ResidentKind",
    "SelectionMethod",
    "SyncRunStatus",
    "TenderMethod",
    "TenderStatus",
    "TownKind",
    "UnitRole",
    "UtilityKind",
]


class JurisdictionLevel(enum.StrEnum):
    """The three levels of R2: banner → town (or town-level office) → community."""

    BANNER = "BANNER"  # 旗
    TOWN = "TOWN"  # 镇 / 水岸新城推进办
    COMMUNITY = "COMMUNITY"  # 社区


class TownKind(enum.StrEnum):
    """What kind of town-level jurisdiction a TOWN is."""

    TOWN = "TOWN"  # 镇
    OFFICE = "OFFICE"  # 水岸新城推进办 (a town-level office)


class UnitRole(enum.StrEnum):
    """The role of a member unit in the joint conference (R1); access rules build on it."""

    COMPETENT_DEPARTMENT = "competent_department"  # 住建局
    TOWN = "town"  # 镇人民政府, 水岸新城推进办
    COMMUNITY = "community"  # 社区
    DEPARTMENT = "department"  # 城管局, 消防大队 …
    PARTY_PUBLICITY = "party_publicity"  # 组织部, 宣传部
    INSPECTION_OFFICE = "inspection_office"  # 督查室
    UTILITY = "utility"  # 水、电、气、热、通讯


class UtilityKind(enum.StrEnum):
    """Kinds of utility company (R1)."""

    WATER = "WATER"
    POWER = "POWER"
    GAS = "GAS"
    HEAT = "HEAT"
    TELECOM = "TELECOM"


class EnterpriseStatus(enum.StrEnum):
    """Registration status of an enterprise."""

    ACTIVE = "ACTIVE"  # 存续
    SUSPENDED = "SUSPENDED"  # 停业
    REVOKED = "REVOKED"  # 吊销
    DEREGISTERED = "DEREGISTERED"  # 注销


class SelectionMethod(enum.StrEnum):
    """How an enterprise came to serve a compound (R6)."""

    PRELIMINARY = "PRELIMINARY"  # 前期物业: chosen by the developer
    COMMITTEE_RESELECTION = "COMMITTEE_RESELECTION"  # 业主委员会重新选聘


class TenderMethod(enum.StrEnum):
    """Open or invited tender."""

    OPEN = "OPEN"  # 公开招标
    INVITED = "INVITED"  # 邀请招标 (≥ 3 invitees)


class TenderStatus(enum.StrEnum):
    """Stages of a tender on the tender platform."""

    ANNOUNCED = "ANNOUNCED"  # 招标公告
    EVALUATING = "EVALUATING"  # 评标
    PUBLICIZED = "PUBLICIZED"  # 中标候选人公示
    AWARDED = "AWARDED"  # 中标通知
    FILED = "FILED"  # 备案
    CANCELLED = "CANCELLED"  # 终止


class CreditLevel(enum.StrEnum):
    """Which level contributed an enterprise credit record."""

    CITY = "CITY"  # 鄂尔多斯市 (the Ordos platform)
    BANNER = "BANNER"
    TOWN = "TOWN"
    COMMUNITY = "COMMUNITY"


class CommitteeStatus(enum.StrEnum):
    """State of an owners' committee."""

    ACTIVE = "ACTIVE"
    TERM_EXPIRED = "TERM_EXPIRED"
    DISSOLVED = "DISSOLVED"


class CommitteeMemberRole(enum.StrEnum):
    """Office of a member in an owners' committee."""

    CHAIR = "CHAIR"  # 主任
    VICE_CHAIR = "VICE_CHAIR"  # 副主任
    MEMBER = "MEMBER"  # 委员


class ResidentKind(enum.StrEnum):
    """Owner or occupant (业主 / 使用人)."""

    OWNER = "OWNER"
    OCCUPANT = "OCCUPANT"


class OwnerCreditCategory(enum.StrEnum):
    """Categories of an owner's residential credit record (R11)."""

    UNPAID_FEES = "UNPAID_FEES"  # 拖欠物业费 (after a ruling)
    COVENANT_BREACH = "COVENANT_BREACH"  # 违反管理规约
    ILLEGAL_CONSTRUCTION = "ILLEGAL_CONSTRUCTION"  # 违章搭建
    FIRE_LANE_BLOCKING = "FIRE_LANE_BLOCKING"  # 占用消防通道
    THROWING_FROM_HEIGHT = "THROWING_FROM_HEIGHT"  # 高空抛物
    COMMENDATION = "COMMENDATION"  # 表彰 (a good record)


class OwnerCreditStatus(enum.StrEnum):
    """Life of an owner credit record: an objection or a restoration ends its effect."""

    ACTIVE = "ACTIVE"
    OBJECTION_PENDING = "OBJECTION_PENDING"  # 异议处理中
    RESTORED = "RESTORED"  # 信用修复: ended early by a restoration
    REVOKED = "REVOKED"  # 撤销: an objection against it was upheld


class AssessmentKind(enum.StrEnum):
    """Daily inspection or semi-annual assessment (R8)."""

    DAILY_INSPECTION = "DAILY_INSPECTION"  # 日常巡查: deductions by item
    SEMI_ANNUAL = "SEMI_ANNUAL"  # 半年考核: a 100-point form


class ConnectionTaskKind(enum.StrEnum):
    """What a utility company connects in a compound (管网入户、入表, R1)."""

    SERVICE_CONNECTION = "SERVICE_CONNECTION"  # 管网入户
    METER_INSTALLATION = "METER_INSTALLATION"  # 入表


class ConnectionTaskStatus(enum.StrEnum):
    """Progress of a utility connection task."""

    PLANNED = "PLANNED"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


class SyncRunStatus(enum.StrEnum):
    """Outcome of a sync run."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    PARTIAL = (
        "PARTIAL"  # stopped early (upstream asked to wait too long, breaker open): progress kept
    )
    FAILED = "FAILED"


class ReconciliationStatus(enum.StrEnum):
    """State of an upstream record whose compound could not be matched."""

    OPEN = "OPEN"
    LINKED = "LINKED"  # linked to an existing compound
    CREATED = "CREATED"  # a new compound was created for it
