"""PageScreen: the frame every step of the flow shares (title, body, issues, Back/Next, key hints).

Screens hold widgets only. On every change they copy widget values into the shared FlowState
(``save``) and show the backend's validation for the page (``flow.validate_page``), so going
back and forth keeps what was entered and no rule lives in the UI."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, RadioSet, Select, Static

from installer.tui.widgets.issues import Issues

if TYPE_CHECKING:
    from installer.backend import flow
    from installer.backend.machine import Machine
    from installer.tui.app import InstallerApp


def quiet_cursor(screen: Screen) -> None:
    """On a serial line a blinking cursor repaints twice a second: keep it steady (and headless,
    where nobody sees it blink, so snapshots do not depend on the blink phase)."""
    if getattr(screen.app, "serial", False) or screen.app.is_headless:
        for box in screen.query(Input):
            box.cursor_blink = False


SERIAL_SETTLE_S = 0.4
KEYS = "Tab move  Enter choose  ^N next  ^B back  F2 contrast  ^Q quit"


def title_of(page: str, title: str) -> str:
    """'Azure Linux installer - 3/7 Installation disk': numbered by flow.PAGES."""
    from installer.backend import flow

    numbered = [p for p in flow.PAGES if p not in ("progress", "finish")]
    n = f"{numbered.index(page) + 1}/{len(numbered)} " if page in numbered else ""
    return f"Azure Linux installer - {n}{title}"


class PageScreen(Screen[None]):
    PAGE: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    NEXT_LABEL: ClassVar[str] = "Next"
    BACK: ClassVar[bool] = True
    BODY_FOCUS: ClassVar[bool] = False  # Tab to the body to scroll it with the arrow keys
    CUSTOM: ClassVar[frozenset[str]] = frozenset()  # widget ids whose changes the screen handles itself
    BINDINGS = [
        Binding("ctrl+n", "next", "Next", show=False),
        Binding("ctrl+b", "back", "Back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(classes=f"page-{self.PAGE}")
        self._loading = True
        self._pending: Timer | None = None

    @property
    def flow_app(self) -> InstallerApp:
        return self.app  # type: ignore[return-value]

    @property
    def state(self) -> flow.FlowState:
        return self.flow_app.state

    @property
    def machine(self) -> Machine:
        return self.flow_app.machine

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        ready = self.flow_app.ready
        title = title_of(self.PAGE, self.TITLE) if ready else f"Azure Linux installer - {self.TITLE}"
        yield Static(title, classes="title", markup=False)
        with VerticalScroll(classes="body", can_focus=self.BODY_FOCUS):
            yield from self.body()
        yield from self.fixed()
        yield Issues(id="issues")
        with Horizontal(classes="nav"):
            if self.BACK:
                yield Button("Back", id="back", compact=True)
            yield Button(self.NEXT_LABEL, id="next", compact=True)
        yield Static(KEYS if self.BACK else KEYS.replace("  ^B back", ""), classes="keys", markup=False)

    def body(self) -> ComposeResult:
        yield from ()

    def fixed(self) -> ComposeResult:
        """Widgets below the scrolling body that stay in view."""
        yield from ()

    def on_mount(self) -> None:
        quiet_cursor(self)
        if self.flow_app.ready:
            self.backend_ready()

    def backend_ready(self) -> None:
        """Fill the page from the state; called at mount, or once the backend has loaded when the
        first page was painted before it (see InstallerApp.loader)."""
        self.query_one(".title", Static).update(title_of(self.PAGE, self.TITLE))
        self.load()
        self._loading = False
        self.refresh_issues()
        first = self.first_focus()
        if first is not None:
            first.focus()

    def first_focus(self) -> Widget | None:
        for w in self.query("Input, Select, RadioSet, Checkbox, Button, DataTable"):
            if w.focusable:
                return w
        return None

    # ------------------------------------------------------------------ state <-> widgets
    def load(self) -> None:
        """Fill widgets from the state (values kept across Back/Next)."""

    def save(self) -> None:
        """Copy widget values into the state."""

    def issues(self) -> list[flow.FieldIssue]:
        from installer.backend import flow

        return flow.validate_page(self.PAGE, self.state, self.machine)

    def refresh_issues(self) -> list[flow.FieldIssue]:
        found = self.issues()
        self.query_one(Issues).show(found)
        self.after_change()
        return found

    def after_change(self) -> None:
        """Hook for derived displays (strength meter, suggested user name...)."""

    def changed(self) -> None:
        if self._loading:
            return
        self.save()
        if getattr(self.app, "serial", False):
            # On a serial line, show validation once typing pauses: a message flickering in and out
            # on every keystroke (e.g. a trailing '-' while typing 'web-01') costs hundreds of bytes.
            if self._pending is not None:
                self._pending.stop()
            self._pending = self.set_timer(SERIAL_SETTLE_S, self._settled)
        else:
            self.refresh_issues()

    def _settled(self) -> None:
        self._pending = None
        self.refresh_issues()

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(RadioSet.Changed)
    @on(Select.Changed)
    def _any_change(self, event: Input.Changed | Checkbox.Changed | RadioSet.Changed | Select.Changed) -> None:
        if event.control is not None and event.control.id in self.CUSTOM:
            return
        self.changed()

    # ------------------------------------------------------------------ navigation
    @on(Button.Pressed, "#next")
    def _next_pressed(self) -> None:
        self.action_next()

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_back()

    def action_next(self) -> None:
        if not self.flow_app.ready:
            return
        self.save()
        blocking = [i for i in self.refresh_issues() if i.blocking]
        if blocking:
            self.app.bell()
            self.focus_field(blocking[0].field)
            return
        self.flow_app.next_page(self.PAGE)

    def action_back(self) -> None:
        if not self.BACK:
            return
        self.save()
        self.flow_app.prev_page(self.PAGE)

    def focus_field(self, name: str) -> None:
        found = self.query(f"#{name}")
        if found:
            found.first().focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        """Enter in a field moves to the next field, never past the page's buttons by itself."""
        self.focus_next()
