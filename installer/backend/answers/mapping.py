"""Shared machinery for importing foreign answer files (kickstart, Azure Linux image config).

An importer fills ``Builder.data`` (native answer-file data) and records, for each piece of it,
where in the foreign file it came from. ``Builder.build()`` validates the data with InstallConfig
and reports every model error at the foreign file's position, never at a native field path the
author never wrote. Messages pass through the importer's own secret list and the global registry.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from installer.backend.answers.load import Loaded
from installer.backend.answers.native import _message
from installer.backend.config import InstallConfig
from installer.backend.errors import InvalidInput, Issue
from installer.backend.secrets import redact, scrub


@dataclass(frozen=True)
class Where:
    """A place in a foreign answer file: a file and line (kickstart) or a key path (Azure)."""

    source: str
    line: int | None = None
    column: int | None = None
    path: str = ""  # the kickstart command, or the Azure key path

    def label(self, main_source: str) -> str:
        """Short position for warnings (the CLI prefixes the main file's name)."""
        parts = []
        if self.source != main_source:
            parts.append(self.source)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.path:
            parts.append(self.path)
        return ": ".join(parts)


@dataclass
class ForeignLoaded(Loaded):
    """A Loaded kickstart or Azure config that also knows where each config field came from, so
    plan-time issues (raised with a native field path) point at the foreign file's line."""

    origins: dict[tuple[Any, ...], Where] = field(default_factory=dict)

    def locate(self, exc: InvalidInput) -> InvalidInput:
        for issue in exc.issues:
            if issue.line is None and issue.path:
                loc = tuple(int(p) if p.isdigit() else p for p in issue.path.split("."))
                w = _longest(self.origins, loc)
                if w is not None:
                    issue.source = w.source
                    issue.line, issue.column = w.line, w.column
                    issue.path = f"{w.path} [{issue.path}]" if w.path else issue.path
            if issue.source is None:
                issue.source = self.source
        return exc


def _longest(where: dict[tuple[Any, ...], Where], loc: tuple[Any, ...]) -> Where | None:
    while True:
        if loc in where:
            return where[loc]
        if not loc:
            return None
        loc = loc[:-1]


@dataclass
class Builder:
    source: str
    data: dict[str, Any] = field(default_factory=dict)
    where: dict[tuple[Any, ...], Where] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    secret_values: set[str] = field(default_factory=set)

    # ----------------------------------------------------------------- messages
    def scrub(self, text: str) -> str:
        return redact(scrub(text, self.secret_values))

    def error(self, where: Where, message: str) -> None:
        self.issues.append(Issue(self.scrub(where.path), self.scrub(message), line=where.line, column=where.column,
                                 source=where.source))

    def warn(self, where: Where | None, message: str) -> None:
        prefix = where.label(self.source) if where is not None else ""
        self.warnings.append(self.scrub(f"{prefix}: {message}" if prefix else message))

    # ----------------------------------------------------------------- data
    def section(self, *keys: str) -> dict[str, Any]:
        cur = self.data
        for k in keys:
            cur = cur.setdefault(k, {})
        return cur

    def mark(self, loc: tuple[Any, ...], where: Where) -> None:
        self.where[loc] = where

    def _where_for(self, loc: tuple[Any, ...]) -> Where | None:
        return _longest(self.where, loc)

    def raise_if_issues(self) -> None:
        if self.issues:
            raise InvalidInput(sorted(self.issues, key=issue_key))

    def build(self) -> InstallConfig:
        """Validate the collected data; raise InvalidInput with every issue found so far."""
        try:
            config = InstallConfig.model_validate({"version": 1, **self.data})
        except ValidationError as exc:
            had_issues = bool(self.issues)
            for err in exc.errors():
                loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
                if not loc:
                    if had_issues:
                        continue  # a whole-config check failing because of an issue already reported
                    loc = _loc_from_message(str(err["msg"]))
                w = self._where_for(loc) or Where(self.source)
                dotted = ".".join(str(p) for p in loc)
                msg = _message(err)
                self.error(w, f"{msg} ({dotted})" if dotted else msg)
            self.raise_if_issues()
            raise AssertionError("unreachable") from None
        self.raise_if_issues()
        return config


def _loc_from_message(msg: str) -> tuple[Any, ...]:
    """Whole-config validators name the field first ('storage.encryption.passphrase: ...')."""
    m = re.search(r"\b([a-z_]+(?:\.[a-z_0-9]+)+)\b", msg)
    if not m:
        return ()
    return tuple(int(p) if p.isdigit() else p for p in m.group(1).split("."))


def issue_key(i: Issue) -> tuple[str, int, int]:
    return (i.source or "", i.line or 0, i.column or 0)


# --------------------------------------------------------------------- shared conversions
def netmask_prefix(netmask: str) -> int:
    """255.255.255.0 or 24 -> 24. Raises ValueError for anything else."""
    s = netmask.strip()
    if s.isdigit():
        n = int(s)
        if not 0 <= n <= 128:
            raise ValueError(f"'{netmask}' is not a prefix length")
        return n
    try:
        return ipaddress.IPv4Network(f"0.0.0.0/{s}").prefixlen
    except ValueError as exc:
        raise ValueError(f"'{netmask}' is not a netmask such as 255.255.255.0") from exc


def disk_ref(name: str) -> dict[str, str]:
    """A kickstart/Azure disk name -> DiskRef data: sda -> /dev/sda, disk/by-id/X -> by_id X."""
    s = name.strip()
    for prefix in ("/dev/disk/by-id/", "disk/by-id/"):
        if s.startswith(prefix):
            return {"by_id": s[len(prefix):]}
    if s.startswith("/dev/"):
        return {"path": s}
    return {"path": "/dev/" + s}


def split_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for it in items:
        out += [p.strip() for p in str(it).split(",") if p.strip()]
    return out
