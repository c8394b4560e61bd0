"""The line under a form that shows the backend's validation messages for the page."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import Static

from installer.backend.flow import FieldIssue


class Issues(Static):
    """Shows FieldIssues as 'x message' (errors) or '! message' (warnings); empty when none."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__("", id=id, classes="issues", markup=False)
        self.shown: list[str] = []
        self.display = False

    def show(self, issues: Sequence[FieldIssue]) -> None:
        lines = [("x " if i.blocking else "! ") + words(i) for i in issues]
        if lines == self.shown:
            return
        self.shown = lines
        self.update("\n".join(lines))
        self.set_class(any(i.blocking for i in issues), "-error")
        self.display = bool(lines)


PREFIX = {"root_password": "root password: ", "ssh_key": "SSH key: ", "swap": "swap: "}


def words(issue: FieldIssue) -> str:
    """The backend's message in this UI's words: a password is not a passphrase."""
    msg = issue.message
    if "password" in issue.field:
        msg = msg.replace("passphrase", "password")
    return PREFIX.get(issue.field, "") + msg
