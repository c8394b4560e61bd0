"""JSON with bounds: nesting depth, value count and whole-number length are checked by one linear
scan before ``json.loads`` runs (which would otherwise overflow the stack at ~1000 levels, or raise
a plain ValueError for a number of 4300+ digits), and NaN/Infinity are refused."""

from __future__ import annotations

import json
import re
from typing import Any

from installer.backend.answers.bounds import MAX_DEPTH, MAX_INT_DIGITS, MAX_NODES, line_col


class JSONBoundsError(ValueError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


# brackets and commas (counted), string starts (skipped to their end), over-long digit runs (refused)
_TOKEN = re.compile(r'[\[\]{},"]|[0-9]{' + str(MAX_INT_DIGITS + 1) + ",}")


def _string_end(text: str, i: int) -> int:
    """The index after the string starting at ``i`` (a quote), or -1 if it never ends."""
    j = i + 1
    while True:
        k = text.find('"', j)
        if k < 0:
            return -1
        b = k - 1
        while text[b] == "\\":
            b -= 1
        if (k - 1 - b) % 2 == 0:  # an even number of backslashes: the quote is not escaped
            return k + 1
        j = k + 1


def _scan(text: str) -> None:
    """One linear pass: every character is looked at once (by the regular expression engine or
    by str.find), strings included, however many quotes and backslashes they hold."""
    depth = values = pos = 0
    while True:
        m = _TOKEN.search(text, pos)
        if m is None:
            return
        c, pos = m.group()[0], m.end()
        if c == '"':
            pos = _string_end(text, m.start())
            if pos < 0:
                return  # unterminated: json.loads reports it with its position
            continue
        if c.isdigit():
            raise JSONBoundsError(f"a number with more than {MAX_INT_DIGITS} digits is refused",
                                  *line_col(text, m.start()))
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise JSONBoundsError(f"values are nested more than {MAX_DEPTH} levels deep",
                                      *line_col(text, m.start()))
        elif c in "]}":
            depth -= 1
        if c in "[{,":
            values += 1
            if values > MAX_NODES:
                raise JSONBoundsError(f"the document has more than {MAX_NODES} values: refused",
                                      *line_col(text, m.start()))


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads(text: str) -> Any:
    """``json.loads`` with bounds. Raises JSONBoundsError or json.JSONDecodeError."""
    _scan(text)
    try:
        return json.loads(text, parse_constant=_constant)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # NaN/Infinity
        raise JSONBoundsError(str(exc), 1, 1) from None
