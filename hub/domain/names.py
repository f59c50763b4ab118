"""Normalisation of names used to match records across platforms.

Compounds are matched by normalised name within a town: the platforms write 民悦A区, 民悦Ａ区,
民悦 a 区 or 民悦A区小区 for the same place.
"""

from __future__ import annotations

import re
import unicodedata

_NOISE = re.compile(r"[\s·•・.,，。、()（）\[\]【】\"'“”‘’\-—_]+")
_SUFFIXES = ("住宅小区", "小区")


def normalize_compound_name(name: str) -> str:
    """A matching key: full-width folded, upper-cased, punctuation and a trailing 小区 dropped."""
    key = unicodedata.normalize("NFKC", name).upper()
    key = _NOISE.sub("", key)
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key
