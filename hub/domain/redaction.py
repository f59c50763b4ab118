"""Personal data and credentials found in free text, and masked, for the log and the audit log.

The log and the audit log record what happened, never a resident's data nor a secret; but free
text reaches them from outside: an exception's message (a driver's error may quote the value it
choked on), a client's operation name, the source name a client sent to ``syncTrigger``. Names of
people cannot be recognised in free text, so they are kept out at the source (no local variables
in tracebacks, no request variables in any line); what has a recognisable shape is masked here,
whatever path it took:

- a resident ID number (GB 11643: 17 digits and a check digit or X) → ``[ID number]``;
- a mobile number (11 digits 1[3-9]…, with or without +86, grouped 3-4-4 or not) or a landline
  with its area code (0477-8512345) → ``[phone]``;
- an API key ``hub_<prefix>_<secret>`` → ``hub_<prefix>_[secret]``: the prefix is public (it
  names the key in ``hub clients`` and in the audit log's ``key:<prefix>``), the secret never is;
- the credential after ``Bearer`` or ``Basic``, and anything shaped like a JWT → ``[credential]``.

``redact`` masks; ``clean_text`` also removes control characters and caps the length, for text
that is stored (the audit log's detail) or echoed in a refusal. Pure functions (``hub.domain``):
used by ``hub.observability.logs`` on every rendered line and by ``hub.services.audit``.
"""

from __future__ import annotations

import re
import unicodedata

ID_NUMBER_MASK = "[ID number]"
PHONE_MASK = "[phone]"
SECRET_MASK = "[secret]"
CREDENTIAL_MASK = "[credential]"

# A number stands alone: not inside a longer number nor glued to Latin letters or digits, so that
# the hex of a request id or a hash is left alone (a uuid4 hex holds an 11-digit run starting
# 13…19 about once in a thousand); Chinese text, punctuation and underscores do not protect it.
_ALONE_BEFORE = r"(?<![0-9A-Za-z])"
_ALONE_AFTER = r"(?![0-9A-Za-z])"
_API_KEY = re.compile(r"\bhub_([0-9a-f]{12})_[A-Za-z0-9_\-]+")
_BEARER = re.compile(r"(?i)\b(bearer)(\s+|%20|\+)(?!hub_[0-9a-f]{12}_\[secret\])[^\s\"',;\\&]+")
_BASIC = re.compile(r"(?i)\b(basic)(\s+|%20|\+)[A-Za-z0-9+/=%]{8,}")
"""Basic credentials are base64: the word "basic" of an English message stays."""
_JWT = re.compile(r"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*")
_ID_NUMBER = re.compile(_ALONE_BEFORE + r"\d{17}[\dXx]" + _ALONE_AFTER)
_PHONE = re.compile(
    _ALONE_BEFORE
    + r"(?:(?:\+|00)?86[\s-]?)?(?:1[3-9]\d(?:[\s-]?\d{4}){2}|0\d{2,3}[\s-]\d{7,8})"
    + _ALONE_AFTER
)
_QUICK = re.compile(r"\d{3}[\s-]?\d{4}|hub_|eyJ|(?i:bearer|basic)")
"""Cheap pre-check: text with none of these has nothing to mask (most log lines)."""

MAX_FREE_TEXT = 200
"""Characters of one free-text value kept by ``clean_text`` unless told otherwise."""
_ELLIPSIS = "…"


def redact(text: str) -> str:
    """``text`` with credentials, ID numbers and phone numbers masked (see the module)."""
    if not _QUICK.search(text):
        return text
    text = _API_KEY.sub(rf"hub_\1_{SECRET_MASK}", text)
    text = _BEARER.sub(rf"\1\2{CREDENTIAL_MASK}", text)
    text = _BASIC.sub(rf"\1\2{CREDENTIAL_MASK}", text)
    text = _JWT.sub(CREDENTIAL_MASK, text)
    text = _ID_NUMBER.sub(ID_NUMBER_MASK, text)
    return _PHONE.sub(PHONE_MASK, text)


_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _printable(char: str) -> bool:
    # Cc: control characters (NUL, newlines, escapes); Cf: invisible format characters (the
    # right-to-left override that disguises text); Cs: lone surrogates (not text at all); Zl, Zp:
    # the Unicode line and paragraph separators, which break a line like a newline.
    return unicodedata.category(char) not in _UNPRINTABLE


def clean_text(text: str, *, limit: int = MAX_FREE_TEXT) -> str:
    """``text`` fit to be stored or echoed: control, format and surrogate characters replaced by
    a space, credentials and personal data masked, at most ``limit`` characters (cut with …)."""
    # Cut long text first (well beyond the limit, so that no value cut in two there can reach
    # the kept part), so that a huge input costs no more than a short one.
    text = text[: 4 * limit + 64]
    if not text.isprintable():
        text = "".join(c if _printable(c) else " " for c in text)
    text = redact(text)
    if len(text) > limit:
        text = text[: max(limit - 1, 0)] + _ELLIPSIS
    return text
