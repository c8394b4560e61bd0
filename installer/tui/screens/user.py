"""6. User: full name, derived user name, password + confirmation, administrator, SSH key;
root stays locked unless the user asks for a root password."""

from __future__ import annotations

from pydantic import SecretStr
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Checkbox, Input, Label, Static

from installer.tui.screens.base import PageScreen
from installer.tui.widgets.toggles import Check


class UserScreen(PageScreen):
    PAGE = "user"
    TITLE = "User account"
    CUSTOM = frozenset({"full_name", "username"})

    def body(self) -> ComposeResult:
        with Grid(classes="form"):
            yield Label("Full name")
            yield Input(id="full_name", compact=True)
            yield Label("User name")
            yield Input(id="username", compact=True, max_length=32)
            yield Label("Password")
            yield Input(id="password", password=True, compact=True)
            yield Label("Confirm")
            yield Input(id="password_confirm", password=True, compact=True)
            yield Label("SSH key")
            yield Input(id="ssh_key", compact=True, placeholder="optional: ssh-ed25519 AAAA... comment")
        yield Check("Administrator (member of wheel, may use sudo)", id="admin", compact=True)
        yield Check("Set a root password (otherwise root stays locked)", id="set_root_password",
                       compact=True)
        with Grid(classes="form", id="root-form"):
            yield Label("Root pw")
            yield Input(id="root_password", password=True, compact=True)
            yield Label("Confirm")
            yield Input(id="root_password_confirm", password=True, compact=True)
        yield Static("", id="pw-note", classes="hint", markup=False)

    def load(self) -> None:
        s = self.state
        for name in ("full_name", "username", "ssh_key"):
            self.query_one(f"#{name}", Input).value = getattr(s, name)
        for name in ("password", "password_confirm", "root_password", "root_password_confirm"):
            self.query_one(f"#{name}", Input).value = getattr(s, name).get_secret_value()
        self.query_one("#admin", Checkbox).value = s.admin
        self.query_one("#set_root_password", Checkbox).value = s.set_root_password
        self.query_one("#root-form").display = s.set_root_password
        note = ("A password from the answer file is kept unless you type a new one."
                if s.password_hash and not s.password.get_secret_value() else "")
        self.query_one("#pw-note", Static).update(note)

    @on(Input.Changed, "#full_name")
    def _full_name(self, event: Input.Changed) -> None:
        if self._loading or event.value == self.state.full_name:
            return
        self.state.set_full_name(event.value)  # derives the user name until it is edited
        self.changed()

    def after_change(self) -> None:
        box = self.query_one("#username", Input)
        if box.value != self.state.username:
            box.value = self.state.username

    @on(Input.Changed, "#username")
    def _username(self, event: Input.Changed) -> None:
        if self._loading or event.value.strip() == self.state.username:
            return
        self.state.username = event.value.strip()
        self.state.username_edited = True
        self.changed()

    def save(self) -> None:
        s = self.state
        s.ssh_key = self.query_one("#ssh_key", Input).value
        for name in ("password", "password_confirm", "root_password", "root_password_confirm"):
            setattr(s, name, SecretStr(self.query_one(f"#{name}", Input).value))
        s.admin = self.query_one("#admin", Checkbox).value
        s.set_root_password = self.query_one("#set_root_password", Checkbox).value
        self.query_one("#root-form").display = s.set_root_password
