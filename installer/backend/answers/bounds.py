"""Input bounds for answer files (docs/security.md has the numbers and why).

Every answer file, whatever its format, passes :func:`check_text` before it is parsed: a size cap,
a line-length cap, and no control characters other than tab and line ends. The structured formats
(YAML, JSON) also bound nesting depth, alias expansion and integer length in their loaders
(yaml_bounded.py, json_bounded.py).
"""

from __future__ import annotations

import re

from installer.backend.errors import InvalidInput, Issue

MAX_FILE_BYTES = 1024 * 1024  # one answer file, or one file it includes or references
MAX_TOTAL_BYTES = 4 * 1024 * 1024  # an answer file and everything it includes or references
MAX_LINE_CHARS = 64 * 1024  # any line of any answer file
MAX_DEPTH = 32  # nesting of mappings and sequences (YAML/JSON)
MAX_NODES = 50_000  # YAML/JSON nodes, aliases expanded
MAX_INT_DIGITS = 30  # a whole number in YAML/JSON (2**64 has 20 digits)

# C0 controls but tab, LF and CR; DEL; NEL and the Unicode line/paragraph separators (str.splitlines
# and YAML break lines there, so they would shift line numbers between tools); a CR not before LF.
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]|\r(?!\n)")


def char_name(c: str) -> str:
    return "NUL" if c == "\x00" else f"U+{ord(c):04X}"


def line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def text_problem(text: str, *, max_chars: int = MAX_FILE_BYTES) -> tuple[str, int, int] | None:
    """The first bound ``text`` breaks: (message, line, column), else None. Linear in the size;
    the message never repeats the text."""
    if len(text) > max_chars:
        return (f"the file is larger than {max_chars} bytes (the limit for an answer file)", 1, 1)
    m = _BAD_CHAR.search(text)
    if m:
        line, col = line_col(text, m.start())
        return (f"control character {char_name(m.group()[0])} is not allowed in an answer file", line, col)
    start, line = 0, 1
    while True:
        end = text.find("\n", start)
        stop = len(text) if end < 0 else end
        if stop - start > MAX_LINE_CHARS:
            return (f"line {line} is longer than {MAX_LINE_CHARS} characters (the limit for any "
                    "answer-file line)", line, MAX_LINE_CHARS + 1)
        if end < 0:
            return None
        start, line = end + 1, line + 1


def check_text(text: str, source: str) -> None:
    """Raise InvalidInput (FILE:LINE:COL) if ``text`` breaks a bound."""
    problem = text_problem(text)
    if problem is not None:
        msg, line, col = problem
        raise InvalidInput([Issue("", msg, line=line, column=col, source=source)])
