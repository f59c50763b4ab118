"""The store's tables, as SQLAlchemy 2 typed models, one module per topic; every model is
importable from here (``from hub.store import models as m``; ``m.Compound``).

Importing this package registers every table with ``Base.metadata``, which the migrations'
environment and the model/migration consistency test compare against, and which relationships
named by string need.

Records that can come from an external platform mix in ``Provenance``; purely local records (owners,
committees, owner credit) do not. Relationships are ``lazy="raise"``: in async code an implicit
load is a bug, and the GraphQL layer loads relations through DataLoaders instead.
"""

from __future__ import annotations

from hub.store.models.access import (
    ApiClient,
    AuditEntry,
    TrustedDocument,
)
from hub.store.models.committees import (
    CommitteeAssessment,
    CommitteeMember,
    CommitteeTerm,
    CommitteeTraining,
    OwnersCommittee,
)
from hub.store.models.compounds import (
    Compound,
    Resident,
    ServiceContract,
)
from hub.store.models.enterprises import (
    Enterprise,
    EnterpriseCreditGrade,
    EnterpriseCreditRecord,
)
from hub.store.models.findings import Finding
from hub.store.models.fund import FundApplication, FundDisbursement
from hub.store.models.jurisdictions import Jurisdiction, MemberUnit
from hub.store.models.ledger import LedgerEvent, LedgerItem
from hub.store.models.owner_credit import OwnerCreditObjection, OwnerCreditRecord
from hub.store.models.ranking import (
    Assessment,
    AssessmentItem,
    RankingEntry,
    RankingPublication,
    Sanction,
)
from hub.store.models.repairs import RepairAcceptance, RepairProject
from hub.store.models.sync import (
    QuarantinedRecord,
    ReconciliationItem,
    SyncLease,
    SyncRun,
    SyncStreamState,
)
from hub.store.models.tenders import (
    Tender,
    TenderAward,
    TenderBid,
    TenderCandidate,
)
from hub.store.models.utilities import ConnectionTask, Outage

__all__ = [
    "ApiClient",
    "Assessment",
    "AssessmentItem",
    "AuditEntry",
    "CommitteeAssessment",
    "CommitteeMember",
    "CommitteeTerm",
    "CommitteeTraining",
    "Compound",
    "ConnectionTask",
    "Enterprise",
    "EnterpriseCreditGrade",
    "EnterpriseCreditRecord",
    "Finding",
    "FundApplication",
    "FundDisbursement",
    "Jurisdiction",
    "LedgerEvent",
    "LedgerItem",
    "MemberUnit",
    "Outage",
    "OwnerCreditObjection",
    "OwnerCreditRecord",
    "OwnersCommittee",
    "QuarantinedRecord",
    "RankingEntry",
    "RankingPublication",
    "ReconciliationItem",
    "RepairAcceptance",
    "RepairProject",
    "Resident",
    "Sanction",
    "ServiceContract",
    "SyncLease",
    "SyncRun",
    "SyncStreamState",
    "Tender",
    "TenderAward",
    "TenderBid",
    "TenderCandidate",
    "TrustedDocument",
]
