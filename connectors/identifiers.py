"""The wire check of a 统一社会信用代码 (USCC, GB 32100-2015), as every CONTRACT.md promises it.

An upstream record naming an enterprise by a USCC that is not one (wrong length, a letter the
standard never uses, a wrong check character) is refused and quarantined, never stored. The
check is the standard's, not a rule of the hub's: the hub has its own copy for what people type
in (``hub.domain.identifiers``), and a unit test holds the two to the same answers and reasons.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def uscc_problem(value: str) -> tuple[str, str | None]:
    """The USCC in canonical form (trimmed, upper case) and None, or what is wrong with it."""
    code = value.strip().upper()
    if len(code) != 18:
        return code, f"a USCC has 18 characters, got {len(code)}"
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        return code, (
            f"characters not allowed in a USCC: {''.join(bad)} (I, O, S, V, Z are never used)"
        )
    check = 31 - sum(_VALUE[ch] * w for ch, w in zip(code[:17], WEIGHTS, strict=True)) % 31
    expected = ALPHABET[0 if check == 31 else check]
    if code[17] != expected:
        return code, f"check character is {code[17]}, expected {expected} (GB 32100)"
    return code, None
