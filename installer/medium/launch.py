"""The installer medium's console entry point (run by ``azl-installer@<tty>.service``).

One instance runs per console (tty1 and ttyS0). The instance on the *primary* console (the
last ``console=`` on the kernel command line; tty1 when there is none) drives the install; the
other one says where the installer runs and offers a shell. The primary instance decides:

* ``inst.ks=`` given: fetch the file, validate it, install without a prompt (the user named it);
* no ``inst.ks=`` but a drive labelled OEMDRV with ``ks.cfg``: validate, show the plan and wait
  for an explicit ``yes`` on the console, unless ``inst.cmdline`` is given too;
* otherwise the text UI, or with ``inst.cmdline`` an error (nothing to do unattended).

A missing, unreadable or invalid answer file stops with a message and never falls back to an
interactive install. Machine-readable lines for automation go to the serial console::

    AZL-INSTALLER: READY tty=ttyS0 mode=...
    AZL-INSTALLER: ANSWERS source=... file=...
    AZL-INSTALLER: CONSENT? type yes to install
    AZL-INSTALLER: INSTALL start
    AZL-INSTALLER: DONE rc=0
    AZL-INSTALLER: ERROR <reason> <message>

The installer itself is run as ``python3 -m installer ...`` (a child process, so a crash in it
cannot take the launcher's error reporting down with it).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from installer import __version__
from installer.medium import MARKER_PREFIX, MEDIUM_REPO, cmdline, fetch
from installer.medium.cmdline import Finish, MediumOptions

WORKDIR = Path("/run/azl-installer")
LOG_PATH = Path("/tmp/azl-installer/install.log")
SERIAL = Path("/dev/ttyS0")
LIVE_REPO = fetch.LIVE_MEDIUM / "repo"


def _write_line(path: Path, line: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            os.write(fd, (line + "\r\n").encode())
        finally:
            os.close(fd)


@dataclass
class Console:
    """Where the launcher talks: its own tty (stdout) plus the serial console for markers."""

    tty: str
    out: Callable[[str], None] = field(default=lambda s: print(s, flush=True))
    serial: Path | None = SERIAL
    markers: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.out(text)

    def marker(self, text: str) -> None:
        line = f"{MARKER_PREFIX} {text}"
        self.markers.append(line)
        self.out(line)
        if self.serial is not None and self.tty != self.serial.name and self.serial.exists():
            _write_line(self.serial, line)


@dataclass(frozen=True)
class Runner:
    """How the launcher runs the installer CLI (a seam for tests)."""

    python: str = sys.executable
    env: dict[str, str] | None = None

    def __call__(self, args: Sequence[str]) -> int:
        try:
            return subprocess.run([self.python, "-m", "installer", *args], check=False, env=self.env).returncode
        except OSError as exc:
            print(f"cannot start the installer: {exc}", flush=True)
            return 127


def installer_version() -> str:
    # not importlib.metadata: it costs seconds of start-up under emulation, before READY
    return __version__


def medium_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for the installer: the medium's repo in ``AZL_MEDIUM_REPO``."""
    env = dict(os.environ if base is None else base)
    if "AZL_MEDIUM_REPO" not in env:
        repo = Path(MEDIUM_REPO)
        if not repo.exists() and LIVE_REPO.is_dir():
            with contextlib.suppress(OSError):
                repo.parent.mkdir(parents=True, exist_ok=True)
                repo.symlink_to(LIVE_REPO)
        if repo.exists():
            env["AZL_MEDIUM_REPO"] = str(repo)
    return env


def fix_serial_size(tty: str) -> None:
    """A serial line reports 0x0: give full-screen programs a usable 80x24."""
    if not tty.startswith("ttyS") or not os.isatty(0):
        return
    with contextlib.suppress(OSError):
        rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(0, termios.TIOCGWINSZ, b"\0" * 8))
        if rows == 0 or cols == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))


@dataclass
class Launcher:
    """The decisions of the primary console, with every side effect injectable."""

    opts: MediumOptions
    console: Console
    run: Callable[[Sequence[str]], int]
    host: fetch.Host
    workdir: Path = WORKDIR
    read_line: Callable[[], str] = field(default=lambda: sys.stdin.readline())
    finish: Callable[[Finish], None] = field(default=lambda f: None)
    serial_ui: bool = False

    def stop(self, reason: str, message: str) -> int:
        self.console.say("")
        self.console.say(f"The installation cannot continue: {message}")
        self.console.say("Nothing was written to any disk.")
        self.console.marker(f"ERROR {reason} {message}")
        return 2 if reason.startswith(("ks-", "cmdline")) else 1

    def get_answers(self) -> tuple[fetch.Fetched | None, bool]:
        """Return (answer file or None, needs consent). Raise FetchError on failure."""
        answers_dir = self.workdir / "answers"
        if self.opts.ks is not None:
            self.console.say(f"Reading the answer file {self.opts.ks.describe()} ...")
            got = fetch.fetch(self.opts.ks, answers_dir, self.host, timeout=self.opts.ks_timeout)
            return got, False
        found = fetch.find_oemdrv(self.host, answers_dir)
        if found is not None:
            return found, not self.opts.unattended
        return None, False

    def consent(self, answers: Path) -> bool:
        self.console.say("")
        self.console.say("An answer file was found on a drive labelled OEMDRV.")
        self.console.say("This is what installing it would do:")
        self.run(["plan", str(answers)])
        self.console.say("")
        self.console.say("Type 'yes' and press Enter to install; anything else cancels.")
        self.console.marker("CONSENT? type yes to install")
        return self.read_line().strip().lower() == "yes"

    def main(self) -> int:
        mode = "cmdline" if self.opts.unattended else "text"
        self.console.marker(f"READY tty={self.console.tty} mode={mode} version={installer_version()}")
        if self.opts.errors:
            return self.stop("cmdline-invalid", "; ".join(self.opts.errors))
        if self.opts.ks is None and cmdline.ks_requested(self.opts):
            return self.stop("cmdline-invalid", "inst.ks has no usable value")
        try:
            answers, need_consent = self.get_answers()
        except fetch.FetchError as exc:
            return self.stop(exc.reason, exc.message)
        if answers is None:
            if self.opts.unattended:
                return self.stop(
                    "ks-missing",
                    "inst.cmdline needs an answer file: inst.ks=... or a drive labelled OEMDRV with ks.cfg",
                )
            from installer.medium import graphical  # Qt/VNC bring-up: imported only when it may be needed

            if graphical.requested(self.opts.raw):  # inst.graphical / inst.vnc: installer/medium/graphical.py
                rc = self.graphical()
                self.console.marker(f"DONE rc={rc}")
                return rc
            self.console.marker("UI start")
            ui = ["--ui", "tui"] + (["--serial"] if self.serial_ui else [])
            rc = self.run(ui)
            self.console.marker(f"DONE rc={rc}")
            return rc
        self.console.marker(f"ANSWERS source={answers.source} file={answers.path}")
        rc = self.run(["validate", "--unattended", str(answers.path)])
        if rc == 2:
            return self.stop("ks-invalid", f"the answer file {answers.source} is invalid")
        if rc != 0:
            return self.stop("validate-failed", f"checking {answers.source} failed (rc={rc})")
        if need_consent and not self.consent(answers.path):
            return self.stop("no-consent", "the installation was not confirmed")
        self.console.marker("INSTALL start")
        LOG_PATH.parent.mkdir(parents=True, exist_ok=True)
        events = self.workdir / "events.jsonl"
        rc = self.run(["install", str(answers.path), "--yes", "--log", str(LOG_PATH), "--events", str(events)])
        self.console.marker(f"DONE rc={rc}")
        durations = step_durations(events)
        if durations:
            self.console.say("Step durations: " + ", ".join(f"{k} {v:.1f} s" for k, v in durations))
        if rc != 0:
            self.console.say(f"The installation failed (rc={rc}); the log is {LOG_PATH}.")
            return rc
        self.console.say("The installation is complete.")
        self.finish(self.opts.finish or finish_from_events(events))
        return 0

    def graphical(self) -> int:
        """The graphical installer (framebuffer or VNC); when it cannot start, the text one on request."""
        from installer.medium import graphical

        ui = ["--ui", "tui"] + (["--serial"] if self.serial_ui else [])
        return graphical.Bringup(
            say=self.console.say,
            marker=self.console.marker,
            run_text=lambda: self.run(ui),
            read_line=self.read_line,
            base_env=getattr(self.run, "env", None),
        ).run(self.opts.raw)


def finish_from_events(path: Path) -> Finish:
    """The answer file's ``finish`` as the installer reported it in its ``finished`` event."""
    how = "none"
    with contextlib.suppress(OSError):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                ev = json.loads(line)
                if isinstance(ev, dict) and ev.get("event") == "finished":
                    how = str(ev.get("finish", "none"))
    try:
        return Finish(how)
    except ValueError:
        return Finish.HALT


def step_durations(path: Path) -> list[tuple[str, float]]:
    """(step id, seconds) of every finished step in the installer's event stream, in order."""
    out: list[tuple[str, float]] = []
    with contextlib.suppress(OSError):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError, TypeError):
                ev = json.loads(line)
                if isinstance(ev, dict) and ev.get("event") == "step_finished":
                    out.append((str(ev.get("step_id")), float(ev.get("duration_s", 0.0))))
    return out


BOOT_REPORT_OPTION = "azl.bootreport"
"""Kernel option: print where the boot's time went on ttyS0 once the boot has finished (benchmarks)."""

BOOT_REPORT_SCRIPT = (
    "timeout 90 systemctl is-system-running --wait >/dev/null 2>&1; "
    "{ echo '--- boot report'; systemctl list-jobs --no-pager; systemd-analyze time; "
    "systemd-analyze blame --no-pager | head -n 30; "
    "systemd-analyze critical-chain --no-pager azl-installer@ttyS0.service; "
    "journalctl -b -o short-monotonic --no-pager | "
    "grep -E 'Run /init|Switching root|Started|Finished|Reached target|Mounted|Startup finished|initqueue|dracut' "
    "| grep -v 'Started Session' | head -n 200; "
    "echo '--- end of boot report'; } > /dev/ttyS0 2>&1"
)


def start_boot_report(raw_cmdline: str) -> None:
    """With ``azl.bootreport``: a detached child prints systemd-analyze's figures on ttyS0."""
    if BOOT_REPORT_OPTION not in cmdline.split_cmdline(raw_cmdline):
        return
    with contextlib.suppress(OSError):
        subprocess.Popen(
            ["/bin/sh", "-c", BOOT_REPORT_SCRIPT],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


def do_finish(how: Finish) -> None:
    if how is Finish.HALT:
        print("Remove the installation medium, then restart the machine.", flush=True)
        return
    os.sync()
    subprocess.run(["systemctl", "--no-block", how.value], check=False)


def wait_forever(interactive: bool) -> None:
    """After the job: keep the console (a shell on Enter when someone can type)."""
    if interactive and os.isatty(0):
        print("Press Enter for a shell.", flush=True)
        with contextlib.suppress(OSError, EOFError):
            sys.stdin.readline()
            os.execv("/bin/bash", ["/bin/bash", "-l"])
    while True:
        time.sleep(3600)


def secondary(tty: str, primary: str) -> int:
    print(f"The Azure Linux installer runs on /dev/{primary}.", flush=True)
    print(f"Its log is {LOG_PATH}. Press Enter for a root shell.", flush=True)
    wait_forever(interactive=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="azl-installer-medium", description=__doc__)
    ap.add_argument("--tty", default=os.environ.get("AZL_TTY", "tty1"))
    ap.add_argument("--cmdline", type=Path, default=Path("/proc/cmdline"))
    ap.add_argument("--workdir", type=Path, default=WORKDIR)
    ap.add_argument("--once", action="store_true", help="exit after the job (for tests)")
    args = ap.parse_args(argv)

    opts = cmdline.read_proc_cmdline(args.cmdline)
    primary = opts.primary_console
    if primary not in ("tty1", "ttyS0"):
        primary = "tty1"  # no unit runs on other consoles: tty1 drives then
    if args.tty != primary:
        return secondary(args.tty, primary)
    start_boot_report(opts.raw)
    fix_serial_size(args.tty)
    if args.tty.startswith("ttyS") and os.environ.get("TERM", "vt220") in ("vt220", "vt102"):
        os.environ["TERM"] = "xterm-256color"
    launcher = Launcher(
        opts=opts,
        console=Console(tty=args.tty),
        run=Runner(env=medium_env()),
        host=fetch.RealHost(),
        workdir=args.workdir,
        finish=do_finish,
        serial_ui=args.tty.startswith("ttyS"),
    )
    rc = launcher.main()
    if not args.once:
        wait_forever(interactive=not opts.unattended)
    return rc


if __name__ == "__main__":
    sys.exit(main())
