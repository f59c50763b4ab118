"""Generated identities for the demo data: person names, mobile numbers, resident ID numbers, USCCs.

All generated, never real: ID numbers and USCCs are built from random bodies and then given their
correct check characters, so that they pass the hub's validators like real ones would.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from hub.demo import places
from hub.domain.identifiers import USCC_ALPHABET, resident_id_check_digit, uscc_check_char
from hub.domain.pii import parse_phone

# GB 11714 (organisation code, positions 9–17 of a USCC): weights of the 8 body characters.
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_AREAS = [code for code, _ in places.RESIDENT_AREA_CODES]
_RESIDENT_AREA_WEIGHTS = [weight for _, weight in places.RESIDENT_AREA_CODES]


def person_name(rng: random.Random) -> str:
    """A plausible name: mostly a Han surname and one or two given characters, some Mongolian."""
    if rng.random() < 0.1:
        return rng.choice(places.MONGOLIAN_NAMES)
    given = "".join(rng.choice(places.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(places.SURNAMES) + given


def mobile(rng: random.Random) -> str:
    """An 11-digit mobile number with a common prefix (13x, 15x, 18x), checked as every phone
    that enters the hub is (``hub.domain.pii.parse_phone``)."""
    return str(
        parse_phone(rng.choice(places.MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}")
    )


def resident_id(rng: random.Random, *, born_from: int = 1950, born_to: int = 2000) -> str:
    """A valid (GB 11643) resident ID number of someone born in the years given."""
    area = rng.choices(_RESIDENT_AREAS, weights=_RESIDENT_AREA_WEIGHTS)[0]
    first, last = date(born_from, 1, 1), date(born_to, 12, 31)
    born = first + timedelta(days=rng.randint(0, (last - first).days))
    body = f"{area}{born:%Y%m%d}{rng.randint(1, 999):03d}"
    return body + resident_id_check_digit(body)


def uscc(rng: random.Random, *, area_code: str, founded_on: date) -> str:
    """A valid (GB 32100) USCC of an enterprise (91) registered in the area.

    Enterprises registered since the 2015 reform carry an ``MA`` organisation code; older ones
    keep their 8-digit one. Both end with the GB 11714 check character.
    """
    if founded_on.year >= 2016:
        body = "MA0" + "".join(rng.choice(USCC_ALPHABET) for _ in range(5))
    else:
        body = f"{rng.randrange(10_000_000, 100_000_000)}"
    first17 = "91" + area_code + body + _org_code_check(body)
    return first17 + uscc_check_char(first17)


def _org_code_check(body: str) -> str:
    # Digits count as themselves, letters A…Z as 10…35; 10 is written X and 11 is written 0.
    total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def brand(rng: random.Random) -> str:
    """A two-character trade name (字号) such as 恒泰 or 瑞丰."""
    first, second = rng.sample(places.BRAND_CHARS, 2)
    return first + second


def pick_unique(
    rng: random.Random,
    make: Callable[[random.Random], str],
    used: set[str],
    *,
    key: Callable[[str], str] = str,
) -> str:
    """A value from ``make`` whose ``key`` is not in ``used`` yet (and is added to it)."""
    for _ in range(1000):
        value = make(rng)
        if key(value) not in used:
            used.add(key(value))
            return value
    raise RuntimeError("ran out of distinct demo names: the scale is too large for the name parts")
