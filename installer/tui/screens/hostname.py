"""5. Host name: a random azurelinux-xxxx default, validated as you type."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Input, Label, Static

from installer.tui.screens.base import PageScreen


class HostnameScreen(PageScreen):
    PAGE = "hostname"
    TITLE = "Host name"

    def body(self) -> ComposeResult:
        yield Static("The name this machine uses on the network.", markup=False)
        with Grid(classes="form"):
            yield Label("Host name")
            yield Input(id="hostname", compact=True, max_length=253)
        yield Static("Letters, digits and hyphens; dots separate labels (e.g. web-01.example.com).",
                     classes="hint", markup=False)

    def load(self) -> None:
        self.query_one("#hostname", Input).value = self.state.hostname

    def save(self) -> None:
        self.state.hostname = self.query_one("#hostname", Input).value.strip()
