"""Where the connectors' terms cross into the hub: their errors and their words.

Connectors know nothing of the hub (``connectors/`` imports nothing from ``hub/``), so the sync
layer translates what they hand over:

- ``upstream_error``: a connector's ``connectors.errors.UpstreamUnavailable`` becomes the hub's
  (``hub.errors.UpstreamUnavailable``, code ``UPSTREAM_UNAVAILABLE``, same message and details),
  or ``UpstreamPaused`` when the upstream asked to wait too long or its breaker is open, which
  stops a sync as PARTIAL instead of failing it;
- ``store_values``: the enumerated fields of a mapped record, in the connectors' own words
  (``connectors.enums``), become the hub's enums (``hub.domain.enums``) as the sinks write them.
  The table is checked when this module is imported: a connector word the hub has no member
  for fails at once, not when the first such record arrives.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from connectors import enums as wire
from connectors import errors as connector_errors
from connectors.core import Entity
from hub.domain import enums as hub
from hub.errors import UpstreamPaused, UpstreamUnavailable


def upstream_error(exc: connector_errors.UpstreamUnavailable) -> UpstreamUnavailable:
    """The hub's error for a connector's failure (raise it ``from`` the connector's)."""
    paused = isinstance(exc, connector_errors.RetryAfterTooLong | connector_errors.CircuitOpen)
    kind = UpstreamPaused if paused else UpstreamUnavailable
    return kind(str(exc), **exc.details())


def _words(source: type[enum.StrEnum], target: type[enum.StrEnum]) -> dict[Any, Any]:
    """Each member of a connector enum → the hub's member of the same value."""
    return {member: target(member.value) for member in source}


# Entity → column → (connector word → hub enum member).
_ENUM_COLUMNS: dict[Entity, dict[str, dict[Any, Any]]] = {
    Entity.ENTERPRISE: {"status": _words(wire.EnterpriseStatus, hub.EnterpriseStatus)},
    Entity.CREDIT_RECORD: {
        "category": _words(wire.CreditCategory, hub.CreditCategory),
        "level": _words(wire.CreditLevel, hub.CreditLevel),
    },
    Entity.SERVICE_CONTRACT: {"selection": _words(wire.SelectionMethod, hub.SelectionMethod)},
    Entity.INSPECTION: {"kind": _words(wire.AssessmentKind, hub.AssessmentKind)},
    Entity.TENDER: {
        "selection": _words(wire.SelectionMethod, hub.SelectionMethod),
        "method": _words(wire.TenderMethod, hub.TenderMethod),
        "status": _words(wire.TenderStatus, hub.TenderStatus),
    },
    Entity.CONNECTION_TASK: {
        "utility_kind": _words(wire.UtilityKind, hub.UtilityKind),
        "kind": _words(wire.ConnectionTaskKind, hub.ConnectionTaskKind),
        "status": _words(wire.ConnectionTaskStatus, hub.ConnectionTaskStatus),
    },
    Entity.OUTAGE: {"utility_kind": _words(wire.UtilityKind, hub.UtilityKind)},
}


def store_values(entity: Entity, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a mapped record's fields with its enumerated ones in the hub's enums."""
    values = dict(fields)
    for column, words in _ENUM_COLUMNS.get(entity, {}).items():
        value = values.get(column)
        if value is not None:
            values[column] = words[value]
    return values
