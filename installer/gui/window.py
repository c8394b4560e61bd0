"""The installer window: a step sidebar, the current page, and Back/Next. Navigation and
validation are the shared flow's (PAGES, validate_page); pages are built on first visit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from installer.backend import flow
from installer.gui.bridge import EngineBridge
from installer.gui.context import GuiContext
from installer.gui.pages import SIDEBAR_TITLES, page_class
from installer.gui.pages.base import Page
from installer.gui.style import stylesheet
from installer.gui.widgets.a11y import named

if TYPE_CHECKING:
    from installer.backend.engine import Result
    from installer.backend.events import Event
    from installer.backend.system import System

FORM_PAGES = ("welcome", "install_type", "disk", "encryption", "hostname", "user")


class InstallerWindow(QMainWindow):
    closed = Signal()  # the user closed the window (never while an install runs)

    def __init__(self, ctx: GuiContext, *, high_contrast: bool = False,
                 system_factory: Callable[[], System] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.system_factory = system_factory or _default_system(ctx.dry_run)
        self.setWindowTitle("Install Azure Linux" + (" (dry run)" if ctx.dry_run else ""))
        self.setAccessibleName("Azure Linux installer")
        self.pages: dict[str, Page] = {}
        self.page_id = ""
        self.bridge = EngineBridge(self)
        self.bridge.events.connect(self._on_event)
        self.bridge.done.connect(self._on_done)
        self.result: Result | None = None
        # the style sheet first: children are polished once, when shown, not twice
        self.setProperty("highContrast", high_contrast)
        self.setStyleSheet(stylesheet(high_contrast))

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self._sidebar())
        right = QVBoxLayout()
        right.setSpacing(0)
        self.stack = QStackedWidget()
        self.stack.setObjectName("page-area")
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.stack)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        right.addWidget(self.scroll_area, 1)
        right.addWidget(self._navbar())
        row.addLayout(right, 1)
        self.setCentralWidget(central)
        self.resize(1024, 768)
        self.setMinimumSize(800, 600)
        self.contrast.blockSignals(True)
        self.contrast.setChecked(high_contrast)
        self.contrast.blockSignals(False)
        self.go_to("welcome")

    # ------------------------------------------------------------------ chrome
    def _sidebar(self) -> QFrame:
        side = QFrame()
        side.setObjectName("sidebar")
        side.setFixedWidth(220)
        lay = QVBoxLayout(side)
        lay.setContentsMargins(0, 0, 0, 12)
        brand = QLabel("Azure Linux")
        brand.setObjectName("brand")
        sub = QLabel("Installer" + (" · dry run" if self.ctx.dry_run else ""))
        sub.setObjectName("brand-sub")
        self.sidebar = named(QListWidget(), "Steps overview")
        self.sidebar.setObjectName("steps-sidebar")
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sidebar.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        for pid in flow.PAGES:
            self.sidebar.addItem(SIDEBAR_TITLES[pid])
        lay.addWidget(brand)
        lay.addWidget(sub)
        lay.addWidget(self.sidebar, 1)
        return side

    def _navbar(self) -> QFrame:
        bar = QFrame()
        bar.setObjectName("navbar")
        lay = QHBoxLayout(bar)
        lay.setContentsMargins(24, 12, 24, 12)
        self.contrast = named(QCheckBox("High c&ontrast"), "High contrast", "Black background, larger text")
        self.contrast.toggled.connect(self.set_high_contrast)
        lay.addWidget(self.contrast)
        lay.addStretch(1)
        self.back_btn = named(QPushButton("&Back"), "Back")
        self.next_btn = named(QPushButton("&Next"), "Next")
        self.next_btn.setObjectName("next")
        self.back_btn.clicked.connect(self.back)
        self.next_btn.clicked.connect(self.next)
        lay.addWidget(self.back_btn)
        lay.addWidget(self.next_btn)
        return bar

    def set_high_contrast(self, on: bool) -> None:
        self.setProperty("highContrast", on)
        self.setStyleSheet(stylesheet(on))
        if self.contrast.isChecked() != on:
            self.contrast.setChecked(on)
        self.update()

    # ------------------------------------------------------------------ navigation
    def page(self, page_id: str) -> Page:
        if page_id not in self.pages:
            p = page_class(page_id)(self.ctx)
            p.changed.connect(self.revalidate)
            if page_id == "progress":
                p.cancel_requested.connect(self.bridge.cancel)  # type: ignore[attr-defined]
            self.pages[page_id] = p
            self.stack.addWidget(p)
        return self.pages[page_id]

    @property
    def current(self) -> Page:
        return self.pages[self.page_id]

    def go_to(self, page_id: str) -> None:
        p = self.page(page_id)
        self.page_id = page_id
        p.blockSignals(True)
        p.load_page()
        p.blockSignals(False)
        self.stack.setCurrentWidget(p)
        self.sidebar.setCurrentRow(flow.PAGES.index(page_id))
        self.scroll_area.verticalScrollBar().setValue(0)
        p.focus_first()
        self.revalidate()

    def revalidate(self) -> None:
        pid = self.page_id
        p = self.current
        issues = flow.validate_page(pid, self.ctx.state, self.ctx.machine) if pid in FORM_PAGES else []
        p.show_issues(issues)
        i = flow.PAGES.index(pid)
        self.back_btn.setEnabled(i > 0 and pid not in ("progress", "finish"))
        self.back_btn.setVisible(pid not in ("progress", "finish"))
        label = p.next_label
        if pid == "progress" and self.ctx.outcome in ("failed", "cancelled"):
            label = "&Quit"
        self.next_btn.setText(label)
        self.next_btn.setAccessibleName(label.replace("&", ""))
        if bool(self.next_btn.property("destructive")) != (pid == "summary"):
            self.next_btn.setProperty("destructive", pid == "summary")
            self.next_btn.style().unpolish(self.next_btn)  # re-read the style sheet (only on change:
            self.next_btn.style().polish(self.next_btn)  # style() costs ~10 ms the first time)
        if pid in FORM_PAGES:
            self.next_btn.setEnabled(True)  # a click on a blocked page shows every message
        elif pid == "progress":
            self.next_btn.setEnabled(self.ctx.outcome in ("finished", "failed", "cancelled"))
        else:
            self.next_btn.setEnabled(p.extra_ok())

    def try_next(self) -> bool:
        """Validate the current page; on success move on. Returns whether it moved."""
        pid = self.page_id
        p = self.current
        if pid in FORM_PAGES and not flow.can_proceed(pid, self.ctx.state, self.ctx.machine):
            p.show_all = True
            self.revalidate()
            for m in p.messages.values():
                if m.isVisible():
                    p.focusNextChild()
                    break
            return False
        if pid == "summary":
            if not p.extra_ok():
                return False
            self.start_install()
            return True
        if pid == "progress":
            if self.ctx.outcome == "finished":
                self.go_to("finish")
                return True
            if self.ctx.outcome in ("failed", "cancelled"):
                self.close()
                return True
            return False
        if pid == "finish":
            self.ctx.finish_confirmed = True  # only Finish reboots / powers off, not closing
            self.close()
            return True
        self.go_to(flow.PAGES[flow.PAGES.index(pid) + 1])
        return True

    def next(self) -> None:
        self.try_next()

    def back(self) -> None:
        i = flow.PAGES.index(self.page_id)
        if i > 0 and self.page_id not in ("progress", "finish"):
            self.go_to(flow.PAGES[i - 1])

    # ------------------------------------------------------------------ installing
    def start_install(self) -> None:
        summary = self.pages["summary"]
        plan = getattr(summary, "plan", None)
        if plan is None:
            return
        self.ctx.config = flow.to_config(self.ctx.state)
        self.ctx.outcome = "running"
        self.go_to("progress")
        self.bridge.start(plan, self.ctx.config, self.ctx.machine, self.system_factory(),
                          log_path=self.ctx.log_path)

    def replay(self, events: Iterable[Event], interval_ms: int = 0) -> None:
        """Drive the progress page from a recorded event stream (tests, screenshots, demos)."""
        self.ctx.config = flow.to_config(self.ctx.state)
        self.ctx.outcome = "running"
        self.go_to("progress")
        self.bridge.replay(events, interval_ms)

    def _on_event(self, ev: Event) -> None:
        progress = self.page("progress")
        progress.handle(ev)  # type: ignore[attr-defined]

    def _on_done(self, result: Result) -> None:
        self.result = result
        if self.ctx.outcome == "running":
            self.ctx.outcome = "finished" if result.ok else ("cancelled" if result.cancelled else "failed")
        if self.page_id == "progress":
            self.revalidate()
            self.next_btn.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.bridge.running or self.ctx.outcome == "running":
            progress = self.page("progress")
            if self.page_id == "progress" and progress.ask_cancel():  # type: ignore[attr-defined]
                pass
            event.ignore()
            return
        event.accept()
        self.closed.emit()


def _default_system(dry_run: bool) -> Callable[[], System]:
    """RecordingSystem for --dry-run, HostSystem otherwise (imported when an install starts)."""

    def make() -> System:
        from installer.backend.system import HostSystem, RecordingSystem

        return RecordingSystem() if dry_run else HostSystem()

    return make
