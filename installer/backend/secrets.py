"""Secrets by type: a registry that redacts every known secret value from any text.

Passphrases and plain passwords live in pydantic ``SecretStr`` fields (hidden from repr and
serialisation). As belt and braces, every secret value the process learns is registered here,
and logs, events and error messages pass through :func:`redact` before they leave the process.
"""

from __future__ import annotations

import threading

REDACTED = "[REDACTED]"

_lock = threading.Lock()
_values: set[str] = set()


def register(value: str | None) -> None:
    """Remember a secret value so that :func:`redact` can scrub it (values under 3 chars are
    too short to scrub without mangling ordinary text, and validation rejects them anyway)."""
    if value and len(value) >= 3:
        with _lock:
            _values.add(value)


def redact(text: str) -> str:
    with _lock:
        values = sorted(_values, key=len, reverse=True)
    for v in values:
        if v in text:
            text = text.replace(v, REDACTED)
    return text


def known_count() -> int:
    with _lock:
        return len(_values)


def clear() -> None:
    """For tests only."""
    with _lock:
        _values.clear()
