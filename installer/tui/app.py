"""The Textual installer app: navigation over flow.PAGES, the serial-console mode, and run(args)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

from installer.tui.serial import is_serial_console
from installer.tui.theme import DEFAULT_THEME, HIGH_CONTRAST

if TYPE_CHECKING:
    from installer.backend import flow
    from installer.backend.events import Emit, Event
    from installer.backend.machine import Machine

# What the app needs before the first page can be filled: the machine (probe or recording) and,
# when prefilled from answers, the flow state. Loaded after the first paint (see `loader`).
Loader = Callable[[], "tuple[Machine, flow.FlowState | None]"]

HERE = Path(__file__).parent
CSS = HERE / "app.tcss"
SERIAL_CSS = HERE / "serial.tcss"


class InstallerApp(App[str]):
    """The whole interactive install. Holds the FlowState; screens copy widget values into it.

    Give either ``machine`` (and optionally ``state``), or a ``loader`` that returns them: then the
    welcome page is painted first and the backend (pydantic models, the probe) loads right after,
    which makes the first screen appear about as fast as a bare Textual app's."""

    TITLE = "Azure Linux installer"
    BINDINGS = [
        Binding("f2", "toggle_contrast", "High contrast", show=False),
        Binding("ctrl+t", "toggle_contrast", "High contrast", show=False),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        machine: Machine | None = None,
        state: flow.FlowState | None = None,
        *,
        loader: Loader | None = None,
        serial: bool = False,
        dry_run: bool = True,
        start: str = "welcome",
        log_path: str | None = None,
        answers_out: str | None = None,
        replay: list[Event] | None = None,
    ) -> None:
        css: list[str | PurePath] = [CSS, SERIAL_CSS] if serial else [CSS]
        super().__init__(css_path=css, ansi_color=serial or None)
        self.loader = loader
        self.load_error: str | None = None
        self.ready = False
        if machine is not None:
            self._set_backend(machine, state)
        elif loader is None:
            raise ValueError("InstallerApp needs a machine or a loader")
        self.serial = serial
        self.dry_run = dry_run
        self.start_page = start
        self.log_path = log_path or _default_log(dry_run)
        self.answers_out = answers_out or ("azl-answers.yaml" if dry_run else "/root/azl-answers.yaml")
        self.replay = replay
        self.high_contrast = False
        self.result_code = 0
        self.system_factory: Callable[[], object] | None = None  # tests may inject a System
        self.register_theme(HIGH_CONTRAST)  # the default theme (DEFAULT_THEME) needs no setting

    def _set_backend(self, machine: Machine, state: flow.FlowState | None) -> None:
        from installer.backend import flow

        self.machine = machine
        self.state = state or flow.new_state(machine)
        self.ready = True

    def on_mount(self) -> None:
        if not self.ready and self.start_page != "welcome":
            self._load_backend()  # only the welcome page can wait for the backend
        self.push_screen(self.make_screen(self.start_page))
        if not self.ready:
            self.call_after_refresh(self._load_backend)

    def _load_backend(self) -> None:
        from installer.backend.errors import InstallerError

        if self.ready or self.loader is None:
            return
        try:
            machine, state = self.loader()
        except InstallerError as exc:
            self.load_error = str(exc)
            self.exit(return_code=exc.exit_code)
            return
        self._set_backend(machine, state)
        backend_ready = getattr(self.screen, "backend_ready", None)
        if backend_ready is not None:
            backend_ready()

    # ------------------------------------------------------------------ navigation
    def make_screen(self, page: str):  # type: ignore[no-untyped-def]
        from installer.tui.screens import screen_class

        cls = screen_class(page)
        if page == "progress":
            return cls(replay=self.replay)  # type: ignore[call-arg]
        return cls()

    def goto(self, page: str) -> None:
        screen = self.make_screen(page)
        if self.high_contrast:
            screen.add_class("-hc")
        self.switch_screen(screen)

    def next_page(self, page: str) -> None:
        from installer.backend import flow

        i = flow.PAGES.index(page)
        if i + 1 < len(flow.PAGES):
            self.goto(flow.PAGES[i + 1])

    def prev_page(self, page: str) -> None:
        from installer.backend import flow

        i = flow.PAGES.index(page)
        if i > 0:
            self.goto(flow.PAGES[i - 1])

    @property
    def page(self) -> str:
        return str(getattr(self.screen, "PAGE", ""))

    # ------------------------------------------------------------------ actions
    def action_toggle_contrast(self) -> None:
        self.high_contrast = not self.high_contrast
        if not self.serial:
            self.theme = HIGH_CONTRAST.name if self.high_contrast else DEFAULT_THEME
        for screen in self.screen_stack:
            screen.set_class(self.high_contrast, "-hc")

    async def action_quit(self) -> None:
        if self.page == "progress":
            getattr(self.screen, "action_cancel_install")()  # noqa: B009
            return
        if self.page == "finish":
            self.exit(result="none", return_code=0)
            return
        from installer.tui.widgets.confirm import ConfirmDialog

        def answer(yes: bool | None) -> None:
            if yes:
                self.exit(result="none", return_code=130)
        if not isinstance(self.screen, ConfirmDialog):
            self.push_screen(ConfirmDialog("Quit the installer? Nothing has been written to disk."), answer)

    # ------------------------------------------------------------------ the install (worker thread)
    def run_install(self, emit: Emit, cancel: threading.Event) -> None:
        """Plan and apply once, in the calling (worker) thread. Events go to ``emit`` and, redacted,
        to the log file."""
        from installer.backend import flow
        from installer.backend.engine import apply
        from installer.backend.errors import InstallerError
        from installer.backend.events import Failed
        from installer.backend.plan import make_plan
        from installer.backend.system import HostSystem, RecordingSystem
        from installer.cli.render import LogFile

        try:
            config = flow.to_config(self.state)
            plan = make_plan(config, self.machine)
        except InstallerError as exc:
            emit(Failed(step_id="plan", error=str(exc), log_path=None))
            return
        system = self.system_factory() if self.system_factory else (
            RecordingSystem() if self.dry_run else HostSystem())
        fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            log = LogFile(f)

            def both(ev: Event) -> None:
                log(ev)
                emit(ev)

            apply(plan, config, self.machine, system, both, cancel, log_path=self.log_path)  # type: ignore[arg-type]


def _default_log(dry_run: bool) -> str:
    if not dry_run:
        d = Path("/var/log/azl-installer")
        try:
            d.mkdir(parents=True, exist_ok=True)
            if os.access(d, os.W_OK):
                return str(d / "install.log")
        except OSError:
            pass
    return str(Path(tempfile.gettempdir()) / f"azl-installer-tui-{os.getpid()}.log")


def _machine(path: str | None) -> Machine:
    """A recorded machine (--machine) or the probe of this one (as cli.common.get_machine, without
    importing the answer-file loaders at start-up)."""
    from installer.backend.machine import load_machine

    if path:
        return load_machine(path)
    from installer.cli.common import get_machine

    return get_machine(None)


def build_app(args: argparse.Namespace) -> InstallerApp:
    """The app for these command-line arguments. With --answers the file is read now (bad input
    raises InvalidInput before any screen); otherwise the machine is loaded after the first paint."""
    # Start-up is paid on every boot of the medium: skip pydantic's plugin scan of every installed
    # package's entry points (this process uses no pydantic plugins).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    serial = bool(getattr(args, "serial", False)) or is_serial_console()
    dry_run = bool(getattr(args, "dry_run", False))
    machine_path = getattr(args, "machine", None)
    if getattr(args, "answers", None):
        from installer.backend import flow
        from installer.backend.answers.load import load_file

        machine = _machine(machine_path)
        loaded = load_file(args.answers)
        state = flow.from_config(loaded.config, machine)
        start = "summary" if getattr(args, "interactive", False) else "welcome"
        if start == "summary" and loaded.hints.get("storage") == "missing":
            start = "disk"  # the answer file chose no storage layout: the user does
        return InstallerApp(machine, state, serial=serial, dry_run=dry_run, start=start)
    return InstallerApp(loader=lambda: (_machine(machine_path), None), serial=serial, dry_run=dry_run)


def run(args: argparse.Namespace) -> int:
    from installer.backend.errors import InvalidInput

    try:
        app = build_app(args)
    except InvalidInput as exc:
        for issue in exc.issues:
            print(issue.format(), file=sys.stderr)
        return 2
    action = app.run()
    if app.load_error:
        print(app.load_error, file=sys.stderr)
    code = app.return_code or 0
    if code == 0 and action in ("reboot", "poweroff"):
        from installer.cli.install_cmd import _finish

        _finish(action, app.dry_run)
    return code
