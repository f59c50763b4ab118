"""The toolkit every sandbox (fake upstream) is built with, and the sandboxes' demo credentials.

A sandbox is a Starlette app implementing a platform's ``CONTRACT.md`` with deterministic data
derived from an injected ``World`` (the hub builds it from its demo data set: ``hub.demo.world``)
and fault knobs. The pieces live in ``connectors.sandbox``:

- ``World`` / ``WorldIndex`` / ``index_of``: the data a sandbox serves, and its look-ups;
- ``RecordStore`` / ``StoredRecord``: a stream's records in ``(updatedAt, id)`` order;
- ``serve_page`` / ``PagingKind``: the window ``[updatedFrom, updatedTo)`` and the paging kinds;
- ``Faults`` / ``FaultSchedule``: the knobs, drawn from a seeded RNG;
- ``Sandbox`` / ``StreamDef``: the data, its truth and its changes (the Python handle of tests);
- ``ApiKeyCheck`` / ``OAuth2Issuer`` / ``HmacVerifier``: the three auth kinds, as checked upstream;
- ``sandbox_app``: the app with the platform's auth and envelope, and the ``/_sandbox/…`` admin
  endpoints (truth, faults, mutate, reset).

Admin endpoints of every sandbox (no auth; the sandbox's own, not the platform's):
``GET /_sandbox/truth`` (per stream: live ids → ``updatedAt``, deleted ids → ``updatedAt``,
wrong-typed ids), ``POST /_sandbox/faults`` (replace the ``Faults``; changing a data knob rebuilds
the data), ``POST /_sandbox/mutate`` (``{"updates", "deletes", "inserts", "drops", "stream"?}``,
stamped with the sandbox's clock), ``POST /_sandbox/reset``. In-process, ``sandbox_of(app)`` is
the same ``Sandbox`` (``truth()``, ``mutate()``, ``set_faults()``, ``reset()``, ``stores``).

``connectors.sandboxes.sandbox_apps(world)`` gives every sandbox keyed by source name, with the
demo credentials below, for ``hub sandbox`` to serve on loopback ports;
``sandbox_credentials(source)`` gives them as the connector's keyword arguments. They are
sandbox-only values: a real platform's credentials come from settings or a secrets file.

=========================  =====================================================================
source                     demo credentials
=========================  =====================================================================
``ordos``                  OAuth2 client ``hub-demo`` / ``demo-secret-ordos``, ``POST /oauth/token``
``tender``                 HMAC key id ``hub-demo`` / secret ``demo-secret-tender``
``utility:<unit code>``    header ``X-Api-Key: demo-key-<unit code>`` (``demo-key-utility-water`` …)
=========================  =====================================================================
"""

from __future__ import annotations

from connectors.enums import UtilityKind
from connectors.ordos.client import SOURCE as ORDOS
from connectors.sandbox.app import Authenticate, Envelope, ErrorBody, sandbox_app, sandbox_of
from connectors.sandbox.auth import ApiKeyCheck, HmacVerifier, OAuth2Issuer
from connectors.sandbox.faults import FaultDraw, Faults, FaultSchedule
from connectors.sandbox.paging import BadRequest, PageInfo, PagingKind, serve_page
from connectors.sandbox.records import Body, RecordStore, StoredRecord, iso, parse_instant
from connectors.sandbox.state import (
    Clock,
    Make,
    MakeContext,
    Sandbox,
    Sleep,
    StreamDef,
    StreamTruth,
    Touch,
    utc_now,
)
from connectors.sandbox.world import Row, World, WorldIndex, day, index_of
from connectors.tender.client import SOURCE as TENDER
from connectors.utility.client import utility_source

__all__ = [
    "ORDOS_DEMO_CLIENT_ID",
    "ORDOS_DEMO_CLIENT_SECRET",
    "TENDER_DEMO_KEY_ID",
    "TENDER_DEMO_SECRET",
    "UTILITY_UNIT_CODES",
    "ApiKeyCheck",
    "Authenticate",
    "BadRequest",
    "Body",
    "Clock",
    "Envelope",
    "ErrorBody",
    "FaultDraw",
    "FaultSchedule",
    "Faults",
    "HmacVerifier",
    "Make",
    "MakeContext",
    "OAuth2Issuer",
    "PageInfo",
    "PagingKind",
    "RecordStore",
    "Row",
    "Sandbox",
    "Sleep",
    "StoredRecord",
    "StreamDef",
    "StreamTruth",
    "Touch",
    "World",
    "WorldIndex",
    "day",
    "demo_credentials",
    "index_of",
    "iso",
    "parse_instant",
    "sandbox_app",
    "sandbox_credentials",
    "sandbox_of",
    "serve_page",
    "utc_now",
    "utility_demo_api_key",
]

ORDOS_DEMO_CLIENT_ID = "hub-demo"
ORDOS_DEMO_CLIENT_SECRET = "demo-secret-ordos"
TENDER_DEMO_KEY_ID = "hub-demo"
TENDER_DEMO_SECRET = "demo-secret-tender"
UTILITY_UNIT_CODES = tuple(f"utility-{kind.value.lower()}" for kind in UtilityKind)
"""The demo's utility companies (member unit codes), one sandbox and one connector each."""


def utility_demo_api_key(unit_code: str) -> str:
    """The demo API key of a utility company's sandbox."""
    return f"demo-key-{unit_code}"


def demo_credentials() -> dict[str, dict[str, str]]:
    """Source name → the sandbox's demo credentials, named like the connectors' arguments."""
    out = {
        ORDOS: {"client_id": ORDOS_DEMO_CLIENT_ID, "client_secret": ORDOS_DEMO_CLIENT_SECRET},
        TENDER: {"key_id": TENDER_DEMO_KEY_ID, "secret": TENDER_DEMO_SECRET},
    }
    for unit_code in UTILITY_UNIT_CODES:
        out[utility_source(unit_code)] = {"api_key": utility_demo_api_key(unit_code)}
    return out


def sandbox_credentials(source: str) -> dict[str, str]:
    """The demo credentials of one source's sandbox, as keyword arguments of its connector."""
    try:
        return demo_credentials()[source]
    except KeyError:
        raise ValueError(f"no sandbox for source {source!r}") from None
