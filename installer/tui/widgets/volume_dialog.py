"""Add or edit one LVM logical volume of a manual layout, validated live by flow.validate_volume."""

from __future__ import annotations

import dataclasses

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from installer.backend import flow
from installer.tui.widgets.issues import Issues

LV_FS = ("ext4", "xfs", "btrfs", "swap")


class VolumeDialog(ModalScreen["flow.ManualVolume | None"]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, state: flow.FlowState, vol: flow.ManualVolume | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.state = state
        groups = [p.vg for p in state.partitions if p.vg]
        self.vol = vol or flow.ManualVolume(name="", vg=groups[0] if groups else "", mount=None, size="")
        self.title_text = "Edit logical volume" if vol else "Add logical volume"

    def compose(self) -> ComposeResult:
        v = self.vol
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="title", markup=False)
            with Grid(classes="form"):
                yield Label("Name")
                yield Input(v.name, id="v-name", compact=True, placeholder="root, home, swap ...")
                yield Label("LVM group")
                yield Input(v.vg, id="v-vg", compact=True)
                yield Label("Mount point")
                yield Input(v.mount or "", id="v-mount", compact=True, placeholder="/, /home ...")
                yield Label("Size")
                yield Input(v.size, id="v-size", compact=True, placeholder="20GiB, 30% or rest")
                yield Label("Filesystem")
                yield Select([(f, f) for f in LV_FS], value=v.fs, id="v-fs", allow_blank=False, compact=True)
            yield Issues(id="v-issues")
            with Horizontal(classes="nav"):
                yield Button("Cancel", id="v-cancel", compact=True)
                yield Button("OK", id="v-ok", compact=True)

    def on_mount(self) -> None:
        from installer.tui.screens.base import quiet_cursor

        quiet_cursor(self)
        self.query_one("#v-name", Input).focus()
        self._validate()

    def current(self) -> flow.ManualVolume:
        fs = self.query_one("#v-fs", Select).value
        # replace(): what the dialog does not show (max_size, label) is kept
        return dataclasses.replace(
            self.vol,
            name=self.query_one("#v-name", Input).value.strip(),
            vg=self.query_one("#v-vg", Input).value.strip(),
            mount=self.query_one("#v-mount", Input).value.strip() or None,
            size=self.query_one("#v-size", Input).value.strip(),
            fs=fs if isinstance(fs, str) else "ext4",
        )

    def _validate(self) -> list[flow.FieldIssue]:
        found = flow.validate_volume(self.current(), self.state)
        self.query_one("#v-issues", Issues).show(found)
        return found

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        self._validate()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#v-ok")
    def _ok(self) -> None:
        if any(i.blocking for i in self._validate()):
            self.app.bell()
            return
        self.dismiss(self.current())

    @on(Button.Pressed, "#v-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
