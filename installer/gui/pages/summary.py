"""Summary: every choice, exactly what will be erased (from the plan), and an explicit consent
checkbox that enables Install."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from installer.backend.errors import InstallerError
from installer.backend.flow import summary_lines, to_config
from installer.backend.plan import Plan, make_plan
from installer.backend.secrets import redact
from installer.gui.context import GuiContext
from installer.gui.pages.base import Page
from installer.gui.widgets.a11y import named


class SummaryPage(Page):
    page_id = "summary"
    title = "Review and install"
    subtitle = "Check your choices. Use Back to change any of them. Nothing has been written yet."
    next_label = "&Install"

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.choices_card = self.card()
        self.choices = QFormLayout(self.choices_card)
        self.choices.setContentsMargins(20, 14, 20, 14)
        self.choices.setVerticalSpacing(6)
        self.body.addWidget(self.choices_card)
        self.erase_card = self.card()
        self.erase_card.setProperty("role", "danger")
        lay = QVBoxLayout(self.erase_card)
        lay.setContentsMargins(20, 14, 20, 14)
        self.plan_text = named(QLabel(), "What will happen")
        self.plan_text.setWordWrap(True)
        self.plan_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                               | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.consent = named(QCheckBox(), "Erase consent")
        lay.addWidget(self.plan_text)
        lay.addWidget(self.consent)
        self.body.addWidget(self.erase_card)
        self.error = named(QLabel(), "Plan error")
        self.error.setProperty("role", "message")
        self.error.setProperty("severity", "error")
        self.error.setWordWrap(True)
        self.body.addWidget(self.error)
        self.plan: Plan | None = None
        self.erase: list[str] = []
        self.consent.toggled.connect(lambda _on: self.changed.emit())

    def load(self) -> None:
        while self.choices.rowCount():
            self.choices.removeRow(0)
        self.consent.setChecked(False)
        self.error.hide()
        self.plan = None
        try:
            lines = summary_lines(self.ctx.state, self.ctx.machine)
            self.plan = make_plan(to_config(self.ctx.state), self.ctx.machine)
        except InstallerError as exc:
            self._refuse("This cannot be installed as chosen: " + str(exc))
            return
        except Exception as exc:  # a planner bug must not leave a half-built page behind
            self._refuse(f"The installer could not make a plan ({type(exc).__name__}: {exc}).")
            return
        head_lines = lines[: lines.index("")] if "" in lines else lines
        plan_lines = lines[len(head_lines) + 1:]
        for line in head_lines:
            key, sep, value = line.partition(": ")
            k = QLabel(key if sep else "")
            k.setProperty("role", "key")
            v = QLabel(value if sep else line)
            v.setWordWrap(True)
            v.setAccessibleName(key)
            self.choices.addRow(k, v)
        self.erase = list(self.plan.erase) or ([self.ctx.state.disk] if self.ctx.state.disk else [])
        hc = bool(self.window().property("highContrast"))
        self.plan_text.setText(_plan_html(plan_lines, "#ff8080" if hc else "#a4262c") if plan_lines
                               else "No disk will be erased.")
        self.plan_text.setAccessibleDescription("\n".join(plan_lines))
        disks = " and ".join(self.erase)
        self.consent.setText(f"I understand {disks} will be &erased" if self.erase
                             else "I have reviewed these choices")
        self.consent.setAccessibleName(self.consent.text().replace("&", ""))
        self.erase_card.show()

    def _refuse(self, text: str) -> None:
        self.plan = None
        self.error.setText("✗ " + redact(text))
        self.error.show()
        self.erase_card.hide()

    def extra_ok(self) -> bool:
        return self.plan is not None and self.consent.isChecked()

    def focus_first(self) -> None:
        self.consent.setFocus()


def _plan_html(lines: list[str], danger: str) -> str:
    """The plan's lines: what is erased in bold red first, the new layout indented."""
    out = []
    for line in lines:
        text = html.escape(line.strip())
        indent = (len(line) - len(line.lstrip())) * 6
        if "ERASED" in line:
            text = text.replace("ERASED", "<u>ERASED</u>")
            out.append(f'<p style="margin:0 0 6px 0; color:{danger}; font-weight:600;">⚠ {text}</p>')
        else:
            out.append(f'<p style="margin:0 0 2px {indent}px;">{text}</p>')
    return "".join(out)
