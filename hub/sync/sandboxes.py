"""The sandboxes as the sync layer sees them: their loopback ports, their sandbox-only
credentials, and the development sources that point at them.

``hub sandbox`` and ``hub serve --with-sandboxes`` serve ``connectors.sandboxes.sandbox_apps`` of
the demo world (``hub.demo.world``) on ``SANDBOX_PORTS``; in development, with no
``HUB_SOURCES``, the sync manager syncs from ``sandbox_sources``.
"""

from __future__ import annotations

from pydantic import SecretStr

from hub.config import SourceSettings

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
    # Imported when asked for: a production hub never is.
    from connectors.sandbox_kit import sandbox_credentials as credentials

    return credentials(source)


def sandbox_sources() -> dict[str, SourceSettings]:
    """The sources of development: the sandboxes that `hub sandbox` serves on loopback."""
    sources = {}
    for name, port in SANDBOX_PORTS.items():
        kind = name.split(":", 1)[0]
        sources[name] = SourceSettings(
            kind=kind,
            base_url=f"http://127.0.0.1:{port}",
            credentials={k: SecretStr(v) for k, v in sandbox_credentials(name).items()},
        )
    return sources
