"""An inline validation message under a field, fed by the backend's typed results."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from installer.backend.flow import FieldIssue
from installer.gui.widgets.a11y import named


class InlineMessage(QLabel):
    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setWordWrap(True)
        named(self, f"{field} message")
        self.setProperty("role", "message")
        self.hide()

    def show_issue(self, issue: FieldIssue | None) -> None:
        if issue is None:
            self.clear()
            self.hide()
            return
        severity = "error" if issue.blocking else "warning"
        self.setProperty("severity", severity)
        prefix = "✗ " if issue.blocking else "⚠ "
        self.setText(prefix + issue.message[:1].upper() + issue.message[1:] + ".")
        self.setAccessibleDescription(f"{severity}: {issue.message}")
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()
