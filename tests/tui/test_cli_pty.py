"""End to end through a real pseudo-terminal: `azl-installer --ui tui --dry-run --machine M` starts
the text installer at 80x24 (TERM=vt100 with --serial), pages forward, and quits with 130."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time

import pytest
from helpers import MACHINES, ROOT

CLI = str(ROOT / ".venv" / "bin" / "azl-installer")


class Term:
    def __init__(self, argv: list[str], term: str) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {**os.environ, "TERM": term}
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
                                     start_new_session=True)
        os.close(slave)
        self.out = bytearray()

    def expect(self, text: bytes, limit: float = 60.0) -> None:
        end = time.monotonic() + limit
        while text not in self.out:
            assert time.monotonic() < end, f"{text!r} not shown; last output {bytes(self.out[-400:])!r}"
            r, _, _ = select.select([self.master], [], [], 0.1)
            if r:
                try:
                    self.out += os.read(self.master, 65536)
                except OSError:
                    break

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> int:
        try:
            return self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait()
        finally:
            os.close(self.master)


@pytest.mark.skipif(not os.path.exists(CLI), reason="needs `make setup` (the azl-installer script)")
@pytest.mark.parametrize("serial", [False, True])
def test_cli_starts_pages_and_quits(serial: bool) -> None:
    argv = [CLI, "--ui", "tui", "--dry-run", "--machine", str(MACHINES / "two-disks.json")]
    if serial:
        argv.append("--serial")
    t = Term(argv, "vt100" if serial else "xterm-256color")
    try:
        t.expect(b"UEFI firmware")  # the welcome page, filled in once the machine is loaded
        t.send(b"\x0e")  # Ctrl+N
        t.expect(b"2/7 Installation type")
        t.send(b"\x11")  # Ctrl+Q asks first; No has the focus
        t.expect(b"Quit the installer?")
        t.send(b"\t\r")  # Tab to Yes, Enter
    finally:
        code = t.close()
    assert code == 130
