"""Who is asking: API keys of member-unit systems and staff tokens, resolved to a ``Principal``.

API keys look like ``hub_<prefix>_<secret>``. The hub keeps the prefix (to find the key) and a
SHA-256 of the whole key (to check it): the secret is 192 random bits, so a fast hash is enough
and the key cannot be recovered from the store. A key is shown once, when it is created.

Staff tokens are JWTs signed by the banner's identity provider and checked against its JWKS
(issuer, audience, expiry with a little clock skew). Their ``unit`` claim names the member unit;
a ``role`` claim, if present, must be the unit's role. In development the hub can sign tokens
for demo units with a key of its own (``hub tokens issue``), so the console can be tried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain.access import Principal, Role
from hub.domain.enums import JurisdictionLevel
from hub.errors import BadUserInput, NotFound, Unauthenticated
from hub.store.models import ApiClient, Jurisdiction, MemberUnit

KEY_PREFIX = "hub"
LAST_USED_EVERY = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per key (not on every request)."""


@dataclass(frozen=True, slots=True)
class NewKey:
    """A created API client and its key (the only time the key is known)."""

    client: ApiClient
    key: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def get_unit_or_raise(session: AsyncSession, *, code: str) -> MemberUnit:
    """The member unit with this code, or NOT_FOUND naming the ``unit`` input."""
    unit = await session.scalar(sa.select(MemberUnit).where(MemberUnit.code == code))
    if unit is None:
        raise NotFound(f"no member unit has the code {code!r}", field="unit")
    return unit


async def create_client(
    session: AsyncSession, *, unit_code: str, role: Role, label: str | None = None
) -> NewKey:
    """A new API client of the unit; the role must be the unit's own role (R1), and the unit not
    retired."""
    unit = await get_unit_or_raise(session, code=unit_code)
    if unit.retired_at is not None:
        raise BadUserInput(f"unit: the member unit {unit_code} was retired", field="unit")
    if role is Role.PUBLIC:
        raise BadUserInput("role: the public needs no key", field="role")
    if role.value != unit.role.value:
        raise BadUserInput(
            f"role: unit {unit_code} has the role {unit.role.value}, not {role.value}",
            field="role",
        )
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"
    client = ApiClient(
        unit_id=unit.id,
        role=role,
        label=label or f"{unit.name} API",
        key_prefix=prefix,
        key_hash=_hash(key),
    )
    session.add(client)
    await session.flush()
    return NewKey(client=client, key=key)


async def list_clients(session: AsyncSession) -> list[tuple[ApiClient, MemberUnit]]:
    rows = await session.execute(
        sa.select(ApiClient, MemberUnit)
        .join(MemberUnit, MemberUnit.id == ApiClient.unit_id)
        .order_by(ApiClient.id)
    )
    return [(client, unit) for client, unit in rows.tuples()]


def prefix_of(key_or_prefix: str) -> str:
    """The public prefix of an API key (``hub_<prefix>_<secret>``), or the text itself when it is
    not shaped like a key: what may be shown and logged of a key, never its secret."""
    parts = key_or_prefix.strip().split("_", 2)
    if len(parts) == 3 and parts[0] == KEY_PREFIX:
        return parts[1]
    return key_or_prefix.strip()


async def revoke_client(session: AsyncSession, *, prefix: str, now: datetime) -> ApiClient:
    """Revoke the key with this prefix (idempotent: a revoked key stays revoked). The whole key
    is accepted too (an operator revoking a leaked key pastes it), and only its prefix is used
    and repeated."""
    prefix = prefix_of(prefix)
    client = await session.scalar(sa.select(ApiClient).where(ApiClient.key_prefix == prefix))
    if client is None:
        shown = prefix if len(prefix) <= 24 else prefix[:12] + "…"
        raise NotFound(f"no API client has the key prefix {shown!r}", field="prefix")
    if client.revoked_at is None:
        client.revoked_at = now
    return client


async def get_principal(
    session: AsyncSession, *, unit: MemberUnit, role: Role, client: str
) -> Principal:
    """The principal of a unit: its jurisdiction as town and community ids."""
    town_id = community_id = None
    if unit.jurisdiction_id is not None:
        place = await session.get(Jurisdiction, unit.jurisdiction_id)
        if place is not None and place.level is JurisdictionLevel.COMMUNITY:
            community_id, town_id = place.id, place.parent_id
        elif place is not None and place.level is JurisdictionLevel.TOWN:
            town_id = place.id
    return Principal(
        role=role,
        unit_code=unit.code,
        unit_id=unit.id,
        town_id=town_id,
        community_id=community_id,
        client=client,
    )


async def authenticate_key(
    session: AsyncSession, *, key: str, now: datetime, allow_demo: bool = True
) -> tuple[Principal, bool]:
    """The principal of an API key, and whether its last-used time is due to be written
    (``touch_client``); or ``Unauthenticated``, whose message never repeats the key.

    Without ``allow_demo`` (production) the well-known demo keys are refused.
    """
    parts = key.split("_", 2)  # the secret may itself contain "_"
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[2]:
        raise Unauthenticated("the API key is malformed")
    if not allow_demo and key == demo_key_of_prefix(parts[1]):
        raise Unauthenticated("demo keys are refused in production")
    row = (
        await session.execute(
            sa.select(ApiClient, MemberUnit)
            .join(MemberUnit, MemberUnit.id == ApiClient.unit_id)
            .where(ApiClient.key_prefix == parts[1])
        )
    ).first()
    if row is None or not hmac.compare_digest(row[0].key_hash, _hash(key)):
        raise Unauthenticated("the API key is not valid")
    client, unit = row
    if client.revoked_at is not None:
        raise Unauthenticated("the API key was revoked")
    if unit.retired_at is not None:
        raise Unauthenticated("the API key's member unit was retired")
    touch = client.last_used_at is None or now - client.last_used_at >= LAST_USED_EVERY
    principal = await get_principal(
        session, unit=unit, role=client.role, client=f"key:{client.key_prefix}"
    )
    return principal, touch


async def touch_client(session: AsyncSession, *, key: str, now: datetime) -> None:
    """Record that the key was used now."""
    await session.execute(
        sa.update(ApiClient).where(ApiClient.key_prefix == prefix_of(key)).values(last_used_at=now)
    )


@dataclass(frozen=True, slots=True)
class TokenSettings:
    """How staff tokens are checked (see hub.config: HUB_JWT_*)."""

    issuer: str
    audience: str
    leeway_seconds: int
    jwks: dict[str, Any] | None
    """The JWKS document; None: staff tokens are not accepted."""


async def authenticate_token(
    session: AsyncSession, *, token: str, settings: TokenSettings
) -> Principal:
    """The principal of a staff token, or ``Unauthenticated`` naming what was wrong."""
    if settings.jwks is None:
        raise Unauthenticated("staff tokens are not accepted: no JWKS is configured")
    try:
        header = jwt.get_unverified_header(token)
        keys = jwt.PyJWKSet.from_dict(settings.jwks)
        kid = header.get("kid")
        candidates = [k for k in keys.keys if kid is None or k.key_id == kid]
        if not candidates:
            raise Unauthenticated("the token's signing key is not in the JWKS")
        claims = jwt.decode(
            token,
            candidates[0].key,
            algorithms=["RS256", "ES256", "EdDSA"],
            audience=settings.audience,
            issuer=settings.issuer,
            leeway=settings.leeway_seconds,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the token has expired") from None
    except jwt.InvalidAudienceError:
        raise Unauthenticated("the token is for another audience") from None
    except jwt.InvalidIssuerError:
        raise Unauthenticated("the token is from another issuer") from None
    except (jwt.PyJWTError, ValueError) as exc:
        raise Unauthenticated(f"the token is not valid ({type(exc).__name__})") from None
    unit_code = claims.get("unit")
    if not isinstance(unit_code, str):
        raise Unauthenticated("the token has no unit claim")
    unit = await session.scalar(sa.select(MemberUnit).where(MemberUnit.code == unit_code))
    if unit is None:
        raise Unauthenticated("the token's unit is unknown")
    if unit.retired_at is not None:
        raise Unauthenticated("the token's member unit was retired")
    role = claims.get("role", unit.role.value)
    if role != unit.role.value:
        raise Unauthenticated("the token's role is not its unit's role")
    return await get_principal(
        session, unit=unit, role=Role(unit.role.value), client=f"token:{claims['sub']}"[:60]
    )


# Development: the hub's own signing key ----------------------------------------------------

DEV_KEY_ID = "hub-dev"


def dev_signing_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """The development signing key (P-256), created in ``path`` on first use."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{path} does not hold an EC private key")
        return key
    key = ec.generate_private_key(ec.SECP256R1())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    return key


def jwks_of(key: ec.EllipticCurvePrivateKey, *, kid: str = DEV_KEY_ID) -> dict[str, Any]:
    """The public JWKS of a signing key."""
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    return {"keys": [{**jwk, "kid": kid, "use": "sig", "alg": "ES256"}]}


def issue_token(
    key: ec.EllipticCurvePrivateKey,
    *,
    unit_code: str,
    issuer: str,
    audience: str,
    now: datetime,
    lifetime: timedelta = timedelta(hours=8),
    subject: str | None = None,
    kid: str = DEV_KEY_ID,
) -> str:
    """A signed staff token for the unit (development and tests)."""
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": subject or f"demo-{unit_code}",
        "unit": unit_code,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid})


# Development: well-known demo keys, one per role ---------------------------------------------

DEMO_UNITS: dict[Role, str] = {
    Role.COMPETENT_DEPARTMENT: "zjj",
    Role.TOWN: "town-150627100",
    Role.COMMUNITY: "community-150627100001",
    Role.DEPARTMENT: "cgj",
    Role.PARTY_PUBLICITY: "zzb",
    Role.INSPECTION_OFFICE: "dcs",
    Role.UTILITY: "utility-water",
}
"""The demo unit that holds each role's demo key (codes of the demo data)."""


def demo_key(unit_code: str) -> str:
    """The demo key of a unit: derived from its code, so it is the same on every machine.

    For the demo data only — ``hub demo-data`` refuses to run in production, and these keys are
    printed for anyone to use.
    """
    digest = hashlib.sha256(f"hub-demo-key:{unit_code}".encode()).hexdigest()
    return f"{KEY_PREFIX}_{digest[:12]}_demo{digest[12:44]}"


def demo_key_of_prefix(prefix: str) -> str | None:
    """The demo key with this prefix, if the prefix is a demo key's."""
    for unit_code in DEMO_UNITS.values():
        key = demo_key(unit_code)
        if key.split("_", 2)[1] == prefix:
            return key
    return None


async def create_demo_clients(session: AsyncSession) -> dict[Role, tuple[str, str]]:
    """Create the demo keys that are missing; role → (unit code, key) of each."""
    keys: dict[Role, tuple[str, str]] = {}
    for role, unit_code in DEMO_UNITS.items():
        key = demo_key(unit_code)
        prefix = key.split("_", 2)[1]
        exists = await session.scalar(sa.select(ApiClient.id).where(ApiClient.key_prefix == prefix))
        if exists is None:
            unit = await get_unit_or_raise(session, code=unit_code)
            session.add(
                ApiClient(
                    unit_id=unit.id,
                    role=role,
                    label=f"demo key of {unit.name}",
                    key_prefix=prefix,
                    key_hash=_hash(key),
                )
            )
        keys[role] = (unit_code, key)
    await session.flush()
    return keys


async def list_demo_clients(session: AsyncSession) -> dict[Role, tuple[str, str]]:
    """The demo keys that are in the store (and not revoked)."""
    found: dict[Role, tuple[str, str]] = {}
    for role, unit_code in DEMO_UNITS.items():
        key = demo_key(unit_code)
        revoked = await session.scalar(
            sa.select(ApiClient.revoked_at.is_(None)).where(
                ApiClient.key_prefix == key.split("_", 2)[1]
            )
        )
        if revoked:
            found[role] = (unit_code, key)
    return found
