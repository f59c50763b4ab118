"""Every sandbox at once, serving one world: what ``hub sandbox`` serves on loopback ports.

Apart from ``connectors.sandbox_kit``, which each platform's sandbox is built with: this module
imports the platforms' sandboxes, the kit imports none of them.
"""

from __future__ import annotations

from starlette.applications import Starlette

from connectors.ordos import sandbox as ordos
from connectors.ordos.client import SOURCE as ORDOS
from connectors.sandbox_kit import UTILITY_UNIT_CODES, Clock, World, utc_now
from connectors.tender import sandbox as tender
from connectors.tender.client import SOURCE as TENDER
from connectors.utility import sandbox as utility
from connectors.utility.client import utility_source


def sandbox_apps(world: World, *, clock: Clock = utc_now) -> dict[str, Starlette]:
    """Every sandbox with its demo credentials, keyed by source name (``ordos``, ``tender``,
    ``utility:utility-water`` …), all serving ``world``."""
    apps = {
        ORDOS: ordos.create_app(world=world, clock=clock),
        TENDER: tender.create_app(world=world, clock=clock),
    }
    for unit_code in UTILITY_UNIT_CODES:
        apps[utility_source(unit_code)] = utility.create_app(
            world=world, unit_code=unit_code, clock=clock
        )
    return apps
