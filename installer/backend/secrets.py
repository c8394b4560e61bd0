"""Secrets by type: a registry that redacts every known secret value from any text.

Passphrases and plain passwords live in pydantic ``SecretStr`` fields (hidden from repr and
serialisation). As belt and braces, every secret value the process learns is registered here,
and logs, events and error messages pass through :func:`redact` before they leave the process.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

REDACTED = "[REDACTED]"

_lock = threading.Lock()
_values: set[str] = set()


def register(value: str | None) -> None:
    """Remember a secret value so that :func:`redact` can scrub it (values under 3 chars are
    too short to scrub without mangling ordinary text, and validation rejects them anyway)."""
    if value and len(value) >= 3:
        with _lock:
            _values.add(value)


# A value counts as "whole" when it stands between these (quotes, '=', ':', spaces, brackets, ...).
_BEFORE = r"(?:^|(?<=[\s'\"=:,;(\[{<]))"
_AFTER = r"(?=$|[\s'\",;:)\]}>.!?])"
LONG = 8  # a secret this long is hidden even inside other text


def scrub(text: str, values: Iterable[str]) -> str:
    """Replace each secret value in ``text`` with [REDACTED]: every whole occurrence (after '=',
    inside quotes, between spaces, ...), and for values of LONG characters or more any other
    occurrence too, except right after '-' (a secret that happens to end an option's name must
    not turn '--passphrase' into '--[REDACTED]'). Nothing about the value, not even its length,
    is kept."""
    for v in sorted({v for v in values if v}, key=len, reverse=True):
        if v not in text:
            continue
        esc = re.escape(v)
        text = re.sub(_BEFORE + esc + _AFTER, REDACTED, text)
        if len(v) >= LONG and v in text:
            text = re.sub(r"(?<!-)" + esc, REDACTED, text)
    return text


def redact(text: str) -> str:
    with _lock:
        values = list(_values)
    return scrub(text, values)


def known_count() -> int:
    with _lock:
        return len(_values)


def clear() -> None:
    """For tests only."""
    with _lock:
        _values.clear()
