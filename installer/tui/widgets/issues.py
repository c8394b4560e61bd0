"""The line under a form that shows the backend's validation messages for the page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.widgets import Static

if TYPE_CHECKING:
    from installer.backend.flow import FieldIssue


class Issues(Static):
    """Shows FieldIssues as 'x message' (errors) or '! message' (warnings).

    It always takes the same ROWS lines, so a message coming or going repaints this widget only,
    not the whole screen (on a serial line that is ~100 bytes instead of ~5 KiB)."""

    ROWS = 2

    def __init__(self, id: str | None = None) -> None:
        super().__init__("", id=id, classes="issues", markup=False)
        self.shown: list[str] = []

    def show(self, issues: Sequence[FieldIssue]) -> None:
        lines = [("x " if i.blocking else "! ") + words(i) for i in issues]
        if lines == self.shown:
            return
        self.shown = lines
        visible = lines[: self.ROWS]
        if len(lines) > self.ROWS:
            visible[-1] = f"{visible[-1][:60]} (+{len(lines) - self.ROWS + 1} more)"
        self.update("\n".join(line[:78] for line in visible))
        self.set_class(any(i.blocking for i in issues), "-error")


PREFIX = {"root_password": "root password: ", "ssh_key": "SSH key: ", "swap": "swap: "}


def words(issue: FieldIssue) -> str:
    """The backend's message in this UI's words: a password is not a passphrase."""
    msg = issue.message
    if "password" in issue.field:
        msg = msg.replace("passphrase", "password")
    return PREFIX.get(issue.field, "") + msg
