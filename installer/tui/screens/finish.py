"""9. Finish: reboot, power off or stay; save the answer file that reproduces this install."""

from __future__ import annotations

import os
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from installer.backend import flow
from installer.tui.screens.base import PageScreen
from installer.tui.widgets.toggles import Radio

ACTIONS = (("reboot", "Reboot into the installed system"), ("poweroff", "Power off"),
           ("none", "Stay in the installer"))


class FinishScreen(PageScreen):
    PAGE = "finish"
    TITLE = "Installation complete"
    NEXT_LABEL = "Done"
    BACK = False

    def body(self) -> ComposeResult:
        yield Static("Azure Linux is installed. Remove the installation medium before rebooting.",
                     markup=False)
        with RadioSet(id="finish"):
            for key, label in ACTIONS:
                yield Radio(label, id=f"finish-{key}")
        yield Static("Save the answer file that reproduces this install (no secrets are stored):",
                     markup=False)
        with Grid(classes="form"):
            yield Label("Answer file")
            yield Input(id="answers_path", compact=True)
        yield Button("Save answer file", id="save", compact=True)
        yield Static("", id="saved", classes="hint", markup=False)

    def load(self) -> None:
        base = self.state.base
        action = base.finish if base is not None else "reboot"
        self.query_one(f"#finish-{action}", RadioButton).value = True
        self.query_one("#answers_path", Input).value = self.flow_app.answers_out

    def first_focus(self):  # type: ignore[no-untyped-def]
        return self.query_one("#finish", RadioSet)

    def chosen(self) -> str:
        pressed = self.query_one("#finish", RadioSet).pressed_button
        return (pressed.id or "finish-reboot").removeprefix("finish-") if pressed else "reboot"

    @on(Button.Pressed, "#save")
    def save_answers(self) -> None:
        from installer.backend.answers.native import dump_yaml

        path = Path(self.query_one("#answers_path", Input).value.strip() or self.flow_app.answers_out)
        text = dump_yaml(flow.to_config(self.state))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(text)
        except OSError as exc:
            self.query_one("#saved", Static).update(f"could not save {path}: {exc.strerror}")
            return
        self.query_one("#saved", Static).update(f"Saved to {path}")

    def action_next(self) -> None:
        self.flow_app.exit(result=self.chosen(), return_code=0)
