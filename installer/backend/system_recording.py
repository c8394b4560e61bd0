"""RecordingSystem: the dry-run :class:`~installer.backend.system.System`.

It records each command and file write; its record is what golden tests compare.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from installer.backend.errors import CommandFailed
from installer.backend.secrets import redact
from installer.backend.system_types import LineSink, LiveDevice, RunResult


@dataclass
class Record:
    kind: str
    detail: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        d = self.detail
        if self.kind == "run":
            s = "run " + " ".join(d["argv"])
            if d.get("stdin"):
                s += f"  <stdin: {d['stdin']}>"
            return s
        if self.kind == "write":
            return f"write {d['path']} mode={d['mode']:o}" + (f" owner={d['owner']}" if d.get("owner") else "")
        return f"{self.kind} " + " ".join(f"{k}={v}" for k, v in d.items())


Responder = Callable[[list[str]], str | None]


def fake_uuid(seed: str) -> str:
    return str(uuid.UUID(hashlib.sha256(seed.encode()).hexdigest()[:32]))


def default_responder(argv: list[str]) -> str | None:
    """Deterministic answers for read-only queries steps make, so dry-run output is stable."""
    if argv and argv[0] == "blkid" and "-s" in argv:
        tag = argv[argv.index("-s") + 1]
        dev = argv[-1]
        return fake_uuid(f"{tag}:{dev}") + "\n"
    if argv[:1] == ["systemd-detect-virt"]:
        return "kvm\n"
    return None


class RecordingSystem:
    """Dry-run: records what would happen. Files written are kept in memory so later steps can
    read them back; commands return canned, deterministic output."""

    def __init__(self, responder: Responder | None = None, logger: LineSink | None = None) -> None:
        self.records: list[Record] = []
        self.files: dict[str, bytes] = {}
        # what the install would leave behind, for `install --dry-run --dump-files` (system_dump.py)
        self.modes: dict[str, int] = {}
        self.owners: dict[str, tuple[int, int]] = {}
        self.links: dict[str, str] = {}
        self.dirs: dict[str, int] = {}
        self.responder = responder or default_responder
        self.logger = logger
        self.fail_on: Callable[[list[str]], bool] | None = None  # fault injection for tests
        self.live: dict[str, LiveDevice] = {}
        """What inspect_device answers per path (tests: a disk that is in use now); by default a
        device of unknown size that nothing uses (a dry run sees no live machine)."""

    def allow_devices(self, paths: Iterable[str]) -> None:
        self.records.append(Record("allow", {"devices": ",".join(sorted(paths))}))

    def inspect_device(self, path: str) -> LiveDevice:
        return self.live.get(path) or LiveDevice(path)

    def _log(self, line: str) -> None:
        if self.logger is not None:
            self.logger(redact(line))

    def run(
        self,
        argv: Sequence[str],
        *,
        input: str | None = None,
        check: bool = True,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        timeout: float | None = None,
        on_line: LineSink | None = None,
    ) -> RunResult:
        argv = [str(a) for a in argv]
        detail: dict[str, Any] = {"argv": argv}
        if input is not None:
            detail["stdin"] = "hidden"  # never its length: that would say how long a secret is
        self.records.append(Record("run", detail))
        self._log("$ " + " ".join(argv) + (" <stdin>" if input is not None else ""))
        if self.fail_on is not None and self.fail_on(argv):
            if check:
                raise CommandFailed(argv, 1, "injected failure")
            return RunResult(tuple(argv), 1, "", "injected failure")
        out = self.responder(argv) or ""
        if on_line is not None:
            for line in out.splitlines():
                on_line(line)
        return RunResult(tuple(argv), 0, out, "")

    def write_file(
        self, path: str, content: str | bytes, mode: int = 0o644, owner: tuple[int, int] | None = None
    ) -> None:
        data = content.encode() if isinstance(content, str) else content
        self.files[path] = data
        self.links.pop(path, None)
        self.modes[path] = mode
        if owner is not None:
            self.owners[path] = owner
        else:
            self.owners.pop(path, None)
        self.records.append(Record("write", {"path": path, "mode": mode, "owner": owner}))
        self._log(f"wrote {path} ({len(data)} bytes, mode {mode:o})")

    def read_file(self, path: str) -> str:
        if path in self.files:
            return self.files[path].decode()
        raise FileNotFoundError(path)

    def exists(self, path: str) -> bool:
        return path in self.files

    def makedirs(self, path: str, mode: int = 0o755) -> None:
        self.dirs.setdefault(path, mode)
        self.records.append(Record("mkdir", {"path": path, "mode": f"{mode:o}"}))

    def chmod(self, path: str, mode: int) -> None:
        if path in self.dirs:
            self.dirs[path] = mode
        elif path in self.files:
            self.modes[path] = mode
        self.records.append(Record("chmod", {"path": path, "mode": f"{mode:o}"}))

    def chown(self, path: str, uid: int, gid: int) -> None:
        self.owners[path] = (uid, gid)
        self.records.append(Record("chown", {"path": path, "uid": uid, "gid": gid}))

    def symlink(self, target: str, link: str) -> None:
        self.files.pop(link, None)
        self.links[link] = target
        self.records.append(Record("symlink", {"target": target, "link": link}))

    def remove(self, path: str) -> None:
        prefix = path.rstrip("/") + "/"
        for store in (self.files, self.links, self.dirs, self.modes, self.owners):
            for k in [k for k in store if k == path or k.startswith(prefix)]:
                del store[k]
        self.records.append(Record("remove", {"path": path}))

    def copy(self, src: str, dst: str, mode: int | None = None) -> None:
        if src in self.files:
            self.files[dst] = self.files[src]
            self.modes[dst] = mode if mode is not None else self.modes.get(src, 0o644)
        self.records.append(Record("copy", {"src": src, "dst": dst}))

    def wait_for_path(self, path: str, timeout: float = 10.0) -> None:
        self.records.append(Record("wait", {"path": path}))

    def transcript(self) -> str:
        return "\n".join(r.line() for r in self.records) + "\n"
