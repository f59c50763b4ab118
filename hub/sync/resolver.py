"""Turning a record's natural references into row ids, for a run of one source.

A mapped record names what it refers to as the upstream knows it (``connectors.core``): an
enterprise by its USCC, a compound by its name within a town, another record of the same source
by its source id. ``hub.sync.apply`` asks the ``Resolver`` for their ids before it writes a page;
what stays unresolved sends the record to the reconciliation queue (a compound) or to quarantine
(anything else).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.core import CompoundRef, EnterpriseRef, Entity, MappedRecord, SourceRef
from hub.domain.enums import JurisdictionLevel
from hub.domain.names import normalize_compound_name
from hub.store import models as m
from hub.sync.reconciliation import linked_compounds
from hub.sync.sinks import SINKS
from hub.sync.writes import among


class Resolver:
    """Turns natural references into row ids, with a per-run cache (one query per page and kind).

    Records of the source are cached only for the kinds that records refer to (tenders, which
    bids name): a sync of 100,000 credit records, which nothing refers to, keeps no id of them
    (memory, and objects the garbage collector would walk again and again). Rows of a sink with
    a natural key (enterprises by USCC) are always cached by it: other sources refer to them so.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._natural: dict[Entity, dict[str, int]] = defaultdict(dict)
        self._compounds: dict[tuple[str, str], int] = {}
        self._towns: dict[str, int] | None = None
        self._records: dict[Entity, dict[str, int]] = defaultdict(dict)

    def __repr__(self) -> str:
        return f"<Resolver {self.source} kinds={sorted(self._records)}>"

    async def prepare(self, session: AsyncSession, records: Sequence[MappedRecord]) -> None:
        """Look up, in a few queries, every reference of a page not yet in the cache."""
        enterprises = self._natural[Entity.ENTERPRISE]
        usccs: set[str] = set()
        compounds: set[tuple[str, str]] = set()
        by_entity: dict[Entity, set[str]] = defaultdict(set)
        for record in records:
            for ref in record.refs.values():
                if isinstance(ref, EnterpriseRef) and ref.uscc not in enterprises:
                    usccs.add(ref.uscc)
                elif isinstance(ref, CompoundRef):
                    key = (ref.town_code, normalize_compound_name(ref.name))
                    if key not in self._compounds:
                        compounds.add(key)
                elif isinstance(ref, SourceRef) and ref.source_id not in self._records[ref.entity]:
                    by_entity[ref.entity].add(ref.source_id)
        if usccs:
            rows = await session.execute(
                sa.select(m.Enterprise.uscc, m.Enterprise.id).where(
                    among(session, m.Enterprise.uscc, list(usccs))
                )
            )
            enterprises.update({uscc: id_ for uscc, id_ in rows.all()})
        if compounds:
            await self._prepare_compounds(session, compounds)
        for entity, source_ids in by_entity.items():
            model: Any = SINKS[entity].model
            rows = await session.execute(
                sa.select(model.source_id, model.id).where(
                    model.source == self.source, among(session, model.source_id, list(source_ids))
                )
            )
            self._records[entity].update({sid: id_ for sid, id_ in rows.all()})

    async def _prepare_compounds(self, session: AsyncSession, wanted: set[tuple[str, str]]) -> None:
        if self._towns is None:
            towns = await session.execute(
                sa.select(m.Jurisdiction.code, m.Jurisdiction.id).where(
                    m.Jurisdiction.level == JurisdictionLevel.TOWN
                )
            )
            self._towns = dict(towns.all())
        town_ids = {self._towns[code] for code, _ in wanted if code in self._towns}
        code_of = {id_: code for code, id_ in self._towns.items()}
        rows = await session.execute(
            sa.select(m.Compound.town_id, m.Compound.normalized_name, m.Compound.id).where(
                m.Compound.town_id.in_(town_ids), m.Compound.deleted_at.is_(None)
            )
        )
        for town_id, name, id_ in rows.all():
            self._compounds[(code_of[town_id], name)] = id_
        # Names a person linked to a compound in the reconciliation queue.
        for code, name, id_ in await linked_compounds(session):
            self._compounds.setdefault((code, normalize_compound_name(name)), id_)

    def resolve(self, ref: object) -> int | None:
        """The row id a reference names, if the store has it (after ``prepare``)."""
        if isinstance(ref, EnterpriseRef):
            return self._natural[Entity.ENTERPRISE].get(ref.uscc)
        if isinstance(ref, CompoundRef):
            return self._compounds.get((ref.town_code, normalize_compound_name(ref.name)))
        if isinstance(ref, SourceRef):
            return self._records[ref.entity].get(ref.source_id)
        raise TypeError(f"unknown reference {ref!r}")

    def keeps_ids(self, entity: Entity) -> bool:
        """Whether new rows of ``entity`` must be remembered (records refer to them)."""
        return SINKS[entity].natural_key is not None or entity in self._records

    def remember(
        self, entity: Entity, source_id: str, row_id: int, fields: Mapping[str, Any]
    ) -> None:
        """Note the row id of a record just written, for the references of the next pages."""
        if entity in self._records:  # a kind records refer to
            self._records[entity][source_id] = row_id
        key = SINKS[entity].natural_key
        if key is not None:
            self._natural[entity][str(fields[key])] = row_id


def describe(ref: object) -> str:
    """A reference in words, for the reason of a quarantined record."""
    if isinstance(ref, EnterpriseRef):
        return f"enterprise with USCC {ref.uscc}"
    if isinstance(ref, SourceRef):
        return f"{ref.entity.value} {ref.source_id}"
    return repr(ref)
