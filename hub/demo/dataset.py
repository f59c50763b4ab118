"""The deterministic demo data set of ``hub demo-data``, built in memory without any I/O.

``build_dataset`` returns plain rows (dicts of column values with explicit integer ids) per table,
so that related rows reference each other by id and ``hub.demo.load`` can bulk insert them. The
same arguments always give the same rows: all randomness comes from ``random.Random`` seeded from
``seed``, and "now" is ``today`` (timestamps are midnight UTC of that day, sync times shortly
before it).

Who builds what: ``geography`` (jurisdictions, member units, compounds), ``enterprises`` (with
credit records and grades), ``residents`` (with owner credit), ``committees``, ``contracts`` (with
tenders, bids, candidates and awards) and ``assessments``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

from hub.demo.assessments import build_assessments
from hub.demo.committees import build_committees
from hub.demo.common import Context, Row, fill_content_hashes
from hub.demo.contracts import build_contracts
from hub.demo.enterprises import build_enterprises
from hub.demo.geography import build_geography
from hub.demo.residents import build_residents

DEFAULT_SEED = 20221078  # 伊政办发〔2022〕78号
DEFAULT_TODAY = date(2026, 11, 25)
# Beyond this the name parts run short: generated names could no longer stay unique.
MAX_SCALE = 50


@dataclass(slots=True)
class DemoDataset:
    """Rows per table, named like the tables, in foreign-key order."""

    jurisdictions: list[Row] = field(default_factory=list)
    member_units: list[Row] = field(default_factory=list)
    compounds: list[Row] = field(default_factory=list)
    enterprises: list[Row] = field(default_factory=list)
    enterprise_credit_records: list[Row] = field(default_factory=list)
    enterprise_credit_grades: list[Row] = field(default_factory=list)
    residents: list[Row] = field(default_factory=list)
    owner_credit_records: list[Row] = field(default_factory=list)
    owners_committees: list[Row] = field(default_factory=list)
    committee_terms: list[Row] = field(default_factory=list)
    committee_members: list[Row] = field(default_factory=list)
    tenders: list[Row] = field(default_factory=list)
    tender_bids: list[Row] = field(default_factory=list)
    tender_candidates: list[Row] = field(default_factory=list)
    tender_awards: list[Row] = field(default_factory=list)
    service_contracts: list[Row] = field(default_factory=list)
    assessments: list[Row] = field(default_factory=list)
    assessment_items: list[Row] = field(default_factory=list)

    def tables(self) -> dict[str, list[Row]]:
        """Table name → rows, in foreign-key order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def counts(self) -> dict[str, int]:
        """Table name → number of rows."""
        return {name: len(rows) for name, rows in self.tables().items()}


def build_dataset(
    *, scale: int = 1, seed: int = DEFAULT_SEED, today: date = DEFAULT_TODAY
) -> DemoDataset:
    """The demo data: public places plus about 300 compounds and 60 enterprises per ``scale``."""
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 1 and {MAX_SCALE}, got {scale}")
    ctx = Context(seed=seed, scale=scale, today=today)
    geo = build_geography(ctx)
    enterprises = build_enterprises(ctx)
    residents = build_residents(ctx, geo)
    committees = build_committees(ctx, geo, residents)
    contracts = build_contracts(ctx, geo, enterprises, committees)
    assessments = build_assessments(ctx, geo, enterprises, contracts)
    dataset = DemoDataset(
        jurisdictions=geo.jurisdictions,
        member_units=geo.member_units,
        compounds=geo.compounds,
        enterprises=enterprises.enterprises,
        enterprise_credit_records=enterprises.credit_records,
        enterprise_credit_grades=enterprises.credit_grades,
        residents=residents.residents,
        owner_credit_records=residents.owner_credit_records,
        owners_committees=committees.committees,
        committee_terms=committees.terms,
        committee_members=committees.members,
        tenders=contracts.tenders,
        tender_bids=contracts.tender_bids,
        tender_candidates=contracts.tender_candidates,
        tender_awards=contracts.tender_awards,
        service_contracts=contracts.service_contracts,
        assessments=assessments.assessments,
        assessment_items=assessments.items,
    )
    for rows in dataset.tables().values():
        fill_content_hashes(rows)
    return dataset
