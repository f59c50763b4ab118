"""Transitional name of some of the models of ``hub.store.models`` (where they now live, by
topic), kept while the GraphQL layer still imports it; removed once it imports the package."""

from __future__ import annotations

from hub.store.models import (
    CommitteeAssessment,
    CommitteeTraining,
    FundApplication,
    FundDisbursement,
    OwnerCreditObjection,
)

__all__ = [
    "CommitteeAssessment",
    "CommitteeTraining",
    "FundApplication",
    "FundDisbursement",
    "OwnerCreditObjection",
]
