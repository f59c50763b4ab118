"""Post-warranty repairs and their subsidies, and the year's special budget (MISSION.md R4, R13).

Pure rules: who must accept a repair, whether all have, and what is left of a budget.

R4: after a repair of a compound past its warranty, the town government (or 水岸新城推进办), the
community, the owners' committee and the competent department accept the work jointly; then the
enterprise receives a subsidy. R13: about 5,000,000 yuan a year funds the rewards and subsidies.

The budget of a year is shared: subsidies are charged to the year of their grant (the day the last
party accepted), rewards of a ranking to the year of its publication (each REWARD sanction carries
``RankingSettings.reward_yuan``). Nothing may be granted beyond the year's total.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


class RepairParty(enum.StrEnum):
    """A party that must accept a post-warranty repair (R4)."""

    TOWN = "TOWN"  # 镇人民政府 or 水岸新城推进办
    COMMUNITY = "COMMUNITY"  # 社区
    COMMITTEE = "COMMITTEE"  # 业主委员会, recorded by the community for it
    COMPETENT_DEPARTMENT = "COMPETENT_DEPARTMENT"  # 住建局


REQUIRED_PARTIES = frozenset(RepairParty)
"""Every repair needs all four acceptances (R4)."""


class RepairStatus(enum.StrEnum):
    """Where a repair project stands."""

    AWAITING_ACCEPTANCE = "AWAITING_ACCEPTANCE"  # completed, acceptances being collected
    SUBSIDY_GRANTED = "SUBSIDY_GRANTED"  # all accepted; the subsidy charged to the budget


@dataclass(frozen=True, slots=True, kw_only=True)
class BudgetSettings:
    """The special budget for rewards and subsidies; the hub's comes from ``HUB_BUDGET``
    (``hub.services.parameters.budget_settings``)."""

    annual_yuan: float = 5_000_000.0  # the budget of each year (R13), in yuan
    by_year: Mapping[int, float] = field(default_factory=dict)  # another total for some years

    def total(self, year: int) -> float:
        """The budget of the year."""
        return self.by_year.get(year, self.annual_yuan)


def missing_parties(accepted: Iterable[RepairParty]) -> list[RepairParty]:
    """The parties that have not accepted yet, in the order of ``RepairParty``."""
    done = set(accepted)
    return [party for party in RepairParty if party not in done]


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """A year's budget: its total, what was granted and paid, and what is left."""

    year: int
    total: float
    subsidies: float
    rewards: float

    @property
    def remaining(self) -> float:
        return round(self.total - self.subsidies - self.rewards, 2)

    def allows(self, amount: float) -> bool:
        """Whether ``amount`` more can be charged without passing the total."""
        return amount <= self.remaining + 1e-9
