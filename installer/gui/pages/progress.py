"""Progress: overall bar, the current step, the plan's steps, a log view, and Cancel (confirmed)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QWidget,
)

from installer.backend.events import (
    Event,
    Failed,
    Finished,
    LogLine,
    PlanReady,
    StepFinished,
    StepProgress,
    StepStarted,
)
from installer.backend.secrets import redact
from installer.gui.context import GuiContext
from installer.gui.models.steps import StepListModel
from installer.gui.pages.base import Page
from installer.gui.widgets.a11y import named

MAX_LOG_LINES = 5000


class ProgressPage(Page):
    page_id = "progress"
    title = "Installing Azure Linux"
    subtitle = "This takes a few minutes. You can keep this window open and watch the details."
    next_label = "&Continue"
    cancel_requested = Signal()

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.step_label = named(QLabel("Preparing…"), "Current step")
        self.step_label.setProperty("role", "step")
        self.bar = named(QProgressBar(), "Installation progress")
        self.bar.setRange(0, 1000)
        self.bar.setFormat("%p%")
        self.detail = named(QLabel(""), "Current activity")
        self.detail.setProperty("role", "hint")
        self.body.addWidget(self.step_label)
        self.body.addWidget(self.bar)
        self.body.addWidget(self.detail)
        row = QHBoxLayout()
        self.steps = StepListModel()
        self.step_view = named(QListView(), "Installation steps")
        self.step_view.setModel(self.steps)
        self.step_view.setFixedWidth(280)
        self.step_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.step_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.log = named(QPlainTextEdit(), "Installation log")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(MAX_LOG_LINES)
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(max(7.5, self.font().pointSizeF() - 1))
        self.log.setFont(mono)
        row.addWidget(self.step_view)
        row.addWidget(self.log, 1)
        self.body.addLayout(row, 1)
        self.expand_body()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_btn = named(QPushButton("C&ancel installation"), "Cancel installation")
        self.cancel_btn.setProperty("role", "danger")
        buttons.addWidget(self.cancel_btn)
        self.body.addLayout(buttons)
        self.cancel_btn.clicked.connect(self.ask_cancel)
        self.result_text = ""

    @property
    def finished(self) -> bool:
        return self.ctx.outcome in ("finished", "failed", "cancelled")

    def extra_ok(self) -> bool:
        return self.ctx.outcome == "finished"

    def ask_cancel(self) -> bool:
        """Ask before cancelling; returns True when the user confirmed."""
        if self.finished:
            return False
        answer = QMessageBox.question(
            self, "Cancel the installation?",
            "Stop the installation now? What was set up so far is undone where possible, but the "
            "chosen disk may be left partly written and will not boot.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.setText("Cancelling…")
        self.step_label.setText("Cancelling: undoing what was set up…")
        self.cancel_requested.emit()
        return True

    def focus_first(self) -> None:
        self.log.setFocus()  # scrollable with the keyboard; Cancel is one Tab away

    def append_log(self, text: str) -> None:
        self.log.appendPlainText(redact(text))

    def handle(self, ev: Event) -> None:
        if isinstance(ev, PlanReady):
            self.steps.set_steps(ev.steps)
            self.ctx.outcome = "running"
        elif isinstance(ev, StepStarted):
            self.steps.set_status(ev.step_id, "running")
            self.step_label.setText(f"Step {ev.index + 1} of {ev.total}: {ev.title}")
            self.append_log(f"== {ev.title}")
        elif isinstance(ev, StepProgress):
            self.bar.setValue(int(ev.overall * 1000))
            eta = f"  (about {int(ev.eta_s // 60)} min {int(ev.eta_s % 60)} s left)" if ev.eta_s else ""
            self.detail.setText(redact(ev.message) + eta)
        elif isinstance(ev, LogLine):
            if ev.level != "debug":
                self.append_log(f"{ev.level}: {ev.message}" if ev.level != "info" else ev.message)
            else:
                self.append_log(f"  $ {ev.message}")
        elif isinstance(ev, StepFinished):
            self.steps.set_status(ev.step_id, "done" if ev.ok else "failed")
        elif isinstance(ev, Finished):
            self.ctx.outcome = "finished"
            self.bar.setValue(1000)
            self.step_label.setText("Installation complete")
            self.detail.setText(f"Finished in {ev.duration_s:.0f} s.")
            self.cancel_btn.hide()
        elif isinstance(ev, Failed):
            self.ctx.outcome = "cancelled" if ev.cancelled else "failed"
            self.cancel_btn.hide()
            if ev.cancelled:
                self.step_label.setText("Installation cancelled")
                self.detail.setText("Everything that was set up has been undone. The disk may not boot.")
            else:
                self.step_label.setText("Installation failed")
                where = f" in step '{ev.step_id}'" if ev.step_id else ""
                log = f" The full log is at {ev.log_path}." if ev.log_path else ""
                self.detail.setText(redact(f"{ev.error}{where}.{log}"))
            self.detail.setProperty("severity", "error")
            self.detail.setProperty("role", "message")
            self.detail.style().unpolish(self.detail)
            self.detail.style().polish(self.detail)
        self.changed.emit()
