"""``content_hash``: the hash stored with every synced row must not change when its computation
is made faster, or the first re-sync after an upgrade would rewrite every row."""

from __future__ import annotations

import hashlib
import json
import random
from typing import Any

from connectors.core import content_hash


def reference_hash(raw: Any) -> str:
    """The definition: SHA-256 of ``json.dumps`` with sorted keys and no spaces, UTF-8."""
    text = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


SCALARS = [None, True, False, 0, -7, 10**20, 0.1, 80.0, 1e300, 5e-324, "", "企业基本信息"]
SCALARS += ['quote " backslash \\ newline \n tab \t', "\u2028\u2029 \x00 \U0001f600"]


def random_value(rng: random.Random, depth: int = 0) -> Any:
    draw = rng.random()
    if depth < 3 and draw < 0.2:
        keys = ["a", "b", "id", "名称", "é", "Z", "updatedAt"]
        return {rng.choice(keys): random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    if depth < 3 and draw < 0.35:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return rng.choice(SCALARS)


def test_content_hash_is_the_canonical_json_hash() -> None:
    """For records of every shape (nested, unicode, escapes, floats) the hash is the SHA-256 of
    their canonical JSON, exactly as before."""
    rng = random.Random(20261125)
    for _ in range(2000):
        raw = {f"field{i}": random_value(rng) for i in range(rng.randint(0, 8))}
        assert content_hash(raw) == reference_hash(raw)


def test_a_known_record_keeps_its_hash() -> None:
    """A fixed record's hash, written down: a change of the canonical form shows here."""
    raw = {"id": "CR-1", "points": 80.0, "title": "企业基本信息", "validUntil": None}
    assert content_hash(raw) == reference_hash(raw)
    assert content_hash({"b": 1, "a": [1, 2]}) == hashlib.sha256(b'{"a":[1,2],"b":1}').hexdigest()
