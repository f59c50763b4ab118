"""The Ordos platform sandbox's records, derived from the injected world.

Every row of the world synced from the Ordos platform (``source == "ordos"``) becomes an upstream
record under its source id, written in the platform's vocabulary (the inverse of the connector's
mapping tables), so that a sync from the sandbox reproduces the demo rows.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from connectors.ordos.mapping import CREDIT_CATEGORY, CREDIT_LEVEL, ENTERPRISE_STATUS, SELECTION
from connectors.sandbox_kit import Body, StoredRecord, WorldIndex, day

STATUS = {v: k for k, v in ENTERPRISE_STATUS.items()}
CATEGORY = {v: k for k, v in CREDIT_CATEGORY.items()}
LEVEL = {v: k for k, v in CREDIT_LEVEL.items()}
SELECTION_TEXT = {v: k for k, v in SELECTION.items()}

RowToBody = Callable[[WorldIndex, Body], tuple[Body, date]]
"""A demo row → the upstream record's body, and the day its last change was about."""


def enterprise_body(demo: WorldIndex, row: Body) -> tuple[Body, date]:
    """An enterprise (物业服务企业) with its latest published grade."""
    body = {
        "uscc": row["uscc"],
        "name": row["name"],
        "legalRepresentative": row["legal_representative"],
        "registeredAddress": row["registered_address"],
        "areaCode": row["area_code"],
        "registeredCapital": row["registered_capital"],
        "foundedOn": day(row["founded_on"]),
        "status": STATUS[row["status"]],
        "creditScore": row["credit_score"],
        "creditGrade": row["credit_grade"],
        "creditEvaluatedOn": day(row["credit_evaluated_on"]),
    }
    return body, row["credit_evaluated_on"] or row["founded_on"]


def credit_record_body(demo: WorldIndex, row: Body) -> tuple[Body, date]:
    """A credit record (信用记录) of an enterprise."""
    body = {
        "enterpriseUscc": demo.uscc[row["enterprise_id"]],
        "category": CATEGORY[row["category"]],
        "title": row["title"],
        "points": row["points"],
        "level": LEVEL[row["level"]],
        "recordedOn": day(row["recorded_on"]),
        "validFrom": day(row["valid_from"]),
        "validUntil": day(row["valid_until"]),
    }
    return body, row["recorded_on"]


def credit_grade_body(demo: WorldIndex, row: Body) -> tuple[Body, date]:
    """A published credit grade (信用等级)."""
    body = {
        "enterpriseUscc": demo.uscc[row["enterprise_id"]],
        "evaluatedOn": day(row["evaluated_on"]),
        "score": row["score"],
        "grade": row["grade"],
    }
    return body, row["evaluated_on"]


def project_body(demo: WorldIndex, row: Body) -> tuple[Body, date]:
    """A project (物业服务项目): an enterprise serving a compound."""
    town, name = demo.compound[row["compound_id"]]
    body = {
        "enterpriseUscc": demo.uscc[row["enterprise_id"]],
        "compound": {"townCode": town, "name": name},
        "startsOn": day(row["starts_on"]),
        "endsOn": day(row["ends_on"]),
        "selection": SELECTION_TEXT[row["selection"]],
        "tenderCode": demo.tender_code.get(row["tender_id"]),
    }
    return body, max(row["starts_on"], row["ends_on"] or row["starts_on"])


def inspection_body(demo: WorldIndex, row: Body) -> tuple[Body, date]:
    """A daily inspection (日常巡查) with its deductions."""
    town, name = demo.compound[row["compound_id"]]
    body = {
        "enterpriseUscc": demo.uscc[row["enterprise_id"]],
        "compound": {"townCode": town, "name": name},
        "inspectedOn": day(row["assessed_on"]),
        "inspector": demo.unit_name.get(row["assessor_id"]),
        "totalDeduction": row["total"],
        "items": [
            {
                "code": i["item_code"],
                "name": i["item_name"],
                "deduction": i["points"],
                "note": i["note"],
            }
            for i in demo.items_of.get(row["id"], ())
        ],
    }
    return body, row["assessed_on"]


_TABLES: dict[str, tuple[str, RowToBody]] = {
    "enterprises": ("enterprises", enterprise_body),
    "credit_records": ("enterprise_credit_records", credit_record_body),
    "credit_grades": ("enterprise_credit_grades", credit_grade_body),
    "projects": ("service_contracts", project_body),
    "inspections": ("assessments", inspection_body),
}


def build_records(demo: WorldIndex, seed: int) -> dict[str, list[StoredRecord]]:
    """Every demo row synced from the Ordos platform, under its demo source id."""
    out = {}
    for stream, (table, to_body) in _TABLES.items():
        rng = random.Random(f"{seed}/sandbox/ordos/{stream}")
        records = []
        for row in demo.rows(table):
            if row["source"] == "ordos":
                body, basis = to_body(demo, row)
                records.append(StoredRecord(row["source_id"], demo.stamp(rng, basis), body))
        out[stream] = records
    return out
