"""The domain enums as GraphQL enums, each with a description."""

from __future__ import annotations

import strawberry

from hub.domain import enums as e

JurisdictionLevel = strawberry.enum(
    e.JurisdictionLevel, description="Level of a jurisdiction: banner 旗, town 镇, community 社区."
)
TownKind = strawberry.enum(
    e.TownKind, description="A town (镇) or a town-level office such as 水岸新城推进办."
)
UnitRole = strawberry.enum(
    e.UnitRole, description="Role of a member unit in the joint conference (联席会议成员单位)."
)
UtilityKind = strawberry.enum(
    e.UtilityKind, description="Kind of utility company: water, power, gas, heat, telecom."
)
EnterpriseStatus = strawberry.enum(
    e.EnterpriseStatus, description="Registration status of an enterprise (存续, 吊销, 注销 …)."
)
SelectionMethod = strawberry.enum(
    e.SelectionMethod,
    description="How an enterprise was chosen: preliminary service (前期物业) by the developer, "
    "or re-selection (重新选聘) by the owners' committee.",
)
TenderMethod = strawberry.enum(e.TenderMethod, description="Open (公开) or invited (邀请) tender.")
TenderStatus = strawberry.enum(e.TenderStatus, description="Stage of a tender (招投标).")
CreditCategory = strawberry.enum(
    e.CreditCategory,
    description="Kind of enterprise credit record: basic (基本信息), good (良好信息), "
    "bad (不良信息).",
)
CreditLevel = strawberry.enum(
    e.CreditLevel,
    description="Level that contributed a credit record: city, banner, town, community.",
)
CommitteeStatus = strawberry.enum(
    e.CommitteeStatus, description="State of an owners' committee (业主委员会)."
)
CommitteeMemberRole = strawberry.enum(
    e.CommitteeMemberRole, description="Office in an owners' committee: 主任, 副主任, 委员."
)
AssessmentKind = strawberry.enum(
    e.AssessmentKind,
    description="Daily inspection (日常巡查, deductions) or semi-annual assessment "
    "(半年考核, 100 points).",
)
SyncRunStatus = strawberry.enum(
    e.SyncRunStatus,
    description="Outcome of a sync run: PARTIAL keeps its progress and resumes next run.",
)
ReconciliationStatus = strawberry.enum(
    e.ReconciliationStatus, description="State of a reconciliation item (对账)."
)
ConnectionTaskKind = strawberry.enum(
    e.ConnectionTaskKind, description="Service connection (管网入户) or meter installation (入表)."
)
ConnectionTaskStatus = strawberry.enum(
    e.ConnectionTaskStatus, description="Progress of a utility connection task."
)
