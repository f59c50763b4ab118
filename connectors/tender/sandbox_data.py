"""The tender platform sandbox's records, derived from the injected world.

Every tender, bid, candidate and award of the world becomes an upstream record under its source id
(the tender's project code, ``<code>/bid/<USCC>``, ``<code>/candidate/<rank>``, ``<code>/award``),
written in the platform's vocabulary (the inverse of the connector's mapping tables).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from connectors.sandbox_kit import Body, StoredRecord, WorldIndex, day
from connectors.tender.mapping import METHOD, SELECTION, TENDER_STATUS

STATUS_TEXT = {v: k for k, v in TENDER_STATUS.items()}
SELECTION_TEXT = {v: k for k, v in SELECTION.items()}
METHOD_TEXT = {v: k for k, v in METHOD.items()}

RowToBody = Callable[[WorldIndex, Body, dict[int, Body]], tuple[Body, date]]
"""A demo row (and the awards by tender id) → the record's body, and the day of its last change."""


def tender_body(demo: WorldIndex, row: Body, awards: dict[int, Body]) -> tuple[Body, date]:
    """A tender (招标项目); last changed with its award's latest step, or its deadline."""
    town, name = demo.compound[row["compound_id"]]
    body = {
        "title": row["title"],
        "townCode": town,
        "compoundName": name,
        "selection": SELECTION_TEXT[row["selection"]],
        "method": METHOD_TEXT[row["method"]],
        "tenderer": row["tenderer"],
        "announcedOn": day(row["announced_on"]),
        "bidDeadline": day(row["bid_deadline"]),
        "status": STATUS_TEXT[row["status"]],
    }
    award = awards.get(row["id"])
    if award is not None:
        return body, _latest(award)
    return body, row["announced_on"] if row["status"] == "ANNOUNCED" else row["bid_deadline"]


def bid_body(demo: WorldIndex, row: Body, awards: dict[int, Body]) -> tuple[Body, date]:
    """A bid (投标), last changed when submitted."""
    body = {
        "tenderId": demo.tender_code[row["tender_id"]],
        "bidderUscc": demo.uscc[row["enterprise_id"]],
        "price": row["price"],
        "technicalScore": row["technical_score"],
        "submittedOn": day(row["submitted_on"]),
    }
    return body, row["submitted_on"]


def candidate_body(demo: WorldIndex, row: Body, awards: dict[int, Body]) -> tuple[Body, date]:
    """A ranked candidate (中标候选人), last changed around the award."""
    body = {
        "tenderId": demo.tender_code[row["tender_id"]],
        "enterpriseUscc": demo.uscc[row["enterprise_id"]],
        "rank": row["rank"],
        "totalScore": row["total_score"],
    }
    return body, awards[row["tender_id"]]["awarded_on"]


def award_body(demo: WorldIndex, row: Body, awards: dict[int, Body]) -> tuple[Body, date]:
    """An award (中标结果), last changed with its latest step (award, filing, contract)."""
    body = {
        "tenderId": demo.tender_code[row["tender_id"]],
        "winnerUscc": demo.uscc[row["enterprise_id"]],
        "awardedOn": day(row["awarded_on"]),
        "publicityUntil": day(row["publicity_until"]),
        "filedOn": day(row["filed_on"]),
        "contractSignedOn": day(row["contract_signed_on"]),
    }
    return body, _latest(row)


_TABLES: dict[str, tuple[str, RowToBody]] = {
    "tenders": ("tenders", tender_body),
    "bids": ("tender_bids", bid_body),
    "candidates": ("tender_candidates", candidate_body),
    "awards": ("tender_awards", award_body),
}


def build_records(demo: WorldIndex, seed: int) -> dict[str, list[StoredRecord]]:
    """Every row of the world synced from the tender platform, under its source id."""
    awards = {a["tender_id"]: a for a in demo.rows("tender_awards")}
    out = {}
    for stream, (table, to_body) in _TABLES.items():
        rng = random.Random(f"{seed}/sandbox/tender/{stream}")
        records = []
        for row in demo.rows(table):
            body, basis = to_body(demo, row, awards)
            records.append(StoredRecord(row["source_id"], demo.stamp(rng, basis), body))
        out[stream] = records
    return out


def _latest(award: Body) -> date:
    steps = ("awarded_on", "publicity_until", "filed_on", "contract_signed_on")
    days: list[date] = [award[step] for step in steps if award[step] is not None]
    return max(days)
