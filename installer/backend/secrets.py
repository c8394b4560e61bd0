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
# option names (--passphrase, -p) are never secrets: a secret is replaced everywhere but inside them
_OPTION_NAME = re.compile(r"(?<![\w-])--?[A-Za-z][A-Za-z0-9_-]*")

_lock = threading.Lock()
_values: set[str] = set()


def register(value: str | None) -> None:
    """Remember a secret value so that :func:`redact` can scrub it (values under 3 chars are
    too short to scrub without mangling ordinary text, and validation rejects them anyway)."""
    if value and len(value) >= 3:
        with _lock:
            _values.add(value)


def scrub(text: str, values: Iterable[str]) -> str:
    """Replace every occurrence of each value by REDACTED, except inside option names: a secret
    'pass' turns ``--passphrase=pass`` into ``--passphrase=[REDACTED]``, never ``--[REDACTED]phrase``."""
    ordered = sorted((v for v in values if v), key=len, reverse=True)
    if not ordered or not any(v in text for v in ordered):
        return text
    out: list[str] = []
    pos = 0
    for m in _OPTION_NAME.finditer(text):
        out.append(_replace_all(text[pos:m.start()], ordered))
        tok = m.group(0)
        out.append(REDACTED if tok in ordered else tok)  # a secret that looks like an option is still one
        pos = m.end()
    out.append(_replace_all(text[pos:], ordered))
    return "".join(out)


def _replace_all(text: str, ordered: list[str]) -> str:
    for v in ordered:
        if v in text:
            text = text.replace(v, REDACTED)
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
