"""The demo data set: deterministic, realistic and consistent across tables (no database)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

import pytest

from hub.config import Settings
from hub.demo import DemoDataset, build_dataset
from hub.demo.common import add_years
from hub.demo.load import seal_personal_data
from hub.demo.places import SEAT_COMMUNITIES, TOWNS
from hub.domain.enums import (
    CommitteeMemberRole,
    EnterpriseStatus,
    JurisdictionLevel,
    TenderMethod,
    TownKind,
)
from hub.domain.identifiers import uscc_area_code, validate_resident_id, validate_uscc
from hub.domain.names import normalize_compound_name
from hub.services.parameters import pii_keyring
from hub.store import models  # noqa: F401  (registers the tables in the metadata)
from hub.store.base import Base


@pytest.fixture(scope="module")
def data() -> DemoDataset:
    return build_dataset()


def by_id(rows: list[dict]) -> dict[int, dict]:
    return {row["id"]: row for row in rows}


def test_same_arguments_build_the_same_data(data: DemoDataset) -> None:
    """Two builds with the same arguments give identical rows, and another seed different ones."""
    assert build_dataset() == data
    assert build_dataset(seed=7).enterprises != data.enterprises


def test_rows_carry_exactly_the_columns_of_their_table(data: DemoDataset) -> None:
    """Every row of a table has the same keys, which are exactly the table's columns once the
    loader has sealed the personal data."""
    sealed = seal_personal_data(pii_keyring(Settings()), data.tables())
    for name, rows in sealed.items():
        columns = set(Base.metadata.tables[name].columns.keys())
        assert rows, name
        for row in rows:
            assert row.keys() == columns, name


def test_foreign_keys_all_resolve(data: DemoDataset) -> None:
    """Every foreign-key value names a row of the referred table, and ids are unique."""
    tables = data.tables()
    ids = {name: {row["id"] for row in rows} for name, rows in tables.items()}
    for name, rows in tables.items():
        assert len(ids[name]) == len(rows), name
        for fk in Base.metadata.tables[name].foreign_keys:
            target = ids[fk.column.table.name]
            for row in rows:
                value = row[fk.parent.name]
                assert value is None or value in target, (name, fk.parent.name, value)


def test_timestamps_are_timezone_aware(data: DemoDataset) -> None:
    """created_at, updated_at and synced_at are aware datetimes (the store refuses naive ones)."""
    for rows in data.tables().values():
        for row in rows:
            for key in ("created_at", "updated_at", "synced_at"):
                value = row.get(key)
                assert value is None or (isinstance(value, datetime) and value.tzinfo), key


def test_public_places_are_present_and_not_generated(data: DemoDataset) -> None:
    """The banner, the eight town-level units and the seat's listed communities and compounds."""
    places = {row["code"]: row for row in data.jurisdictions}
    banner = places["150627"]
    assert (banner["name"], banner["level"], banner["generated"]) == (
        "伊金霍洛旗",
        JurisdictionLevel.BANNER,
        False,
    )
    for town in TOWNS:
        row = places[town.code]
        assert (row["name"], row["level"], row["town_kind"]) == (
            town.name,
            JurisdictionLevel.TOWN,
            town.kind,
        )
        assert row["parent_id"] == banner["id"] and row["generated"] is False
    assert places["150627400"]["town_kind"] is TownKind.OFFICE

    seat = places["150627100"]
    compounds_in: dict[int, set[str]] = defaultdict(set)
    for compound in data.compounds:
        if not compound["generated"]:
            compounds_in[compound["community_id"]].add(compound["name"])
    for number, (name, compounds) in enumerate(SEAT_COMMUNITIES, start=1):
        community = places[f"150627100{number:03d}"]
        assert (community["name"], community["parent_id"]) == (name, seat["id"])
        assert community["generated"] is False
        assert compounds_in[community["id"]] == set(compounds)
    listed = sum(len(compounds) for _, compounds in SEAT_COMMUNITIES)
    assert sum(not c["generated"] for c in data.compounds) == listed


def test_other_towns_have_two_to_five_generated_communities(data: DemoDataset) -> None:
    """Each town-level unit other than the seat has 2–5 generated communities at scale 1."""
    parents = Counter(
        row["parent_id"]
        for row in data.jurisdictions
        if row["level"] is JurisdictionLevel.COMMUNITY and row["generated"]
    )
    towns = [r for r in data.jurisdictions if r["level"] is JurisdictionLevel.TOWN]
    for town in towns:
        if town["code"] != "150627100":
            assert 2 <= parents[town["id"]] <= 5, town["name"]


def test_scale_multiplies_the_generated_records() -> None:
    """About 300 compounds and 60 enterprises per unit of scale."""
    one, two = build_dataset().counts(), build_dataset(scale=2).counts()
    assert 280 <= one["compounds"] <= 320
    assert 560 <= two["compounds"] <= 640
    assert (one["enterprises"], two["enterprises"]) == (60, 120)
    for table in ("residents", "tenders", "assessments"):
        assert 1.7 <= two[table] / one[table] <= 2.3, table


def test_usccs_are_valid_and_registered_in_the_banner(data: DemoDataset) -> None:
    """Every enterprise's USCC passes the GB 32100 check and has the area code 150627."""
    usccs = [row["uscc"] for row in data.enterprises]
    assert len(set(usccs)) == len(usccs)
    assert len({row["name"] for row in data.enterprises}) == len(usccs)
    for uscc in usccs:
        assert validate_uscc(uscc) == uscc
        assert uscc_area_code(uscc) == "150627"
    assert all(row["generated"] for row in data.enterprises)


def test_resident_ids_are_valid(data: DemoDataset) -> None:
    """Every generated resident ID number passes the GB 11643 check, and none repeats."""
    numbers = [row["id_number"] for row in data.residents]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert validate_resident_id(number) == number


def test_compound_names_are_unique_within_a_town(data: DemoDataset) -> None:
    """Normalised compound names are the store's matching key: unique within each town."""
    keys = Counter((row["town_id"], row["normalized_name"]) for row in data.compounds)
    assert max(keys.values()) == 1
    for row in data.compounds:
        assert row["normalized_name"] == normalize_compound_name(row["name"])


def test_awards_go_to_the_first_candidate_who_bid(data: DemoDataset) -> None:
    """Each award goes to the rank-1 candidate, a bidder; signing and filing come within 30 days."""
    first = {c["tender_id"]: c["enterprise_id"] for c in data.tender_candidates if c["rank"] == 1}
    bidders = defaultdict(set)
    for bid in data.tender_bids:
        bidders[bid["tender_id"]].add(bid["enterprise_id"])
    assert data.tender_awards
    for award in data.tender_awards:
        assert award["enterprise_id"] == first[award["tender_id"]]
        assert award["enterprise_id"] in bidders[award["tender_id"]]
        for day in (award["contract_signed_on"], award["filed_on"]):
            assert day is None or 0 < (day - award["awarded_on"]).days <= 30
    for tender in data.tenders:
        if tender["method"] is TenderMethod.INVITED and bidders[tender["id"]]:
            assert len(bidders[tender["id"]]) >= 3


def test_contracts_match_their_tender_awards(data: DemoDataset) -> None:
    """A contract from a tender is held by the award's enterprise, for the tender's compound."""
    awards = {a["tender_id"]: a for a in data.tender_awards}
    tenders = by_id(data.tenders)
    from_tender = [c for c in data.service_contracts if c["tender_id"] is not None]
    assert from_tender
    for contract in from_tender:
        tender, award = tenders[contract["tender_id"]], awards[contract["tender_id"]]
        assert award["enterprise_id"] == contract["enterprise_id"]
        assert tender["compound_id"] == contract["compound_id"]
        assert tender["selection"] == contract["selection"]
        assert award["awarded_on"] < contract["starts_on"]


def test_current_contracts_are_held_by_active_enterprises(data: DemoDataset) -> None:
    """About 85–90% of compounds have a current contract, each held by an ACTIVE enterprise."""
    enterprises = by_id(data.enterprises)
    current = [c for c in data.service_contracts if c["ends_on"] is None]
    assert len({c["compound_id"] for c in current}) == len(current)
    assert 0.84 <= len(current) / len(data.compounds) <= 0.91
    for contract in current:
        assert enterprises[contract["enterprise_id"]]["status"] is EnterpriseStatus.ACTIVE


def test_committee_terms_and_members_follow_the_rules(data: DemoDataset) -> None:
    """Terms last at most five years; each has an odd 5–11 members with one chair."""
    members = defaultdict(list)
    for member in data.committee_members:
        members[member["term_id"]].append(member["role"])
    for term in data.committee_terms:
        assert term["assembly_held_on"] < term["starts_on"] <= term["ends_on"]
        assert term["ends_on"] < add_years(term["starts_on"], 5)
        roles = members[term["id"]]
        assert len(roles) in (5, 7, 9, 11)
        assert roles.count(CommitteeMemberRole.CHAIR) == 1
        assert roles.count(CommitteeMemberRole.VICE_CHAIR) in (1, 2)
    assert 0.55 <= len(data.owners_committees) / len(data.compounds) <= 0.75


def test_enterprise_grade_is_its_latest_evaluation(data: DemoDataset) -> None:
    """An enterprise's current score and grade are those of its latest grade row."""
    latest: dict[int, dict] = {}
    for grade in data.enterprise_credit_grades:
        seen = latest.get(grade["enterprise_id"])
        if seen is None or grade["evaluated_on"] > seen["evaluated_on"]:
            latest[grade["enterprise_id"]] = grade
    for enterprise in data.enterprises:
        grade = latest[enterprise["id"]]
        assert enterprise["credit_evaluated_on"] == grade["evaluated_on"]
        assert (enterprise["credit_score"], enterprise["credit_grade"]) == (
            grade["score"],
            grade["grade"],
        )
    assert {e["credit_grade"] for e in data.enterprises} == {"AAA", "AA", "A", "B", "C"}


def test_assessment_totals_are_the_sums_of_their_items(data: DemoDataset) -> None:
    """Semi-annual forms add up to at most 100 points; inspections total their deductions."""
    items = defaultdict(list)
    for item in data.assessment_items:
        items[item["assessment_id"]].append(item)
    for assessment in data.assessments:
        lines = items[assessment["id"]]
        assert assessment["total"] == pytest.approx(sum(i["points"] for i in lines))
        if assessment["compound_id"] is None:
            assert sum(i["max_points"] for i in lines) == 100
            assert all(i["points"] <= i["max_points"] for i in lines)
            assert assessment["source"] is None
        else:
            assert 1 <= len(lines) <= 3 and assessment["source"] == "ordos"
    assert all(a["assessed_on"] <= date(2026, 11, 25) for a in data.assessments)
