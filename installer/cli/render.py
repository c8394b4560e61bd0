"""Rendering events on a terminal (rich progress bar) and into files (JSON lines, the log)."""

from __future__ import annotations

import sys
import threading
import time
from typing import IO, Any

from installer.backend.events import (
    Event,
    Failed,
    Finished,
    LogLine,
    StepFinished,
    StepProgress,
    StepStarted,
)
from installer.backend.secrets import redact


def strip_step(step_id: str, error: str) -> str:
    """Errors from a step start with its id; don't say it twice after 'in step X'."""
    return error[len(step_id) + 2:] if step_id and error.startswith(step_id + ": ") else error


class EventFanout:
    """Sends each event to every sink; thread-safe."""

    def __init__(self) -> None:
        self.sinks: list[Any] = []
        self._lock = threading.Lock()

    def __call__(self, ev: Event) -> None:
        with self._lock:
            for s in self.sinks:
                s(ev)


class JsonLines:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def __call__(self, ev: Event) -> None:
        self.stream.write(ev.to_json() + "\n")
        self.stream.flush()


class LogFile:
    """Timestamped, redacted log lines; debug lines (each command) included."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, level: str, step: str, msg: str) -> None:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime())
        for line in redact(msg).splitlines() or [""]:
            self.stream.write(f"{ts} {level.upper():7} [{step or '-'}] {line}\n")
        self.stream.flush()

    def __call__(self, ev: Event) -> None:
        if isinstance(ev, LogLine):
            self.write(ev.level, ev.step_id, ev.message)
        elif isinstance(ev, StepStarted):
            self.write("info", ev.step_id, f"step {ev.index + 1}/{ev.total}: {ev.title}")
        elif isinstance(ev, StepFinished):
            self.write("info" if ev.ok else "error", ev.step_id,
                       f"step {'finished' if ev.ok else 'failed'} in {ev.duration_s:.1f}s")
        elif isinstance(ev, Finished):
            self.write("info", "", f"install finished in {ev.duration_s:.1f}s")
        elif isinstance(ev, Failed):
            self.write("error", ev.step_id, f"install {'cancelled' if ev.cancelled else 'failed'}: {ev.error}")


class PlainProgress:
    """For a log-like terminal (not a TTY, or a dumb serial line): one line per step."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr

    def __call__(self, ev: Event) -> None:
        if isinstance(ev, StepStarted):
            print(f"[{ev.index + 1}/{ev.total}] {ev.title}", file=self.stream, flush=True)
        elif isinstance(ev, LogLine) and ev.level in ("warning", "error"):
            print(f"  {ev.level}: {ev.message}", file=self.stream, flush=True)
        elif isinstance(ev, Failed):
            print(f"FAILED in {ev.step_id}: {strip_step(ev.step_id, ev.error)}", file=self.stream, flush=True)
        elif isinstance(ev, Finished):
            print(f"Install finished in {ev.duration_s:.0f}s", file=self.stream, flush=True)


class RichProgress:
    """A progress bar weighted by step, with the current step, what it is doing and an ETA."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]{task.fields[step]}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[msg]}"),
            console=self.console,
            transient=False,
        )
        self.task = self.progress.add_task("install", total=1.0, step="", msg="")
        self.progress.start()

    def __call__(self, ev: Event) -> None:
        if isinstance(ev, StepStarted):
            self.progress.update(self.task, step=ev.title, msg="")
        elif isinstance(ev, StepProgress):
            self.progress.update(self.task, completed=ev.overall, msg=ev.message[:50])
        elif isinstance(ev, LogLine) and ev.level in ("warning", "error"):
            self.progress.console.print(f"[{'yellow' if ev.level == 'warning' else 'red'}]"
                                        f"{ev.level}: {ev.message}")
        elif isinstance(ev, Finished | Failed):
            if isinstance(ev, Finished):
                self.progress.update(self.task, completed=1.0, msg="done")
            self.progress.stop()
