"""2. Installation type: Core or Full, what each adds and its installed size."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import RadioButton, RadioSet, Static

from installer.backend import flow
from installer.backend.sizes import format_size
from installer.tui.screens.base import PageScreen
from installer.tui.widgets.toggles import Radio


class InstallTypeScreen(PageScreen):
    PAGE = "install_type"
    TITLE = "Installation type"

    def body(self) -> ComposeResult:
        yield Static("What to install:", markup=False)
        with RadioSet(id="package_set"):
            for p in flow.PACKAGE_SETS:
                yield Radio(f"{p.title} (about {format_size(p.installed_size)} installed)", id=f"set-{p.id}")
        for p in flow.PACKAGE_SETS:
            yield Static(f"{p.title}: {p.description}", classes="hint", markup=False)

    def load(self) -> None:
        self.query_one(f"#set-{self.state.package_set}", RadioButton).value = True

    def save(self) -> None:
        pressed = self.query_one("#package_set", RadioSet).pressed_button
        if pressed is not None and pressed.id:
            self.state.package_set = "full" if pressed.id == "set-full" else "core"
