"""Reading the package manager's output: the resolved transaction, its errors, its progress."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SECTION = re.compile(r"^(Installing|Upgrading|Reinstalling|Installing dependencies|Installing weak dependencies"
                      r"|Installing group/module packages|Downgrading):\s*$")
_SIZE = re.compile(r"^(Total size|Total download size|Installed size|Total installed size):\s*([\d.]+)\s*([kKMGT]?)",
                   re.M)
_COUNT = re.compile(r"^Install\s+(\d+)\s+Packages?", re.M)


def parse_size(num: str, unit: str) -> int:
    return int(float(num) * _UNITS[unit.lower()])


@dataclass(frozen=True)
class ResolvedPackage:
    name: str
    arch: str
    version: str  # [epoch:]version-release
    repo: str

    @property
    def nevra(self) -> str:
        return f"{self.name}-{self.version}.{self.arch}"


@dataclass
class Resolution:
    packages: list[ResolvedPackage] = field(default_factory=list)
    count: int = 0
    download_size: int | None = None
    installed_size: int | None = None
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # conflicts, broken dependencies
    unreachable: list[str] = field(default_factory=list)  # repos whose metadata failed


def parse_resolution(stdout: str, stderr: str) -> Resolution:
    """dnf/tdnf ``install --assumeno`` output -> what would be installed, or why not."""
    res = Resolution()
    text = stdout + "\n" + stderr
    section = False
    pending: list[str] = []
    for raw in stdout.splitlines():
        line = raw.rstrip()
        if _SECTION.match(line):
            section = True
            pending = []
            continue
        if section:
            if not line.strip() or line.startswith(("Transaction Summary", "=")):
                section = False
                continue
            toks = pending + line.split()
            if len(toks) < 5:  # dnf wraps long names onto a line of their own
                pending = toks
                continue
            pending = []
            name, arch, version, repo = toks[0], toks[1], toks[2], toks[3]
            res.packages.append(ResolvedPackage(name, arch, version, repo))
    for m in _SIZE.finditer(stdout):
        size = parse_size(m.group(2), m.group(3))
        if m.group(1) in ("Installed size", "Total installed size"):
            res.installed_size = size
        else:
            res.download_size = size
    cm = _COUNT.search(stdout)
    res.count = int(cm.group(1)) if cm else len(res.packages)
    for m in re.finditer(r"No match for argument:\s*(\S+)", text):
        if m.group(1) not in res.missing:
            res.missing.append(m.group(1))
    for m in re.finditer(r"Unable to find a match:\s*(.+)", text):
        for n in m.group(1).split():
            if n not in res.missing:
                res.missing.append(n)
    for m in re.finditer(r"No package (\S+) available|Error\(1011\) : No matching packages", text):
        if m.group(1) and m.group(1) not in res.missing:
            res.missing.append(m.group(1))
    for m in re.finditer(r"(?:Failed to download metadata for repo|Cannot download repomd\.xml.*?for repo)"
                         r"\s*'?([^':\s]+)'?", text):
        if m.group(1) not in res.unreachable:
            res.unreachable.append(m.group(1))
    if "Problem" in text or "conflicts with" in text or "nothing provides" in text:
        res.problems = [
            ln.strip() for ln in text.splitlines()
            if ln.strip().startswith(("Problem", "- ", "package ", "conflicting", "nothing provides"))
            or "conflicts with" in ln
        ][:20]
    return res


@dataclass(frozen=True)
class PackageProgress:
    fraction: float  # of the whole transaction
    message: str
    current: int
    count: int


_DNF_LINE = re.compile(r"^\s*(Installing|Reinstalling|Upgrading|Verifying|Running scriptlet|Preparing|Cleanup)"
                       r"\s*:\s*(\S*)\s+(\d+)/(\d+)\s*$")
_TDNF_LINE = re.compile(r"^\s*(Installing/Updating|Installing|Removing):\s*(\S+)")
INSTALL_SHARE = 0.9  # of the transaction's time; verifying takes the rest


class ProgressParser:
    """Turns output lines into per-package progress (count and name)."""

    def __init__(self, expected: int) -> None:
        self.expected = max(expected, 1)
        self.seen = 0

    def feed(self, line: str) -> PackageProgress | None:
        m = _DNF_LINE.match(line)
        if m:
            what, pkg, i, n = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
            if what in ("Installing", "Reinstalling", "Upgrading"):
                self.seen = i
                return PackageProgress(INSTALL_SHARE * i / n, f"installing {pkg} ({i}/{n})", i, n)
            if what == "Verifying":
                return PackageProgress(INSTALL_SHARE + (1 - INSTALL_SHARE) * i / n, f"verifying {pkg} ({i}/{n})",
                                       i, n)
            return None
        m = _TDNF_LINE.match(line)
        if m and m.group(1) != "Removing":
            self.seen += 1
            n = max(self.expected, self.seen)
            return PackageProgress(self.seen / n, f"installing {m.group(2)} ({self.seen}/{n})", self.seen, n)
        return None


def transaction_error(stdout: str, stderr: str) -> str:
    """A one-line cause for a failed transaction."""
    text = stdout + "\n" + stderr
    m = re.search(r"needs ([\d.]+\s*[KMG]?B) more space on the (\S+) filesystem", text)
    if m or "No space left on device" in text or "Disk Requirements" in text:
        where = f" ({m.group(1)} more needed on {m.group(2)})" if m else ""
        return f"the target ran out of space{where}"
    m = re.search(r"(GPG check FAILED|Public key for (\S+) is not installed|"
                  r"(\S+): (?:BAD|NOT OK|Header V\d \S+ Signature, key ID \S+: BAD))", text)
    if m:
        return f"signature check failed: {m.group(0)}"
    if "Error: Transaction test error" in text or "Transaction check error" in text:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith(("file ", "package "))]
        return "transaction check failed: " + "; ".join(lines[:5])
    errs = [ln.strip() for ln in text.splitlines() if ln.strip().lower().startswith("error")]
    if errs:
        return "; ".join(errs[-3:])
    tail = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    return " | ".join(tail[-3:]) or "the package manager failed"
