"""Transitional name of some of the models of ``hub.store.models`` (where they now live, by
topic), kept while the GraphQL layer still imports it; removed once it imports the package."""

from __future__ import annotations

from hub.store.models import (
    RankingEntry,
    RankingPublication,
    RepairAcceptance,
    RepairProject,
    Sanction,
)

__all__ = ["RankingEntry", "RankingPublication", "RepairAcceptance", "RepairProject", "Sanction"]
