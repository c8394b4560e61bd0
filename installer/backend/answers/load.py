"""Load any supported answer file, detecting the format from its content."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml

from installer.backend.answers import json_bounded, yaml_bounded
from installer.backend.answers.bounds import check_text
from installer.backend.answers.native import load_native
from installer.backend.answers.positions import locate, node_positions
from installer.backend.answers.reader import ReadRefused, read_answer_file
from installer.backend.config import InstallConfig
from installer.backend.errors import InvalidInput, Issue

if TYPE_CHECKING:
    from installer.backend.answers.kickstart_pre import PreRunner

Format = Literal["native", "kickstart", "azure", "imagecustomizer"]


@dataclass
class Loaded:
    config: InstallConfig
    format: Format
    warnings: list[str] = field(default_factory=list)
    # kickstart/azure-only facts that are not part of InstallConfig (e.g. text/cmdline mode)
    hints: dict[str, str] = field(default_factory=dict)
    source: str = "<answers>"
    text: str = ""
    notes: list[str] = field(default_factory=list)
    """What the loader did that a user should know (e.g. kickstart %pre scripts run)."""

    def locate(self, exc: InvalidInput) -> InvalidInput:
        """Give plan-time issues (raised with a field path but no position) the answer file's
        name and, for native files, the line and column of that field."""
        positions = node_positions(self.text) if self.format == "native" and self.text else {}
        for issue in exc.issues:
            if issue.source is None:
                issue.source = self.source
            if issue.line is None and issue.path and positions:
                loc = tuple(int(p) if p.isdigit() else p for p in issue.path.split("."))
                pos = locate(positions, loc)
                if pos:
                    issue.line, issue.column = pos
        return exc


def _yaml_kind(text: str) -> Format:
    """A YAML/JSON mapping: an Image Customizer config (its top-level keys, no native ones), else native."""
    from installer.backend.answers.imagecustomizer.load import looks_like_imagecustomizer

    keys = {m.group(1) for m in _TOP_KEY.finditer(text)}  # block-style top-level keys: no second parse
    if keys:
        return "imagecustomizer" if looks_like_imagecustomizer(dict.fromkeys(keys)) else "native"
    try:
        data = yaml_bounded.load(text)
    except yaml.YAMLError:
        return "native"
    return "imagecustomizer" if looks_like_imagecustomizer(data) else "native"


_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]|$)", re.MULTILINE)


def detect_format(text: str) -> Format:
    text = text.removeprefix("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data = json_bounded.loads(text)
        except json_bounded.JSONBoundsError:  # refused with its position by the loader
            return "azure" if re.search(r'"(?i:systemconfigs|disks)"\s*:', text) else "native"
        except json.JSONDecodeError:
            return "native"
        # the toolkit's Go decoder matches keys without regard to case
        if isinstance(data, dict) and {str(k).casefold() for k in data} & {"systemconfigs", "disks"}:
            return "azure"
        return _yaml_kind(text)
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("%"):
            return "kickstart"
        first = s.split()[0]
        if ":" in first or not re.fullmatch(r"[a-z][a-z0-9_-]*", first):
            return _yaml_kind(text)
        return "kickstart"
    if any(ln.strip().startswith("#") for ln in text.splitlines()):
        return "kickstart"  # only comments (e.g. '#version=DEVEL'): an empty kickstart, not YAML
    return "native"


def load_text(text: str, source: str, *, base_dir: Path | None = None,
              ignore_unsupported: bool = False, run_pre: PreRunner | None = None) -> Loaded:
    check_text(text, source)  # size, line length, control characters: before any parser runs
    fmt = detect_format(text)
    if fmt == "kickstart":
        from installer.backend.answers import kickstart  # type: ignore[attr-defined,unused-ignore]

        return kickstart.load_kickstart(text, source, base_dir=base_dir,
                                        ignore_unsupported=ignore_unsupported, run_pre=run_pre)
    if fmt == "azure":
        from installer.backend.answers import azure  # type: ignore[attr-defined,unused-ignore]

        return azure.load_azure(text, source, base_dir=base_dir)
    if fmt == "imagecustomizer":
        from installer.backend.answers.imagecustomizer.load import load_imagecustomizer

        return load_imagecustomizer(text, source, base_dir=base_dir)
    text = text.removeprefix("\ufeff")
    cfg = load_native(text, source)
    return Loaded(cfg, "native", cfg.plaintext_warnings(), source=source, text=text)


def load_file(path: str | Path, *, ignore_unsupported: bool = False, run_pre: PreRunner | None = None) -> Loaded:
    p = Path(path)
    try:
        raw = read_answer_file(p)
    except ReadRefused as exc:
        raise InvalidInput([Issue("", str(exc), source=str(p))]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput([Issue("", f"not UTF-8 text (byte {exc.start})", source=str(p))]) from None
    loaded = load_text(text, str(p), base_dir=p.parent, ignore_unsupported=ignore_unsupported, run_pre=run_pre)
    loaded.source = str(p)
    return loaded
