"""The connectors' own words for the enumerated fields of a mapped record (wire-level enums).

A mapping module turns an upstream's vocabulary (存续, 招标公告, 管网入户 …) into these; the
sync layer translates them into the hub's enums where it writes the records
(``hub.sync.translate``), and refuses at import time a word the hub has no enum member for. The
values are the hub's store values, the one thing the two sides agree on.
"""

from __future__ import annotations

import enum


class EnterpriseStatus(enum.StrEnum):
    """Registration status of an enterprise."""

    ACTIVE = "ACTIVE"  # 存续
    SUSPENDED = "SUSPENDED"  # 停业
    REVOKED = "REVOKED"  # 吊销
    DEREGISTERED = "DEREGISTERED"  # 注销


class CreditCategory(enum.StrEnum):
    """Kind of an enterprise credit record."""

    BASIC = "BASIC"  # 基本信息
    GOOD = "GOOD"  # 良好信息
    BAD = "BAD"  # 不良信息


class CreditLevel(enum.StrEnum):
    """Who recorded a credit record."""

    CITY = "CITY"  # 市级
    BANNER = "BANNER"  # 旗级
    TOWN = "TOWN"  # 镇级
    COMMUNITY = "COMMUNITY"  # 社区级


class SelectionMethod(enum.StrEnum):
    """How the enterprise serving a compound was chosen."""

    PRELIMINARY = "PRELIMINARY"  # 前期物业
    COMMITTEE_RESELECTION = "COMMITTEE_RESELECTION"  # 业主委员会选聘


class TenderMethod(enum.StrEnum):
    """Open or invited tendering."""

    OPEN = "OPEN"  # 公开招标
    INVITED = "INVITED"  # 邀请招标


class TenderStatus(enum.StrEnum):
    """Where a tender stands."""

    ANNOUNCED = "ANNOUNCED"  # 招标公告
    EVALUATING = "EVALUATING"  # 评标中
    PUBLICIZED = "PUBLICIZED"  # 候选人公示
    AWARDED = "AWARDED"  # 中标通知
    FILED = "FILED"  # 已备案
    CANCELLED = "CANCELLED"  # 已终止


class AssessmentKind(enum.StrEnum):
    """Kind of an assessment; upstreams send daily inspections only."""

    DAILY_INSPECTION = "DAILY_INSPECTION"  # 日常巡查


class UtilityKind(enum.StrEnum):
    """What a utility company supplies."""

    WATER = "WATER"
    POWER = "POWER"
    GAS = "GAS"
    HEAT = "HEAT"
    TELECOM = "TELECOM"


class ConnectionTaskKind(enum.StrEnum):
    """Kind of a utility's connection task."""

    SERVICE_CONNECTION = "SERVICE_CONNECTION"  # 管网入户
    METER_INSTALLATION = "METER_INSTALLATION"  # 入表


class ConnectionTaskStatus(enum.StrEnum):
    """Where a connection task stands."""

    PLANNED = "PLANNED"  # 计划
    IN_PROGRESS = "IN_PROGRESS"  # 施工中
    DONE = "DONE"  # 已完成
    CANCELLED = "CANCELLED"  # 已取消
