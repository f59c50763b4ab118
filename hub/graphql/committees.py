"""GraphQL types of owners' committees (业主委员会, R9). Members' personal data is masked unless
asked for unmasked by a viewer with the pii permission (see ``hub.graphql.pii``)."""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.domain.pii import mask_name, mask_phone
from hub.graphql import pii
from hub.graphql.context import Info
from hub.graphql.enums import CommitteeMemberRole, CommitteeStatus
from hub.graphql.pii import UNMASKED_DESCRIPTION
from hub.graphql.prefetch import register, via
from hub.graphql.relay import Node
from hub.services.committees import CommitteeFilter
from hub.services.personal_data import open_field
from hub.store import models as m

if TYPE_CHECKING:
    from hub.graphql.compounds import CompoundType

Compound = Annotated["CompoundType", strawberry.lazy("hub.graphql.compounds")]


@strawberry.type(
    name="CommitteeMember",
    description="A member of an owners' committee. Name and phone are personal data: masked "
    "(张*, 138****5678) unless asked for with `unmasked: true`, which needs the pii permission "
    "and is written to the audit log.",
)
class CommitteeMemberType:
    role: CommitteeMemberRole = strawberry.field(description="主任, 副主任 or 委员.")
    joined_on: date = strawberry.field(description="Date the member joined.")
    left_on: date | None = strawberry.field(description="Date the member left, if they did.")
    left_reason: str | None = strawberry.field(description="Why the member left (房屋出售 …).")
    row: strawberry.Private[m.CommitteeMember]

    @strawberry.field(description="Name: masked (张*) unless `unmasked` is true.")
    def name(
        self,
        info: Info,
        unmasked: Annotated[bool, strawberry.argument(description=UNMASKED_DESCRIPTION)] = False,
    ) -> str:
        return self._personal(info, "name", unmasked=unmasked) or ""

    @strawberry.field(description="Phone number: masked (138****5678) unless `unmasked` is true.")
    def phone(
        self,
        info: Info,
        unmasked: Annotated[bool, strawberry.argument(description=UNMASKED_DESCRIPTION)] = False,
    ) -> str | None:
        return self._personal(info, "phone", unmasked=unmasked)

    def _personal(self, info: Info, field: str, *, unmasked: bool) -> str | None:
        token = self.row.name_encrypted if field == "name" else self.row.phone_encrypted
        if token is None:
            return None
        keyring = info.context.settings.pii_keyring()
        value = open_field(keyring, "committee_members", field, self.row.id, token)
        if not unmasked:
            return mask_name(value) if field == "name" else mask_phone(value)
        return pii.unmasked(
            info, value, subject_type="CommitteeMember", subject_id=self.row.id, field=field
        )

    @classmethod
    def from_model(cls, row: m.CommitteeMember) -> CommitteeMemberType:
        return cls(
            role=row.role,
            joined_on=row.joined_on,
            left_on=row.left_on,
            left_reason=row.left_reason,
            row=row,
        )


@strawberry.type(
    name="CommitteeTerm",
    description="A term of an owners' committee, elected by an owners' assembly (业主大会); "
    "at most 5 years.",
)
class CommitteeTermType:
    term_no: int = strawberry.field(description="1 for the first committee, 2 for the next …")
    assembly_held_on: date = strawberry.field(description="Date of the electing owners' assembly.")
    starts_on: date = strawberry.field(description="First day of the term.")
    ends_on: date = strawberry.field(description="Last day of the term.")
    term_db_id: strawberry.Private[int]

    @strawberry.field(description="Members of the committee in this term.")
    def members(self, info: Info) -> list[CommitteeMemberType]:
        def build(rows: list[m.CommitteeMember]) -> list[CommitteeMemberType]:
            return [CommitteeMemberType.from_model(r) for r in rows]

        return info.context.loaders.members_by_term.resolve(self.term_db_id, build)

    @classmethod
    def from_model(cls, row: m.CommitteeTerm) -> CommitteeTermType:
        return cls(
            term_no=row.term_no,
            assembly_held_on=row.assembly_held_on,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            term_db_id=row.id,
        )


@strawberry.type(name="OwnersCommittee", description="An owners' committee (业主委员会) (R9).")
class OwnersCommitteeType(Node):
    founded_on: date = strawberry.field(description="Date the first committee was elected.")
    status: CommitteeStatus = strawberry.field(description="Active, term expired or dissolved.")
    compound_id: strawberry.Private[int]

    @strawberry.field(description="The compound of the committee.")
    def compound(self, info: Info) -> Compound:
        from hub.graphql.compounds import CompoundType

        return info.context.loaders.compound.resolve(self.compound_id, CompoundType.from_model)

    @strawberry.field(description="All terms, first term first.")
    def terms(self, info: Info) -> list[CommitteeTermType]:
        return info.context.loaders.terms_by_committee.resolve(
            self.db_id, lambda rows: [CommitteeTermType.from_model(r) for r in rows]
        )

    @strawberry.field(description="The latest term (the current one unless it has expired).")
    def current_term(self, info: Info) -> CommitteeTermType | None:
        return info.context.loaders.terms_by_committee.resolve(
            self.db_id, lambda rows: CommitteeTermType.from_model(rows[-1]) if rows else None
        )

    @strawberry.field(description="True when the latest term ended before today (换届逾期).")
    def term_expired(self, info: Info) -> bool:
        today = info.context.today
        return info.context.loaders.terms_by_committee.resolve(
            self.db_id, lambda rows: bool(rows) and rows[-1].ends_on < today
        )

    @classmethod
    def from_model(cls, row: m.OwnersCommittee) -> OwnersCommitteeType:
        return cls(
            db_id=row.id, founded_on=row.founded_on, status=row.status, compound_id=row.compound_id
        )


register("CommitteeTerm", members=via(lambda loaders: loaders.members_by_term, "id", None))
register(
    "OwnersCommittee",
    compound=via(lambda loaders: loaders.compound, "compound_id", "Compound"),
    terms=via(lambda loaders: loaders.terms_by_committee, "id", "CommitteeTerm"),
    currentTerm=via(lambda loaders: loaders.terms_by_committee, "id", "CommitteeTerm"),
    termExpired=via(lambda loaders: loaders.terms_by_committee, "id", None),
)


@strawberry.input(description="Conditions on owners' committees; all given conditions must hold.")
class CommitteeFilterInput:
    town_code: str | None = strawberry.field(default=None, description="In this town.")
    community_code: str | None = strawberry.field(default=None, description="In this community.")
    status: CommitteeStatus | None = strawberry.field(default=None, description="In this state.")

    def to_filter(self) -> CommitteeFilter:
        return CommitteeFilter(
            town_code=self.town_code, community_code=self.community_code, status=self.status
        )


@strawberry.enum(description="Orderings of committee lists.")
class CommitteeOrder(enum.Enum):
    COMPOUND_CODE = strawberry.enum_value("COMPOUND_CODE", description="By compound code.")
    FOUNDED_ON = strawberry.enum_value("FOUNDED_ON", description="Oldest committee first.")
