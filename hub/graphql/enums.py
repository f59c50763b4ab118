"""The domain enums as GraphQL enums, each with a description.

``strawberry.enum`` registers the domain class itself (it returns the class): each name here is
an alias of the domain enum, so resolvers pass domain values through and the type checker sees
the real class.
"""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from hub.domain import enums as e

JurisdictionLevel: TypeAlias = e.JurisdictionLevel
strawberry.enum(
    JurisdictionLevel, description="Level of a jurisdiction: banner 旗, town 镇, community 社区."
)
TownKind: TypeAlias = e.TownKind
strawberry.enum(TownKind, description="A town (镇) or a town-level office such as 水岸新城推进办.")
UnitRole: TypeAlias = e.UnitRole
strawberry.enum(
    UnitRole, description="Role of a member unit in the joint conference (联席会议成员单位)."
)
UtilityKind: TypeAlias = e.UtilityKind
strawberry.enum(
    UtilityKind, description="Kind of utility company: water, power, gas, heat, telecom."
)
EnterpriseStatus: TypeAlias = e.EnterpriseStatus
strawberry.enum(
    EnterpriseStatus, description="Registration status of an enterprise (存续, 吊销, 注销 …)."
)
SelectionMethod: TypeAlias = e.SelectionMethod
strawberry.enum(
    SelectionMethod,
    description="How an enterprise was chosen: preliminary service (前期物业) by the developer, "
    "or re-selection (重新选聘) by the owners' committee.",
)
TenderMethod: TypeAlias = e.TenderMethod
strawberry.enum(TenderMethod, description="Open (公开) or invited (邀请) tender.")
TenderStatus: TypeAlias = e.TenderStatus
strawberry.enum(TenderStatus, description="Stage of a tender (招投标).")
CreditCategory: TypeAlias = e.CreditCategory
strawberry.enum(
    CreditCategory,
    description="Kind of enterprise credit record: basic (基本信息), good (良好信息), "
    "bad (不良信息).",
)
CreditLevel: TypeAlias = e.CreditLevel
strawberry.enum(
    CreditLevel,
    description="Level that contributed a credit record: city, banner, town, community.",
)
CommitteeStatus: TypeAlias = e.CommitteeStatus
strawberry.enum(CommitteeStatus, description="State of an owners' committee (业主委员会).")
CommitteeMemberRole: TypeAlias = e.CommitteeMemberRole
strawberry.enum(
    CommitteeMemberRole, description="Office in an owners' committee: 主任, 副主任, 委员."
)
AssessmentKind: TypeAlias = e.AssessmentKind
strawberry.enum(
    AssessmentKind,
    description="Daily inspection (日常巡查, deductions) or semi-annual assessment "
    "(半年考核, 100 points).",
)
SyncRunStatus: TypeAlias = e.SyncRunStatus
strawberry.enum(
    SyncRunStatus,
    description="Outcome of a sync run: PARTIAL keeps its progress and resumes next run.",
)
ReconciliationStatus: TypeAlias = e.ReconciliationStatus
strawberry.enum(ReconciliationStatus, description="State of a reconciliation item (对账).")
ConnectionTaskKind: TypeAlias = e.ConnectionTaskKind
strawberry.enum(
    ConnectionTaskKind, description="Service connection (管网入户) or meter installation (入表)."
)
ConnectionTaskStatus: TypeAlias = e.ConnectionTaskStatus
strawberry.enum(ConnectionTaskStatus, description="Progress of a utility connection task.")
