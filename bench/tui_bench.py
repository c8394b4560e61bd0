"""Text installer benchmarks, printed side by side with a bare Textual app (one Label) started
the same way in the same run:

- start-up to the first screen, through a pty at 80x24 and headless (median of N runs), the
  ratio to the bare app (target <= 1.5x) and the RSS after the first screen (target < 80 MB);
- serial mode (TERM=vt100, --serial theme) through a pty at 80x24: bytes written for each
  screen's first paint (target <= 8 KiB) and per typed character (target <= 150 bytes);
  the normal theme's figures are printed beside them for comparison.

    .venv/bin/python bench/tui_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = str(ROOT / "bench" / "_tui_child.py")
PAGES = ("welcome", "install_type", "disk", "encryption", "hostname", "user", "summary", "progress", "finish")
MARKERS = {"bare": b"Hello from a bare", "welcome": b"Welcome"}


class PtyChild:
    """A child process on a fresh pty of 80x24; we read everything it writes."""

    def __init__(self, argv: list[str], term: str) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {**os.environ, "TERM": term, "COLUMNS": "80", "LINES": "24"}
        env.pop("TEXTUAL", None)
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     cwd=ROOT, start_new_session=True, close_fds=True)
        os.close(slave)
        self.buf = bytearray()

    def read_for(self, timeout: float) -> int:
        """Read whatever arrives within ``timeout`` s; returns the byte count."""
        n = 0
        end = time.perf_counter() + timeout
        while (left := end - time.perf_counter()) > 0:
            r, _, _ = select.select([self.master], [], [], left)
            if not r:
                break
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.buf += chunk
            n += len(chunk)
        return n

    def read_until_quiet(self, quiet: float = 0.4, limit: float = 30.0, first: float = 0.0) -> int:
        """Read until nothing arrives for ``quiet`` s; with ``first``, wait up to that long for
        the first byte (a process starting up writes nothing for a while)."""
        n = self.read_for(first) if first else 0
        end = time.perf_counter() + limit
        while time.perf_counter() < end:
            got = self.read_for(quiet)
            n += got
            if got == 0:
                break
        return n

    def wait_for(self, marker: bytes, limit: float = 30.0) -> float:
        """Seconds from spawn until ``marker`` was written (the first screen is on the wire)."""
        end = time.perf_counter() + limit
        while marker not in self.buf:
            if time.perf_counter() > end:
                raise TimeoutError(f"{marker!r} not seen; got {bytes(self.buf[-300:])!r}")
            self.read_for(0.05)
        return time.perf_counter() - self.t0

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def cpu_s(self) -> float:
        """User + system CPU seconds the child has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> tuple[float, float]:
        fields = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            k, _, v = line.partition(":")
            fields[k] = v.strip()
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        os.close(self.master)


def child(mode: str, page: str = "welcome", serial: bool = False, headless: bool = False) -> list[str]:
    return [sys.executable, CHILD, mode, page, "1" if serial else "0", "1" if headless else "0"]


def startup_pty(mode: str, serial: bool) -> tuple[float, float, float, float]:
    """(wall s, CPU s) to the first screen on the wire, then (wall s, RSS MB) once the screen is
    complete and the output settled (for the installer: machine loaded, choices filled in)."""
    c = PtyChild(child(mode, serial=serial), "vt100" if serial else "xterm-256color")
    try:
        t = c.wait_for(MARKERS[mode if mode == "bare" else "welcome"])
        cpu = c.cpu_s()
        if mode != "bare":
            c.wait_for(b"memory")  # "This machine: UEFI firmware, ..., 4.0 GiB memory": backend loaded
        done = time.perf_counter() - c.t0
        c.read_until_quiet(0.3)
        rss, _hwm = c.rss_mb()
        return t, cpu, done, rss
    finally:
        c.close()


def startup_headless(mode: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(child(mode, headless=True), check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)
    return time.perf_counter() - t0


def first_paint(page: str, serial: bool) -> int:
    c = PtyChild(child("app", page, serial=serial), "vt100" if serial else "xterm-256color")
    try:
        c.wait_for(b"Azure Linux installer")
        c.read_until_quiet(1.0)
        return len(c.buf)
    finally:
        c.close()


def per_char(page: str, serial: bool, text: str, pace: float | None) -> float:
    """Bytes per typed character. ``pace``: seconds between keys (0.2 = a steady 5 keys/s), all
    output counted until the screen settles; None: one key at a time, each until quiet."""
    c = PtyChild(child("app", page, serial=serial), "vt100" if serial else "xterm-256color")
    try:
        c.wait_for(b"Azure Linux installer")
        c.read_until_quiet(1.0)
        total = 0
        for ch in text:
            c.send(ch.encode())
            total += c.read_for(pace) if pace is not None else c.read_until_quiet(0.6)
        total += c.read_until_quiet(0.8)
        return total / len(text)
    finally:
        c.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ns = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally: blocks that end children

    print(f"text installer benchmark (80x24 pty; {ns.runs} runs, median; python {sys.version.split()[0]})")
    print("\n== start-up to the first screen ==")
    print("(wall-clock on a shared machine is noisy: CPU seconds used by then are printed beside it)")
    med = statistics.median
    for label, serial in (("normal theme, TERM=xterm-256color", False), ("serial mode, TERM=vt100", True)):
        bare = [startup_pty("bare", serial) for _ in range(ns.runs)]
        app = [startup_pty("app", serial) for _ in range(ns.runs)]
        tb, ta = med(x[0] for x in bare), med(x[0] for x in app)
        cb, ca = med(x[1] for x in bare), med(x[1] for x in app)
        print(f"pty, {label}:")
        print(f"  bare Textual app (one Label):  first screen {tb:.3f} s (CPU {cb:.2f} s)   "
              f"RSS {med(x[3] for x in bare):.1f} MB")
        print(f"  installer, welcome page:       first screen {ta:.3f} s (CPU {ca:.2f} s)   "
              f"RSS {med(x[3] for x in app):.1f} MB")
        print(f"    ... machine loaded and choices filled in at {med(x[2] for x in app):.3f} s")
        print(f"  ratio installer/bare: {ta / tb:.2f}x wall, {ca / cb:.2f}x CPU (target <= 1.5x; RSS target < 80 MB)")
    hb = statistics.median(startup_headless("bare") for _ in range(ns.runs))
    ha = statistics.median(startup_headless("app") for _ in range(ns.runs))
    print("headless (process start to the welcome page complete, machine loaded, and exit):")
    print(f"  bare {hb:.3f} s   installer {ha:.3f} s   ratio {ha / hb:.2f}x")

    print("\n== bytes written per screen's first paint (target <= 8 KiB in serial mode) ==")
    print(f"  {'screen':<14} {'serial':>10} {'normal':>10}")
    worst = 0
    for page in PAGES:
        s, n = first_paint(page, True), first_paint(page, False)
        worst = max(worst, s)
        flag = "" if s <= 8192 else "  OVER"
        print(f"  {page:<14} {s:>8} B {n:>8} B{flag}")
    print(f"  largest serial first paint: {worst} B ({worst / 1024:.1f} KiB)")
    s, n = first_paint("progress+60", True), first_paint("progress+60", False)
    print(f"  (not a first paint: the progress screen drawn with 60 events already in: serial {s} B, normal {n} B)")

    print("\n== bytes per typed character (target <= 150 in serial mode) ==")
    cases = (("hostname", "host name field (live validation)", "web-01.example.com"),
             ("user", "full name field (derives the user name)", "Ada Lovelace"))
    for pace, how in ((0.2, "typing at 5 keys/s"), (None, "one key at a time, screen settled after each")):
        print(f"  {how}:")
        for page, what, text in cases:
            s_ = per_char(page, True, text, pace)
            # the normal theme's blinking cursor never lets the screen settle: paced typing only
            n_ = f"{per_char(page, False, text, pace):6.0f} B" if pace is not None else "   n/a"
            print(f"    {what:<42} serial {s_:6.0f} B   normal {n_}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
