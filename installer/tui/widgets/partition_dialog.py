"""Add or edit one partition of a manual layout, validated live by flow.validate_partition."""

from __future__ import annotations

import dataclasses

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from installer.backend import flow
from installer.tui.widgets.issues import Issues
from installer.tui.widgets.toggles import Check

FS_CHOICES = ("ext4", "xfs", "btrfs", "vfat", "swap", "biosboot", "none")


class PartitionDialog(ModalScreen["flow.ManualPartition | None"]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, part: flow.ManualPartition | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.part = part or flow.ManualPartition(mount=None, size="")
        self.title_text = "Edit partition" if part else "Add partition"

    def compose(self) -> ComposeResult:
        p = self.part
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="title", markup=False)
            with Grid(classes="form"):
                yield Label("Mount point")
                yield Input(p.mount or "", id="p-mount", compact=True, placeholder="/, /boot, /home ...")
                yield Label("Size")
                yield Input(p.size, id="p-size", compact=True, placeholder="20GiB, 30% or rest")
                yield Label("Filesystem")
                yield Select([(f, f) for f in FS_CHOICES], value=p.fs, id="p-fs", allow_blank=False,
                             compact=True)
                yield Label("LVM group")
                yield Input(p.vg or "", id="p-vg", compact=True, placeholder="optional: make it an LVM PV")
            yield Check("Encrypt this partition", p.encrypt, id="p-encrypt", compact=True)
            yield Issues(id="p-issues")
            with Horizontal(classes="nav"):
                yield Button("Cancel", id="p-cancel", compact=True)
                yield Button("OK", id="p-ok", compact=True)

    def on_mount(self) -> None:
        from installer.tui.screens.base import quiet_cursor

        quiet_cursor(self)
        self.query_one("#p-mount", Input).focus()
        self._validate()

    def current(self) -> flow.ManualPartition:
        fs = self.query_one("#p-fs", Select).value
        # replace(): what the dialog does not show (max_size, disk, mount options) is kept
        return dataclasses.replace(
            self.part,
            mount=self.query_one("#p-mount", Input).value.strip() or None,
            size=self.query_one("#p-size", Input).value.strip(),
            fs=fs if isinstance(fs, str) else "ext4",
            encrypt=self.query_one("#p-encrypt", Checkbox).value,
            vg=self.query_one("#p-vg", Input).value.strip() or None,
        )

    def _validate(self) -> list[flow.FieldIssue]:
        found = flow.validate_partition(self.current())
        self.query_one("#p-issues", Issues).show(found)
        return found

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        self._validate()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#p-ok")
    def _ok(self) -> None:
        if any(i.blocking for i in self._validate()):
            self.app.bell()
            return
        self.dismiss(self.current())

    @on(Button.Pressed, "#p-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
