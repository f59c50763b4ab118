"""Bad input over HTTP answers BAD_USER_INPUT naming the problem, never INTERNAL (issue #12, 3).

Generated from the schema, not sampled:
- every list of the schema (a root field returning a connection with ``after``) × every ordering
  it offers × forged cursors (each sort value replaced by values of every other kind, and
  cursors of other lists, old, truncated or garbage ones);
- every string input of every mutation × a NUL character, a lone surrogate and an overlong
  value: refused before anything is written, with the mutation's ``invalid`` audit entry;
- every mutation input that a service stores, one character longer than its column:
  ``ValidationFailed`` naming the field (PostgreSQL said "value too long", SQLite stored it).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    get_named_type,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.domain.membership import OTHER_TEXT_LENGTH
from hub.domain.text import MAX_SEARCH_LENGTH, MAX_TEXT_LENGTH, NAME_LENGTH
from hub.graphql import relay
from hub.graphql.relay import INT64_MAX, encode_cursor, encode_global_id, sort_value_kind
from hub.graphql.schema import build_schema
from hub.services.audit import NEWEST_FIRST as AUDIT_NEWEST
from hub.services.compounds import ORDERINGS as COMPOUND_ORDERINGS
from hub.services.paging import Ordering
from hub.services.validation import column_length
from hub.store import models as m
from hub.store.base import Base
from hub.store.models import (
    AuditEntry,
    CommitteeAssessment,
    CommitteeTraining,
    FundApplication,
    FundDisbursement,
    LedgerEvent,
    LedgerItem,
    OwnerCreditObjection,
    OwnerCreditRecord,
    RepairAcceptance,
    RepairProject,
)
from tests.conftest import DEMO_TODAY, GraphQLCall

GqlAs = Callable[[str | None], Awaitable[GraphQLCall]]


@pytest.fixture
def gql_as(client: httpx.AsyncClient, api_key: Callable[[str], Awaitable[str]]) -> GqlAs:
    """Like the shared ``gql_as``, but the body is JSON with ``\\u`` escapes (as most JSON
    clients write it): a lone surrogate can be sent, which UTF-8 cannot carry."""

    async def as_unit(unit: str | None) -> GraphQLCall:
        headers = {"Content-Type": "application/json"}
        if unit:
            headers["Authorization"] = f"Bearer {await api_key(unit)}"

        async def call(query: str, **variables: Any) -> dict[str, Any]:
            body = json.dumps({"query": query, "variables": variables})
            response = await client.post("/graphql", content=body, headers=headers)
            assert response.status_code == 200, response.text
            answer: dict[str, Any] = response.json()
            return answer

        return call

    return as_unit


@pytest.fixture
async def gql(gql_as: GqlAs) -> GraphQLCall:
    """As 住建局, through the escaping caller."""
    return await gql_as("zjj")


SCHEMA = build_schema()._schema
READERS = ("dcs", "zjj", "town-150627100", "community-150627100001")
"""Units tried in turn until one may read a list (the inspection office reads almost all)."""

COMPOUNDS_BY_NAME = COMPOUND_ORDERINGS["NAME"]

SQL_TEXT = re.compile(r"select |insert |sqlalchemy|asyncpg|sqlite3|\[sql|bound param", re.I)


def assert_bad_user_input(body: dict[str, Any], *, needle: str | None = None) -> str:
    """One BAD_USER_INPUT error without SQL text (and naming ``needle``); its message."""
    errors = body.get("errors") or []
    assert len(errors) == 1, body
    error = errors[0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert not SQL_TEXT.search(error["message"]), error
    assert body.get("data") is None, body
    if needle is not None:
        assert needle in error["message"], error
    message: str = error["message"]
    return message


# --- cursors ----------------------------------------------------------------------------------


def list_fields() -> Iterator[tuple[str, list[str | None]]]:
    """(root field, its orderings) of every list of the schema."""
    assert SCHEMA.query_type is not None
    for name, field in SCHEMA.query_type.fields.items():
        if "after" not in field.args or not get_named_type(field.type).name.endswith("Connection"):
            continue
        order = field.args.get("orderBy")
        enum = get_named_type(order.type) if order else None
        yield name, list(enum.values) if isinstance(enum, GraphQLEnumType) else [None]


LISTS = [(name, order) for name, orders in list_fields() for order in orders]


def page_query(field: str, order: str | None) -> str:
    ordering = f", orderBy: {order}" if order else ""
    return (
        f"query($after: String) {{ {field}(first: 1, after: $after{ordering}) "
        "{ edges { cursor } } }"
    )


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode()


def forge(ordering: Ordering, values: list[Any]) -> str:
    """A cursor of the list's own envelope around any values."""
    return b64(json.dumps([ordering.subject, ordering.name, values], separators=(",", ":")))


SAMPLE = {
    "int": 1,
    "float": 1.5,
    "str": "a",
    "date": "2024-03-01",
    "timestamp": "2026-01-02T03:04:05+00:00",
}
"""A sort value of each kind, as a cursor writes it."""

FORGED: list[tuple[str, Any]] = [
    ("int64+1", INT64_MAX + 1),
    ("-1", -1),
    ("float", 1.5),
    ("NaN string", "NaN"),
    ("bool", True),
    ("null", None),
    ("list", [1, 2]),
    ("object", {"d": "2024-03-01"}),
    ("empty string", ""),
    ("very long string", "长" * 5000),
    ("NUL byte", "a\x00b"),
    ("lone surrogate", "\ud800"),
    ("date in the wrong format", "01/03/2024"),
    ("date where a timestamp belongs", "2024-03-01"),
    ("huge float", 1e308),
    ("int", 3),
]

VALID_FOR = {
    "int": {"int"},
    "float": {"float", "huge float"},
    "str": {"NaN string", "empty string", "date in the wrong format"}
    | {"date where a timestamp belongs"},
    "date": {"date where a timestamp belongs"},
    "timestamp": set(),
}
"""Forged values that are genuinely of the kind (a name may be "NaN"): not forgeries there."""


@pytest.fixture
def orderings(monkeypatch: pytest.MonkeyPatch) -> list[Ordering]:
    """The orderings lists hand to the cursor decoder, in the order of the requests."""
    seen: list[Ordering] = []
    original = relay.decode_cursor

    def spy(cursor: str, ordering: Ordering) -> Any:
        seen.append(ordering)
        return original(cursor, ordering)

    monkeypatch.setattr(relay, "decode_cursor", spy)
    return seen


def another_lists_cursor(ordering: Ordering) -> str:
    """A valid cursor of another list (the audit log's, or the compounds' for the audit log)."""
    other = AUDIT_NEWEST if ordering.subject != AUDIT_NEWEST.subject else COMPOUNDS_BY_NAME
    position = (datetime(2026, 1, 2, tzinfo=UTC), 1) if other is AUDIT_NEWEST else ("a", 1)
    return encode_cursor(other, position)


@pytest.mark.parametrize(("field", "order"), LISTS, ids=[f"{f}-{o}" for f, o in LISTS])
async def test_every_forged_cursor_is_bad_user_input(
    gql_as: GqlAs, orderings: list[Ordering], field: str, order: str | None
) -> None:
    """Each list refuses every forged cursor with BAD_USER_INPUT, and pages with its own."""
    query = page_query(field, order)
    for unit in READERS:
        gql = await gql_as(unit)
        body = await gql(query, after="x")
        if body["errors"][0]["extensions"]["code"] != "FORBIDDEN":
            break
    assert_bad_user_input(body, needle="the cursor is not one of this list's")
    ordering = orderings[-1]
    kinds = [sort_value_kind(key)[0] for key in ordering.keys]
    template = [SAMPLE[kind] for kind in kinds]

    # The list's own cursor, and a genuine one of a row if the list has rows, are accepted.
    own = await gql(query, after=forge(ordering, template))
    assert "errors" not in own, own
    first = await gql(query)
    edges = first["data"][field]["edges"]
    if edges:
        assert "errors" not in await gql(query, after=edges[0]["cursor"])

    forged: list[tuple[str, str]] = []
    for position, kind in enumerate(kinds):
        for label, value in FORGED:
            if label in VALID_FOR[kind]:
                continue
            values = list(template)
            values[position] = value
            forged.append((f"{label} at {position}", forge(ordering, values)))
    forged += [
        ("empty cursor", ""),
        ("non-base64", "%%%不是"),
        ("base64 garbage", base64.urlsafe_b64encode(bytes(range(256))).decode()),
        ("not JSON", b64("not json")),
        ("one key part too few", forge(ordering, template[:-1])),
        ("one key part too many", forge(ordering, [*template, 1])),
        ("old format", b64(json.dumps([ordering.name, template]))),
        ("JSON NaN", b64(f'["{ordering.subject}","{ordering.name}",[NaN]]')),
        ("deeply nested", b64("[" * 3000)),
        ("very long cursor", "A" * 20_000),
        ("NUL in the cursor", forge(ordering, template) + "\x00"),
        ("lone surrogate in the cursor", "\ud800"),
        ("another ordering's name", b64(json.dumps([ordering.subject, "OTHER", template]))),
        ("another list's valid cursor", another_lists_cursor(ordering)),
    ]
    for label, cursor in forged:
        body = await gql(query, after=cursor)
        try:
            assert_bad_user_input(body)
        except AssertionError as exc:
            raise AssertionError(f"{field}({order}) with {label}: {body}") from exc


async def test_cursor_of_compounds_does_not_page_enterprises(gql: GraphQLCall) -> None:
    """A `compounds` cursor ordered by NAME is refused by `enterprises` ordered by NAME."""
    page = await gql("{ compounds(first: 3, orderBy: NAME) { pageInfo { endCursor } } }")
    cursor = page["data"]["compounds"]["pageInfo"]["endCursor"]
    body = await gql(page_query("enterprises", "NAME"), after=cursor)
    assert_bad_user_input(body, needle="made for another list")


async def test_ledger_items_page_past_the_first_page(gql_as: GqlAs) -> None:
    """Cursors of timestamp orderings page (they were refused as malformed before)."""
    gql = await gql_as("zjj")
    query = "query($a: String) { ledgerItems(first: 1, after: $a) { edges { cursor } } }"
    first = await gql(query)
    edges = first["data"]["ledgerItems"]["edges"]
    assert edges, first
    second = await gql(query, a=edges[0]["cursor"])
    assert "errors" not in second, second


# --- global IDs -------------------------------------------------------------------------------


def raw_id(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "text",
    [
        f"Compound:{INT64_MAX + 1}",
        "Compound: 5",
        "Compound:5_0",
        "Compound:٣",
        "Compound:05",
        "Compound:+5",
        "Compound:5\x00",
    ],
)
@pytest.mark.parametrize("field", ["node", "compound"])
async def test_non_canonical_global_ids_are_refused(
    gql: GraphQLCall, text: str, field: str
) -> None:
    """Only the hub's own spelling of a global ID resolves; others are BAD_USER_INPUT."""
    body = await gql(f"query($id: ID!) {{ {field}(id: $id) {{ id }} }}", id=raw_id(text))
    assert_bad_user_input(body, needle="not a valid global ID")


async def test_canonical_global_id_still_resolves(gql: GraphQLCall) -> None:
    """The hub's own IDs still resolve through `node` (the check is not too strict)."""
    page = await gql("{ compounds(first: 1) { nodes { id } } }")
    compound_id = page["data"]["compounds"]["nodes"][0]["id"]
    body = await gql("query($id: ID!) { node(id: $id) { id } }", id=compound_id)
    assert body["data"]["node"]["id"] == compound_id


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables", "needle"),
    [
        (
            "query($f: CompoundFilterInput) { compounds(filter: $f) { totalCount } }",
            {"f": {"nameContains": "%" * 50_000}},
            "$f.nameContains: must be at most 200 characters",
        ),
        (
            "query($f: EnterpriseFilterInput) { enterprises(filter: $f) { totalCount } }",
            {"f": {"nameContains": "x" * (MAX_SEARCH_LENGTH + 1)}},
            "$f.nameContains: must be at most 200",
        ),
        (
            "query($f: CompoundFilterInput) { compounds(filter: $f) { totalCount } }",
            {"f": {"nameContains": "a\x00b"}},
            "NUL",
        ),
        (
            "query($f: CompoundFilterInput) { compounds(filter: $f) { totalCount } }",
            {"f": {"townCode": "\ud800"}},
            "lone UTF-16 surrogate",
        ),
        (
            '{ compounds(filter: {nameContains: "a\\u0000b"}) { totalCount } }',
            {},
            "filter.nameContains: must not contain a NUL",
        ),
        (
            "{ enterprises(filter: {nameContains: " + json.dumps("y" * 300) + "}) { totalCount } }",
            {},
            "filter.nameContains: must be at most 200",
        ),
        (
            "query($u: String) { enterprise(uscc: $u) { id } }",
            {"u": "9" * (MAX_TEXT_LENGTH + 1)},
            "$u: must be at most 4,000",
        ),
    ],
)
async def test_bad_filter_strings_are_bad_user_input(
    gql: GraphQLCall, query: str, variables: dict[str, Any], needle: str
) -> None:
    """Search strings are capped, and no string may carry a NUL or a lone surrogate."""
    assert_bad_user_input(await gql(query, **variables), needle=needle)


# --- mutations --------------------------------------------------------------------------------

WRITER = "community-150627100001"
"""A community: it may run most mutations (the check refuses before permissions anyway)."""


def sample(type_: GraphQLInputType, *, day: date) -> Any:
    """A value of the type, of the right shape (required fields only)."""
    if isinstance(type_, GraphQLNonNull):
        return sample(type_.of_type, day=day)
    if isinstance(type_, GraphQLList):
        return [sample(type_.of_type, day=day)]
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: sample(field.type, day=day)
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        }
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    assert isinstance(type_, GraphQLScalarType)
    return {
        "String": "x",
        "ID": encode_global_id("Compound", 1),
        "Int": 1,
        "Float": 1.0,
        "Boolean": False,
        "Date": day.isoformat(),
        "Decimal": "1",
    }[type_.name]


def string_paths(type_: GraphQLInputType, path: tuple[str | int, ...]) -> Iterator[tuple[Any, ...]]:
    """Where a string goes in a value of the type (every String and ID, at any depth)."""
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(named, GraphQLList):
        yield from string_paths(named.of_type, (*path, 0))
    elif isinstance(named, GraphQLInputObjectType):
        for name, field in named.fields.items():
            yield from string_paths(field.type, (*path, name))
    elif isinstance(named, GraphQLScalarType) and named.name in ("String", "ID"):
        yield path


def mutation_fields() -> dict[str, GraphQLField]:
    assert SCHEMA.mutation_type is not None
    return dict(SCHEMA.mutation_type.fields)


STRING_INPUTS = [
    (name, path)
    for name, field in mutation_fields().items()
    for arg, definition in field.args.items()
    for path in string_paths(definition.type, (arg,))
]


def mutation_document(name: str) -> str:
    field = mutation_fields()[name]
    declared = ", ".join(f"${arg}: {d.type}" for arg, d in field.args.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    return (
        f"mutation Probe({declared}) {{ {name}({passed}) "
        "{ __typename ... on ValidationFailed { message field } } }"
    )


def variables_with(name: str, path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """Every argument of the mutation with a plausible value, and ``value`` at ``path``."""
    day = (DEMO_TODAY - timedelta(days=1)).date()
    field = mutation_fields()[name]
    variables = {arg: sample(d.type, day=day) for arg, d in field.args.items()}
    variables[path[0]] = variables.get(path[0])
    holder: Any = variables
    for step in path[:-1]:
        if isinstance(holder, dict) and holder.get(step) is None:
            nxt = path[path.index(step) + 1]
            holder[step] = [{}] if isinstance(nxt, int) else {}
        holder = holder[step]
    holder[path[-1]] = value
    return variables


async def row_counts(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessionmaker() as session:
        return {
            table.name: (
                await session.execute(sa.select(sa.func.count()).select_from(table))
            ).scalar_one()
            for table in Base.metadata.sorted_tables
            if table.name != "api_clients"  # the test's callers' keys
        }


BAD_STRINGS = [
    ("NUL", "a\x00b", "must not contain a NUL"),
    ("lone surrogate", "a\ud800", "lone UTF-16 surrogate"),
    ("overlong", "长" * (MAX_TEXT_LENGTH + 1), "must be at most 4,000 characters"),
]


@pytest.mark.parametrize(
    ("mutation", "path"),
    STRING_INPUTS,
    ids=[f"{m}-{'.'.join(map(str, p))}" for m, p in STRING_INPUTS],
)
async def test_bad_strings_in_every_mutation_input_are_refused_and_audited(
    gql_as: GqlAs,
    sessionmaker: async_sessionmaker[AsyncSession],
    mutation: str,
    path: tuple[Any, ...],
) -> None:
    """A NUL, a lone surrogate or an overlong value in any string input: BAD_USER_INPUT naming
    it, nothing written, and the refused mutation's `invalid` audit entry."""
    gql = await gql_as(WRITER)
    named = "$" + ".".join(str(step) for step in path if not isinstance(step, int))
    for label, value, problem in BAD_STRINGS:
        before = await row_counts(sessionmaker)
        body = await gql(mutation_document(mutation), **variables_with(mutation, path, value))
        message = assert_bad_user_input(body, needle=problem)
        assert message.startswith(named), (label, message)
        after = await row_counts(sessionmaker)
        assert after.pop("audit_log") == before.pop("audit_log") + 1, label
        assert after == before, label
        async with sessionmaker() as session:
            entry = await session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()))
        assert entry is not None
        assert (entry.action, entry.outcome, entry.operation) == (mutation, "invalid", "Probe")


STORED: dict[tuple[str, str], tuple[Any, str]] = {
    ("ledgerItemCreate", "title"): (LedgerItem.title, "title"),
    ("ledgerItemCreate", "description"): (LedgerItem.description, "description"),
    ("ledgerItemTransition", "note"): (LedgerEvent.note, "note"),
    ("ledgerItemEscalate", "reason"): (LedgerEvent.note, "reason"),
    ("assessmentRecord", "input.items.itemCode"): (m.AssessmentItem.item_code, "items[0].itemCode"),
    ("assessmentRecord", "input.items.note"): (m.AssessmentItem.note, "items[0].note"),
    ("repairProjectCreate", "input.title"): (RepairProject.title, "title"),
    ("repairAcceptanceRecord", "note"): (RepairAcceptance.note, "note"),
    ("committeeElectionRecord", "input.members.name"): (NAME_LENGTH, "members[0].name"),
    ("committeeTrainingRecord", "input.topic"): (CommitteeTraining.topic, "topic"),
    ("committeeAssessmentRecord", "input.reward"): (CommitteeAssessment.reward, "reward"),
    ("committeeAssessmentRecord", "input.note"): (CommitteeAssessment.note, "note"),
    ("fundApplicationCreate", "input.purpose"): (FundApplication.purpose, "purpose"),
    ("fundApplicationCreate", "input.executorName"): (
        FundApplication.executor_name,
        "executorName",
    ),
    ("fundDisbursementRecord", "input.note"): (FundDisbursement.note, "note"),
    ("ownerCreditRecordCreate", "input.name"): (NAME_LENGTH, "name"),
    ("ownerCreditRecordCreate", "input.basis"): (OwnerCreditRecord.basis, "basis"),
    ("ownerCreditObjectionFile", "input.reason"): (OwnerCreditObjection.reason, "reason"),
    ("ownerCreditObjectionDecide", "input.note"): (OwnerCreditObjection.decision_note, "note"),
    # Master data: checked by hub.domain.master_data (its messages are Chinese, see LIMIT_SAID).
    ("memberUnitCreate", "input.code"): (m.MemberUnit.code, "code"),
    ("memberUnitCreate", "input.name"): (m.MemberUnit.name, "name"),
    ("memberUnitUpdate", "input.name"): (m.MemberUnit.name, "name"),
    ("memberUnitRetire", "reason"): (m.MemberUnit.retired_reason, "reason"),
    ("communityCreate", "input.code"): (m.Jurisdiction.code, "code"),
    ("communityCreate", "input.name"): (m.Jurisdiction.name, "name"),
    ("communityUpdate", "input.name"): (m.Jurisdiction.name, "name"),
    ("communityRetire", "reason"): (m.Jurisdiction.retired_reason, "reason"),
    ("compoundCreate", "input.code"): (m.Compound.code, "code"),
    ("compoundCreate", "input.name"): (m.Compound.name, "name"),
    ("compoundCreate", "input.address"): (m.Compound.address, "address"),
    ("compoundUpdate", "input.code"): (m.Compound.code, "code"),
    ("compoundUpdate", "input.name"): (m.Compound.name, "name"),
    ("compoundUpdate", "input.address"): (m.Compound.address, "address"),
    ("compoundRetire", "reason"): (m.Compound.retired_reason, "reason"),
    ("residentCreate", "input.name"): (NAME_LENGTH, "name"),
    ("residentCreate", "input.building"): (m.Resident.building, "building"),
    ("residentCreate", "input.room"): (m.Resident.room, "room"),
    ("residentUpdate", "input.name"): (NAME_LENGTH, "name"),
    ("residentUpdate", "input.building"): (m.Resident.building, "building"),
    ("residentUpdate", "input.room"): (m.Resident.room, "room"),
    ("residentRetire", "reason"): (m.Resident.retired_reason, "reason"),
    ("committeeMemberJoin", "input.name"): (NAME_LENGTH, "name"),
    ("committeeMemberLeave", "input.reasonText"): (OTHER_TEXT_LENGTH, "reasonText"),
    ("enterpriseLocalCreate", "input.name"): (m.Enterprise.name, "name"),
    ("enterpriseLocalCreate", "input.legalRepresentative"): (
        m.Enterprise.legal_representative,
        "legalRepresentative",
    ),
    ("enterpriseLocalCreate", "input.registeredAddress"): (
        m.Enterprise.registered_address,
        "registeredAddress",
    ),
    ("enterpriseLocalUpdate", "input.name"): (m.Enterprise.name, "name"),
    ("enterpriseLocalUpdate", "input.legalRepresentative"): (
        m.Enterprise.legal_representative,
        "legalRepresentative",
    ),
    ("enterpriseLocalUpdate", "input.registeredAddress"): (
        m.Enterprise.registered_address,
        "registeredAddress",
    ),
}
"""Each mutation text a service stores: the column that keeps it, and the field it names."""

NOT_STORED_AS_SENT = {
    ("committeeElectionRecord", "input.members.phone"),  # normalised: hub.domain.pii
    ("ownerCreditRecordCreate", "input.idNumber"),  # a resident ID number: validated
    ("syncTrigger", "source"),  # a source name, looked up
    ("reconciliationResolve", "communityCode"),  # a community code, looked up
    ("memberUnitCreate", "input.jurisdictionCode"),  # looked up
    ("memberUnitUpdate", "input.jurisdictionCode"),
    ("communityCreate", "input.townCode"),
    ("compoundCreate", "input.communityCode"),
    ("compoundUpdate", "input.communityCode"),
    ("residentCreate", "input.compoundCode"),
    ("residentCreate", "input.idNumber"),  # a resident ID number: validated
    ("residentUpdate", "input.idNumber"),
    ("residentCreate", "input.phone"),  # normalised: hub.domain.pii
    ("residentUpdate", "input.phone"),
    ("committeeMemberJoin", "input.phone"),
    ("enterpriseLocalCreate", "input.uscc"),  # a USCC: validated (GB 32100)
}


def dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(step) for step in path if not isinstance(step, int))


def is_id(mutation: str, path: tuple[Any, ...]) -> bool:
    field = mutation_fields()[mutation]
    type_: Any = field.args[path[0]].type
    for step in path[1:]:
        type_ = get_named_type(type_)
        if isinstance(step, int):
            continue
        type_ = type_.fields[step].type
    return get_named_type(type_).name == "ID"


def test_every_mutation_text_is_known_to_be_stored_or_not() -> None:
    """A new string input of a mutation must say where it is kept (so its length is checked)."""
    texts = {(m_, dotted(p)) for m_, p in STRING_INPUTS if not is_id(m_, p)}
    assert texts == set(STORED) | NOT_STORED_AS_SENT


EXPECTED_ID = re.compile(r"the ID is of a \w+, expected an? (\w+)")
WRITERS = ("community-150627100001", "town-150627100", "zjj")


LIMIT_SAID = ("at most {:,} characters", "不能超过 {} 个字符")
"""How a refusal of an overlong text says the limit: the services' English, or the Chinese of
hub.domain.master_data (whose messages are written for staff)."""


def _length(column: Any) -> int:
    return column if isinstance(column, int) else column_length(column)


LIMITED = [key for key, (column, _) in STORED.items() if _length(column) < MAX_TEXT_LENGTH]
"""The stored texts with a length of their own (the others, Text columns, are capped at
MAX_TEXT_LENGTH by the input check, tested above)."""


@pytest.mark.parametrize(("mutation", "path"), LIMITED, ids=[f"{a}-{b}" for a, b in LIMITED])
async def test_text_one_character_over_its_column_is_validation_failed(
    gql_as: GqlAs, sessionmaker: async_sessionmaker[AsyncSession], mutation: str, path: str
) -> None:
    """One character more than the column holds: ValidationFailed naming the field, nothing
    written, on both databases (PostgreSQL said "value too long" and SQLite stored it)."""
    column, field = STORED[(mutation, path)]
    length = _length(column)
    steps = next(p for m_, p in STRING_INPUTS if m_ == mutation and dotted(p) == path)
    variables = variables_with(mutation, steps, "长" * (length + 1))
    before = await row_counts(sessionmaker)
    result: dict[str, Any] = {}
    for unit in WRITERS:
        gql = await gql_as(unit)
        for _ in range(4):  # give each ID the type the mutation expects
            body = await gql(mutation_document(mutation), **variables)
            assert "errors" not in body, body
            result = body["data"][mutation]
            wrong = EXPECTED_ID.search(result.get("message") or "")
            if result["__typename"] != "ValidationFailed" or not wrong:
                break
            id_steps = next(
                p
                for m_, p in STRING_INPUTS
                if m_ == mutation and dotted(p).endswith(str(result["field"]))
            )
            holder: Any = variables
            for step in id_steps[:-1]:
                holder = holder[step]
            holder[id_steps[-1]] = encode_global_id(wrong[1], 1)
        if result["__typename"] != "NotPermitted":
            break
    assert result["__typename"] == "ValidationFailed", result
    assert result["field"] == field, result
    assert any(said.format(length) in result["message"] for said in LIMIT_SAID), result
    after = await row_counts(sessionmaker)
    assert after.pop("audit_log") > before.pop("audit_log")  # the refusal is audited
    assert after == before
