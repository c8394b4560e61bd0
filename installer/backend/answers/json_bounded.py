"""JSON with bounds: nesting depth, value count and whole-number length are checked by one linear
scan before ``json.loads`` runs (which would otherwise overflow the stack at ~1000 levels, or raise
a plain ValueError for a number of 4300+ digits), and NaN/Infinity are refused."""

from __future__ import annotations

import json
from typing import Any

from installer.backend.answers.bounds import MAX_DEPTH, MAX_INT_DIGITS, MAX_NODES, line_col


class JSONBoundsError(ValueError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def _scan(text: str) -> None:
    depth = values = 0
    i, n = 0, len(text)
    digits_from = -1
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while True:  # find the closing quote, skipping escapes (linear)
                k = text.find('"', j)
                if k < 0:
                    return  # unterminated: json.loads reports it with a position
                b = k - 1
                while b > i and text[b] == "\\":
                    b -= 1
                if (k - 1 - b) % 2 == 0:
                    break
                j = k + 1
            i = k + 1
            continue
        if c.isdigit():
            if digits_from < 0:
                digits_from = i
            elif i - digits_from >= MAX_INT_DIGITS:
                raise JSONBoundsError(f"a number with more than {MAX_INT_DIGITS} digits is refused",
                                      *line_col(text, digits_from))
        else:
            digits_from = -1
            if c in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    raise JSONBoundsError(f"values are nested more than {MAX_DEPTH} levels deep",
                                          *line_col(text, i))
            elif c in "]}":
                depth -= 1
            if c in "[{,":
                values += 1
                if values > MAX_NODES:
                    raise JSONBoundsError(f"the document has more than {MAX_NODES} values: refused",
                                          *line_col(text, i))
        i += 1


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
