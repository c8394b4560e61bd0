"""HostSystem: the :class:`~installer.backend.system.System` that runs for real.

It runs argv lists (never shell strings), with ``check=True`` by default, passes secrets on stdin
only, and refuses any block device outside the plan's allow-list.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from installer.backend.errors import CommandFailed, DeviceNotAllowed
from installer.backend.secrets import redact
from installer.backend.storage import live
from installer.backend.system_types import LineSink, LiveDevice, RunResult


def _sys_block_name(dev: str) -> str | None:
    try:
        st = os.stat(dev)
    except OSError:
        return None
    if not stat.S_ISBLK(st.st_mode):
        return None
    link = f"/sys/dev/block/{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
    try:
        return os.path.basename(os.path.realpath(link))
    except OSError:
        return None


def _leaf_disks(name: str, depth: int = 0) -> set[str]:
    """The whole disks under a block device name: partitions -> parent, dm -> slaves."""
    if depth > 8:
        return {name}
    base = f"/sys/class/block/{name}"
    if os.path.exists(f"{base}/partition"):
        parent = os.path.basename(os.path.dirname(os.path.realpath(base)))
        return _leaf_disks(parent, depth + 1)
    slaves_dir = f"{base}/slaves"
    if os.path.isdir(slaves_dir) and os.listdir(slaves_dir):
        out: set[str] = set()
        for s in os.listdir(slaves_dir):
            out |= _leaf_disks(s, depth + 1)
        return out
    return {name}


class HostSystem:
    """Runs for real. ``allowed_devices`` are whole disks (or loop devices) the plan names."""

    def __init__(self, allowed_devices: Iterable[str] = (), logger: LineSink | None = None) -> None:
        self._allowed: set[str] = set()
        self.logger = logger
        self.allow_devices(allowed_devices)

    def allow_devices(self, paths: Iterable[str]) -> None:
        for p in paths:
            name = _sys_block_name(p)
            if name is not None:
                self._allowed.add(name)

    # -- safety
    def inspect_device(self, path: str) -> LiveDevice:
        return live.inspect(path)

    def check_device(self, path: str) -> None:
        name = _sys_block_name(path)
        if name is None:  # not an existing block device: cannot destroy anything
            return
        leaves = _leaf_disks(name)
        outside = sorted(leaves - self._allowed)
        if outside:
            raise DeviceNotAllowed(
                f"refusing to touch {path}: it lives on {', '.join('/dev/' + o for o in outside)}, "
                "which the plan does not name"
            )

    def _check_argv(self, argv: Sequence[str]) -> None:
        for a in argv:
            cand = a.split("=", 1)[1] if a.startswith("--") and "=" in a else a
            if cand.startswith("/dev/"):
                self.check_device(cand)

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
        self._check_argv(argv)
        self._log("$ " + " ".join(argv) + (" <stdin>" if input is not None else ""))
        full_env = None
        if env:
            full_env = {**os.environ, **env}
        if on_line is None:
            proc = subprocess.run(
                argv,
                input=input,
                capture_output=True,
                text=True,
                env=full_env,
                cwd=cwd,
                timeout=timeout,
                check=False,
            )
            result = RunResult(tuple(argv), proc.returncode, proc.stdout, proc.stderr)
        else:
            result = self._run_streaming(argv, input, full_env, cwd, timeout, on_line)
        if result.returncode != 0:
            for line in result.stderr.strip().splitlines()[-20:]:
                self._log("  " + line)
            if check:
                raise CommandFailed(list(argv), result.returncode, redact(result.stderr))
        return result

    def _run_streaming(
        self,
        argv: list[str],
        input: str | None,
        env: dict[str, str] | None,
        cwd: str | None,
        timeout: float | None,
        on_line: LineSink,
    ) -> RunResult:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cwd,
        )
        err_chunks: list[str] = []

        def _drain_err() -> None:
            assert proc.stderr is not None
            err_chunks.append(proc.stderr.read())

        t = threading.Thread(target=_drain_err, daemon=True)
        t.start()
        if input is not None:
            assert proc.stdin is not None
            proc.stdin.write(input)
            proc.stdin.close()
        out_lines: list[str] = []
        assert proc.stdout is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        for line in proc.stdout:
            out_lines.append(line)
            on_line(line.rstrip("\n"))
            if deadline is not None and time.monotonic() > deadline:
                proc.kill()
                break
        rc = proc.wait()
        t.join(timeout=5)
        return RunResult(tuple(argv), rc, "".join(out_lines), "".join(err_chunks))

    # -- files
    def write_file(
        self, path: str, content: str | bytes, mode: int = 0o644, owner: tuple[int, int] | None = None
    ) -> None:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        os.chmod(p, mode)
        if owner is not None:
            os.chown(p, *owner)
        self._log(f"wrote {path} ({len(data)} bytes, mode {mode:o})")

    def read_file(self, path: str) -> str:
        return Path(path).read_text()

    def exists(self, path: str) -> bool:
        return os.path.lexists(path)

    def makedirs(self, path: str, mode: int = 0o755) -> None:
        os.makedirs(path, mode=mode, exist_ok=True)

    def chmod(self, path: str, mode: int) -> None:
        os.chmod(path, mode)

    def chown(self, path: str, uid: int, gid: int) -> None:
        os.chown(path, uid, gid)

    def symlink(self, target: str, link: str) -> None:
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(target, link)

    def remove(self, path: str) -> None:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)

    def copy(self, src: str, dst: str, mode: int | None = None) -> None:
        Path(dst).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        if mode is not None:
            os.chmod(dst, mode)
        self._log(f"copied {src} -> {dst}")

    def wait_for_path(self, path: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not os.path.exists(path):
            if time.monotonic() > deadline:
                raise CommandFailed(["wait-for", path], 1, f"{path} did not appear in {timeout:.0f}s")
            time.sleep(0.05)
