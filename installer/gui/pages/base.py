"""What every page has: a title, a subtitle, inline messages per field, and a `changed` signal
the window answers by re-validating the page through the shared flow."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from installer.backend.flow import FieldIssue
from installer.gui.context import GuiContext
from installer.gui.widgets.a11y import named
from installer.gui.widgets.inline import InlineMessage


class Page(QWidget):
    page_id = ""
    title = ""
    subtitle = ""
    next_label = "&Next"
    changed = Signal()

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.messages: dict[str, InlineMessage] = {}
        self.touched: set[str] = set()
        self.loading = False  # widgets are being filled from the state: their signals store nothing
        self.show_all = False
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(36, 28, 36, 20)
        self.outer.setSpacing(10)
        head = named(QLabel(self.title), f"{self.title} heading")
        head.setProperty("role", "title")
        head.setAccessibleName(self.title)
        self.outer.addWidget(head)
        if self.subtitle:
            sub = named(QLabel(self.subtitle), f"{self.title} description")
            sub.setProperty("role", "subtitle")
            sub.setWordWrap(True)
            self.outer.addWidget(sub)
        self.outer.addSpacing(6)
        self.body = QVBoxLayout()
        self.body.setSpacing(8)
        self.outer.addLayout(self.body)
        self.outer.addStretch(1)

    # -------------------------------------------------------------- for subclasses
    def message(self, field: str) -> InlineMessage:
        m = InlineMessage(field, self)
        self.messages[field] = m
        return m

    def touch(self, field: str) -> None:
        self.touched.add(field)
        self.changed.emit()

    @staticmethod
    def card(parent: QWidget | None = None) -> QFrame:
        f = QFrame(parent)
        f.setProperty("role", "card")
        f.setFrameShape(QFrame.Shape.StyledPanel)
        return f

    @staticmethod
    def label(text: str, buddy: QWidget | None = None) -> QLabel:
        lab = QLabel(text)
        lab.setAccessibleName(text.replace("&", ""))
        lab.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        if buddy is not None:
            lab.setBuddy(buddy)
        return lab

    # -------------------------------------------------------------- the window calls these
    def load_page(self) -> None:
        self.loading = True
        try:
            self.load()
        finally:
            self.loading = False

    def load(self) -> None:
        """Fill the widgets from ctx.state (called each time the page is shown)."""

    def show_issues(self, issues: list[FieldIssue]) -> None:
        by_field: dict[str, FieldIssue] = {}
        for i in issues:
            by_field.setdefault(i.field, i)
        for field, msg in self.messages.items():
            issue = by_field.get(field)
            visible = self.show_all or field in self.touched or (issue is not None and not issue.blocking)
            msg.show_issue(issue if visible else None)

    def extra_ok(self) -> bool:
        """Page-specific conditions on top of the flow's validation (e.g. the erase consent)."""
        return True

    def expand_body(self) -> None:
        """Let the body take the free height (for pages with a log or a long list)."""
        self.outer.setStretch(self.outer.indexOf(self.body), 1)
        self.outer.setStretch(self.outer.count() - 1, 0)

    def focus_first(self) -> None:
        """Put the keyboard focus on the page's first control, in tab order."""
        w = self.nextInFocusChain()
        while w is not None and w is not self:
            if (self.isAncestorOf(w) and w.isVisibleTo(self) and w.isEnabled()
                    and w.focusPolicy() & Qt.FocusPolicy.TabFocus):
                w.setFocus(Qt.FocusReason.TabFocusReason)
                return
            w = w.nextInFocusChain()
