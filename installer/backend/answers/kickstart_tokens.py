"""Kickstart line splitting in linear time, with exactly ``shlex.split``'s POSIX semantics.

``shlex`` builds each token one character at a time by string concatenation on an attribute,
which CPython cannot do in place: a 600 KB line took 10-22 s. This splitter copies runs with
``str.find`` and regular expressions instead; tests/unit/test_kickstart_tokens.py checks that it
agrees with ``shlex.split`` (tokens and errors) on generated lines. pykickstart's parser module
imports ``shlex`` and calls ``shlex.split``: :func:`use_in_pykickstart` points that name at this
module, so pykickstart's own tokenising is linear too.
"""

from __future__ import annotations

import re

_WS = " \t\r\n"
_RUN = re.compile(r"[^ \t\r\n'\"\\]+")
_RUN_NO_HASH = re.compile(r"[^ \t\r\n'\"\\#]+")
_DQ_STOP = re.compile(r"[\"\\]")


def split(s: str, comments: bool = False, posix: bool = True) -> list[str]:
    """``shlex.split(s, comments=comments)`` (POSIX mode); raises the same ValueErrors."""
    if not posix:  # pragma: no cover - nothing calls it so; keep shlex's own behaviour
        import shlex as _shlex

        return _shlex.split(s, comments=comments, posix=False)
    run = _RUN_NO_HASH if comments else _RUN
    out: list[str] = []
    i, n = 0, len(s)
    while True:
        while i < n and s[i] in _WS:
            i += 1
        if i >= n:
            return out
        if comments and s[i] == "#":
            j = s.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        parts: list[str] = []
        quoted = False
        while i < n:
            c = s[i]
            if c in _WS:
                i += 1
                break
            if comments and c == "#":
                j = s.find("\n", i)
                i = n if j < 0 else j + 1
                break
            if c == "'":
                k = s.find("'", i + 1)
                if k < 0:
                    raise ValueError("No closing quotation")
                parts.append(s[i + 1:k])
                quoted, i = True, k + 1
            elif c == '"':
                j = i + 1
                while True:
                    m = _DQ_STOP.search(s, j)
                    if m is None:
                        raise ValueError("No closing quotation")
                    k = m.start()
                    parts.append(s[j:k])
                    if s[k] == '"':
                        i = k + 1
                        break
                    if k + 1 >= n:
                        raise ValueError("No escaped character")
                    nc = s[k + 1]
                    parts.append(nc if nc in '"\\' else "\\" + nc)
                    j = k + 2
                quoted = True
            elif c == "\\":
                if i + 1 >= n:
                    raise ValueError("No escaped character")
                parts.append(s[i + 1])
                i += 2
            else:
                m = run.match(s, i)
                assert m is not None
                parts.append(m.group())
                i = m.end()
        token = "".join(parts)
        if token or quoted:
            out.append(token)


class _ShlexForPykickstart:
    """What pykickstart.parser uses of the ``shlex`` module: ``split``."""

    split = staticmethod(split)

    def __getattr__(self, name: str) -> object:
        import shlex as _shlex

        return getattr(_shlex, name)


def use_in_pykickstart() -> None:
    """Point pykickstart's parser at the linear splitter (idempotent)."""
    import importlib

    mod = importlib.import_module("pykickstart.parser")
    if not isinstance(getattr(mod, "shlex", None), _ShlexForPykickstart):
        setattr(mod, "shlex", _ShlexForPykickstart())  # noqa: B010 - a module attribute, on purpose
