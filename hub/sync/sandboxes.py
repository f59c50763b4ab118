"""Where `hub sandbox` serves the fake upstreams, and their sandbox-only credentials."""

from __future__ import annotations

from datetime import date
from typing import Any

# One loopback port per upstream, as separate servers, so that each sandbox sees exactly the
# requests (paths, signatures) a real platform would.
SANDBOX_PORTS: dict[str, int] = {
    "ordos": 8101,
    "tender": 8102,
    "utility:utility-water": 8111,
    "utility:utility-power": 8112,
    "utility:utility-gas": 8113,
    "utility:utility-heat": 8114,
    "utility:utility-telecom": 8115,
}


def sandbox_credentials(source: str) -> dict[str, str]:
    """The sandbox-only credentials of a source (never valid anywhere else)."""
    from connectors.sandbox_kit import sandbox_credentials as credentials

    return credentials(source)


def sandbox_apps(*, seed: int, scale: int) -> dict[str, Any]:
    """The sandbox apps by source name, with the demo data's seed and scale, dated today."""
    from connectors.sandbox_kit import sandbox_apps as apps

    return apps(seed=seed, scale=scale, today=date.today())
