"""8. Progress: the engine runs in a worker thread and its events arrive as messages; overall
bar weighted by step, current step and package, ETA, a scrollable log (redacted), cancel with
a confirmation, and on failure the error and where the log is."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Log, ProgressBar, Static

from installer.backend import flow
from installer.backend.events import (
    Event,
    Failed,
    Finished,
    LogLine,
    PlanReady,
    StepFinished,
    StepProgress,
    StepStarted,
)
from installer.backend.secrets import redact
from installer.tui.screens.base import KEYS, PageScreen
from installer.tui.widgets.confirm import ConfirmDialog

SHOWN_LEVELS = ("info", "warning", "error")
SERIAL_FLUSH_S = 0.5


def format_eta(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return "ETA --:--"
    m, s = divmod(int(seconds + 0.5), 60)
    h, m = divmod(m, 60)
    return f"ETA {h}:{m:02}:{s:02}" if h else f"ETA {m:02}:{s:02}"


class ProgressScreen(PageScreen):
    PAGE = "progress"
    TITLE = "Installing"
    BACK = False
    BINDINGS = [Binding("ctrl+c", "cancel_install", "Cancel", show=False)]

    class EngineEvent(Message):
        """One backend event, posted from the worker thread."""

        def __init__(self, event: Event) -> None:
            super().__init__()
            self.event = event

    def __init__(self, replay: Iterable[Event] | None = None) -> None:
        super().__init__()
        self.replay = list(replay) if replay is not None else None
        self.cancel_event = threading.Event()
        self.outcome: str | None = None  # "ok" | "failed" | "cancelled"
        self.log_path: str | None = None
        self.log_lines: list[str] = []
        self._pending_lines: list[str] = []
        self._pending_progress: StepProgress | None = None
        self._flush_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("Azure Linux installer - Installing", classes="title", markup=False)
        yield Static("Preparing...", id="step", markup=False)
        yield ProgressBar(total=100, id="overall", show_eta=False)
        yield Static("", id="detail", markup=False)
        yield Static(format_eta(None), id="eta", markup=False)
        yield Log(id="log", max_lines=2000, auto_scroll=True)
        yield Static("", id="error", classes="warning", markup=False)
        with Horizontal(classes="nav"):
            yield Button("Cancel install", id="cancel", compact=True)
            yield Button("Continue", id="next", compact=True, disabled=True)
        yield Static(KEYS.replace("^N next  ^B back", "^C cancel"), classes="keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#error").display = False
        self.query_one("#cancel", Button).focus()
        if self.replay is not None:
            for ev in self.replay:
                self.handle_event(ev)
        else:
            self.install()

    # ------------------------------------------------------------------ the worker
    @work(thread=True, exclusive=True, name="install")
    def install(self) -> None:
        app = self.flow_app

        def emit(ev: Event) -> None:
            with contextlib.suppress(RuntimeError):  # the app is gone (quit while the engine unwinds)
                app.call_from_thread(self.handle_event, ev)

        app.run_install(emit, self.cancel_event)

    # ------------------------------------------------------------------ events -> widgets
    @on(EngineEvent)
    def _engine_event(self, message: EngineEvent) -> None:
        self.handle_event(message.event)

    # On a serial console a scrolling log repaints its whole region for every line, and a progress
    # update repaints three lines: batch both and draw at most every SERIAL_FLUSH_S seconds.
    def _batched(self) -> bool:
        return bool(getattr(self.app, "serial", False))

    def write_log(self, line: str) -> None:
        line = redact(line)
        self.log_lines.append(line)
        if self._batched():
            self._pending_lines.append(line)
            self._schedule()
        else:
            self.query_one("#log", Log).write_line(line)

    def _schedule(self) -> None:
        if self._flush_timer is None:
            self._flush_timer = self.set_timer(SERIAL_FLUSH_S, self.flush)

    def flush(self) -> None:
        """Draw what was batched (serial mode)."""
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        if self._pending_lines:
            self.query_one("#log", Log).write_lines(self._pending_lines)
            self._pending_lines = []
        if self._pending_progress is not None:
            ev, self._pending_progress = self._pending_progress, None
            self._show_progress(ev)

    def _show_progress(self, ev: StepProgress) -> None:
        self.query_one("#overall", ProgressBar).update(progress=round(ev.overall * 100, 1))
        detail = redact(ev.message)
        if ev.current is not None and ev.count:
            detail = f"({ev.current}/{ev.count}) {detail}"
        self.query_one("#detail", Static).update(detail[:78])
        self.query_one("#eta", Static).update(format_eta(ev.eta_s))

    def handle_event(self, ev: Event) -> None:
        if isinstance(ev, Finished | Failed):
            self.flush()
        if isinstance(ev, PlanReady):
            self.write_log(f"plan: {len(ev.steps)} steps")
            for s in ev.summary:
                self.write_log(f"  {s}")
        elif isinstance(ev, StepStarted):
            self.query_one("#step", Static).update(f"Step {ev.index + 1}/{ev.total}: {ev.title}")
            self.query_one("#detail", Static).update("")
            self._pending_progress = None  # the previous step's detail is no longer news
            self.write_log(f"[{ev.index + 1}/{ev.total}] {ev.title}")
        elif isinstance(ev, StepProgress):
            if self._batched():
                self._pending_progress = ev
                self._schedule()
            else:
                self._show_progress(ev)
        elif isinstance(ev, LogLine):
            if ev.level in SHOWN_LEVELS:
                prefix = "" if ev.level == "info" else f"{ev.level}: "
                for line in ev.message.splitlines() or [""]:
                    self.write_log(prefix + line)
        elif isinstance(ev, StepFinished):
            if not ev.ok:
                self.write_log(f"step {ev.step_id} did not finish")
        elif isinstance(ev, Finished):
            self.outcome = "ok"
            self.query_one("#overall", ProgressBar).update(progress=100)
            self.query_one("#step", Static).update(f"Installation finished in {ev.duration_s:.0f} s.")
            self.query_one("#eta", Static).update("")
            self.write_log("install finished")
            self._done()
        elif isinstance(ev, Failed):
            self.outcome = "cancelled" if ev.cancelled else "failed"
            self.log_path = ev.log_path or self.flow_app.log_path
            what = "Installation cancelled" if ev.cancelled else f"Installation failed in step '{ev.step_id}'"
            msg = f"{what}: {redact(ev.error)}"
            if self.log_path:
                msg += f"\nThe log is at {self.log_path}"
            err = self.query_one("#error", Static)
            err.update(msg)
            err.display = True
            self.query_one("#step", Static).update(what + ".")
            self.write_log(msg.splitlines()[0])
            self._done()

    def _done(self) -> None:
        self.flush()  # the outcome is drawn at once, batched or not
        cancel = self.query_one("#cancel", Button)
        cancel.disabled = True
        nxt = self.query_one("#next", Button)
        nxt.label = "Continue" if self.outcome == "ok" else "Quit"
        nxt.disabled = False
        nxt.focus()

    # ------------------------------------------------------------------ buttons
    def issues(self) -> list[flow.FieldIssue]:
        return []

    def refresh_issues(self) -> list[flow.FieldIssue]:
        return []

    def action_next(self) -> None:
        if self.outcome == "ok":
            self.flow_app.next_page(self.PAGE)
        elif self.outcome is not None:
            self.flow_app.exit(return_code=130 if self.outcome == "cancelled" else 1)

    @on(Button.Pressed, "#cancel")
    def action_cancel_install(self) -> None:
        if self.outcome is not None:
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.cancel_event.set()
                self.write_log("cancelling: undoing what was set up...")
        self.app.push_screen(ConfirmDialog("Cancel the installation? What was set up so far is undone; "
                                           "the disk may be left without a working system.",
                                           yes="Cancel install", no="Keep installing"), answer)
