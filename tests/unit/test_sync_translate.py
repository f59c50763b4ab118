"""Where the connectors' terms cross into the hub (``hub.sync.translate``): errors, words, names
and the USCC check, each held to what the hub itself says (no I/O)."""

from __future__ import annotations

import enum
import random
from datetime import UTC, datetime

import pytest

from connectors import enums as wire
from connectors import errors as connector_errors
from connectors.core import Entity
from connectors.errors import CircuitOpen, PagingLoop, RetryAfterTooLong, UpstreamAuthFailed
from connectors.identifiers import uscc_problem
from connectors.ordos.client import SOURCE as ORDOS
from connectors.ordos.client import OrdosConnector
from connectors.tender.client import SOURCE as TENDER
from connectors.utility.client import utility_source
from hub.domain import enums as hub
from hub.domain.identifiers import USCC_ALPHABET, uscc_check_char, validate_uscc
from hub.domain.sources import Source
from hub.domain.sources import utility_source as hub_utility_source
from hub.errors import InvalidValue, UpstreamPaused, UpstreamUnavailable
from hub.sync.translate import store_values, upstream_error

ENTERPRISE = {
    "id": "ENT-000045",
    "uscc": "91150627MA097AXL2A",
    "name": "内蒙古泰瑞物业管理有限责任公司",
    "legalRepresentative": "云慧怡",
    "registeredAddress": "内蒙古自治区鄂尔多斯市伊金霍洛旗纳林陶亥镇民族街55号",
    "areaCode": "150627",
    "registeredCapital": 300.0,
    "foundedOn": "2018-06-26",
    "status": "停业",
    "creditScore": 88.0,
    "creditGrade": "AAA",
    "creditEvaluatedOn": "2026-09-30",
    "updatedAt": "2026-10-02T22:07:50.058Z",
}


def test_every_connector_word_has_the_hubs_enum_member_of_its_value() -> None:
    """Each wire enum's members exist, with the same values, in the hub enum of the same name."""
    for name, source in vars(wire).items():
        if isinstance(source, type) and issubclass(source, enum.StrEnum):
            if source is enum.StrEnum:
                continue
            target = getattr(hub, name)
            assert {m.value for m in source} <= {m.value for m in target}, name


def test_mapped_enumerated_fields_become_the_hubs_enums() -> None:
    """A mapped enterprise's status is the connectors' word until the sink writes it, then the
    hub's ``EnterpriseStatus``; other fields pass unchanged, the record itself stays as it is."""
    connector = OrdosConnector(base_url="https://ordos.test", client_id="hub", client_secret="s")
    mapped = connector.parse(connector.streams[0], ENTERPRISE)
    assert mapped.fields["status"] is wire.EnterpriseStatus.SUSPENDED
    values = store_values(Entity.ENTERPRISE, mapped.fields)
    assert values["status"] is hub.EnterpriseStatus.SUSPENDED
    assert {k: v for k, v in values.items() if k != "status"} == {
        k: v for k, v in mapped.fields.items() if k != "status"
    }
    assert mapped.fields["status"] is wire.EnterpriseStatus.SUSPENDED


def test_task_fields_of_every_kind_are_translated() -> None:
    """A connection task's utility kind, kind and status all become the hub's members."""
    fields = {
        "utility_kind": wire.UtilityKind.HEAT,
        "kind": wire.ConnectionTaskKind.METER_INSTALLATION,
        "status": wire.ConnectionTaskStatus.DONE,
        "households": 12,
    }
    values = store_values(Entity.CONNECTION_TASK, fields)
    assert values["utility_kind"] is hub.UtilityKind.HEAT
    assert values["kind"] is hub.ConnectionTaskKind.METER_INSTALLATION
    assert values["status"] is hub.ConnectionTaskStatus.DONE
    assert values["households"] == 12


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (
            connector_errors.UpstreamUnavailable("ordos", op="read", reason="503"),
            UpstreamUnavailable,
        ),
        (PagingLoop("ordos", op="read", reason="token repeated"), UpstreamUnavailable),
        (UpstreamAuthFailed("ordos", op="read", reason="401"), UpstreamUnavailable),
        (CircuitOpen("ordos", op="read", reason="breaker open"), UpstreamPaused),
        (RetryAfterTooLong("ordos", op="read", reason="429", retry_after=120), UpstreamPaused),
    ],
)
def test_connector_errors_become_the_hubs_upstream_unavailable(
    error: connector_errors.UpstreamUnavailable, kind: type[UpstreamUnavailable]
) -> None:
    """A connector's failure is the hub's UPSTREAM_UNAVAILABLE with its message and details; a
    pause (breaker open, Retry-After beyond the cap) is ``UpstreamPaused``, the rest are not."""
    translated = upstream_error(error)
    assert type(translated) is kind
    assert translated.message == str(error)
    assert translated.extensions() == {**error.details(), "code": "UPSTREAM_UNAVAILABLE"}
    assert not isinstance(error, UpstreamUnavailable)


def test_connector_source_names_are_the_hubs() -> None:
    """The connectors name their sources as ``hub.domain.sources`` does."""
    assert (ORDOS, TENDER) == (Source.ORDOS.value, Source.TENDER.value)
    assert utility_source("utility-gas") == hub_utility_source("utility-gas")


def _usccs() -> list[str]:
    """Valid USCCs, each with a wrong check character, a bad letter, a wrong length, lower
    case and padding: the values both checks must agree on."""
    rng = random.Random(13)
    out = []
    for _ in range(200):
        body = "91150627" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        code = body + uscc_check_char(body)
        wrong = USCC_ALPHABET[(USCC_ALPHABET.index(code[-1]) + 1) % len(USCC_ALPHABET)]
        out += [code, body + wrong, body[:-1] + "I" + code[-1], code[:-1], f" {code.lower()} "]
    return out


def test_connector_uscc_check_agrees_with_the_hubs_validator() -> None:
    """The connectors' copy of the GB 32100 check gives the hub's answer and reason for every
    value (a record it refuses is one the hub would refuse, in the same words)."""
    for value in _usccs():
        code, problem = uscc_problem(value)
        try:
            expected = validate_uscc(value, field="uscc")
        except InvalidValue as exc:
            assert problem == exc.reason, value
        else:
            assert (code, problem) == (expected, None), value


def test_translation_keeps_naive_values_alone() -> None:
    """Non-enumerated values, timestamps included, are copied as they are."""
    moment = datetime(2026, 11, 24, 23, 31, tzinfo=UTC)
    assert store_values(Entity.OUTAGE, {"starts_at": moment})["starts_at"] is moment
