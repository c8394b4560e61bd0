"""No secret in any widget text, tooltip, accessible text, log view, log file or saved answer
file; every control has an accessible name; the window is usable at 1024x768; high contrast."""

from __future__ import annotations

import threading

from pydantic import SecretStr
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QWidget,
)

from installer.backend.events import LogLine
from installer.backend.flow import PAGES, to_config
from installer.backend.plan import Plan
from installer.backend.steps.base import Step, StepContext
from installer.backend.system import RecordingSystem

from .helpers import all_texts, type_into

LUKS = "Luks-Secret-Passphrase-31"
USER_PW = "User-Secret-Password-32"
ROOT_PW = "Root-Secret-Password-33"
SECRETS = (LUKS, USER_PW, ROOT_PW)


class Leaky:
    """A step that tries to log the passphrase: the redaction must catch it."""

    def run(self, ctx: StepContext) -> None:
        p = ctx.config.storage.encryption.passphrase
        assert p is not None
        ctx.log(f"formatting with {p.get_secret_value()}")
        ctx.system.run(["cryptsetup", "luksFormat", "--key-file", "-", "/dev/vda3"], input=p.get_secret_value())
        ctx.emit(LogLine(step_id="x", level="info", message=f"raw {p.get_secret_value()}"))

    def describe(self) -> dict[str, object]:
        return {}


def fill_everything(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    win.go_to("encryption")
    e = win.current
    e.enable.setChecked(True)
    type_into(qtbot, e.passphrase, LUKS)
    type_into(qtbot, e.confirm, LUKS)
    win.go_to("user")
    u = win.current
    type_into(qtbot, u.full_name, "Ada Lovelace")
    type_into(qtbot, u.password, USER_PW)
    type_into(qtbot, u.confirm, USER_PW)
    u.root_box.setChecked(True)
    type_into(qtbot, u.root_pw, ROOT_PW)
    type_into(qtbot, u.root_confirm, ROOT_PW)


def test_no_secret_in_any_widget_log_or_answer_file(qtbot, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    fill_everything(qtbot, win)
    for pid in PAGES[:-2]:
        win.go_to(pid)
    win.current.consent.setChecked(True)
    config = to_config(win.ctx.state)
    log = tmp_path / "install.log"
    win.ctx.outcome = "running"
    win.go_to("progress")
    plan = Plan(steps=[Step("leaky", "Leaky step", 1, [], Leaky())], summary=[])
    with qtbot.waitSignal(win.bridge.done, timeout=20000):
        win.bridge.start(plan, config, win.ctx.machine, RecordingSystem(), log_path=str(log))
    assert "formatting with [REDACTED]" in win.current.log.toPlainText()
    win.ctx.config = config
    win.go_to("finish")
    answers = tmp_path / "a.yaml"
    win.current.save_to(str(answers))
    texts = "\n".join(all_texts(win))
    for s in SECRETS:
        assert s not in texts, "a secret is shown in a widget"
        assert s not in log.read_text(), "a secret is in the log file"
        assert s not in answers.read_text(), "a secret is in the saved answer file"
    # password fields never echo
    for edit in win.findChildren(QLineEdit):
        if edit.text() in SECRETS:
            assert edit.echoMode() == QLineEdit.EchoMode.Password


CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QPlainTextEdit, QProgressBar, QAbstractSlider)


def test_every_control_has_an_accessible_name(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    for pid in PAGES:
        win.go_to(pid)
    missing = []
    for w in win.findChildren(QWidget):
        if isinstance(w, CONTROLS) and w.parent() is not None and not w.accessibleName():
            # scroll bars and the table corner button belong to their view, which is named
            if type(w).__name__ in ("QScrollBar",) or w.objectName().startswith("qt_"):
                continue
            if isinstance(w.parent(), QAbstractItemView | QComboBox):
                continue
            missing.append(f"{type(w).__name__} {w.objectName()!r} text={getattr(w, 'text', lambda: '')()!r}")
    assert not missing, missing


def test_keyboard_reaches_every_field(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    """Tab order: every enabled, visible input of a page is reachable with Tab."""
    win = make_window()
    for pid in ("welcome", "disk", "encryption", "hostname", "user"):
        win.go_to(pid)
        page = win.current
        inputs = {w for w in page.findChildren(QWidget) if isinstance(w, CONTROLS) and w.isVisible()
                  and w.isEnabled() and w.focusPolicy() != 0 and not isinstance(w, QProgressBar)
                  and not isinstance(w.parent(), QAbstractItemView | QComboBox)}
        first = next(iter(inputs))
        first.setFocus()
        reached = set()
        w = first
        for _ in range(200):
            reached.add(w)
            w = w.nextInFocusChain()
            if w is first:
                break
        assert inputs <= reached, (pid, [x.accessibleName() for x in inputs - reached])


def test_usable_at_1024x768(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    win.resize(1024, 768)
    for pid in PAGES:
        win.go_to(pid)
        hint = win.minimumSizeHint()
        assert hint.width() <= 1024 and hint.height() <= 768, (pid, hint)
        assert win.next_btn.isVisible()
        # nothing wider than the window: no horizontal scrolling
        assert not win.scroll_area.horizontalScrollBar().isVisible(), pid


def test_high_contrast_toggle(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    assert "#ffff00" not in win.styleSheet()
    win.contrast.setChecked(True)
    assert win.property("highContrast") is True
    assert "#ffff00" in win.styleSheet()
    win.go_to("disk")
    assert not win.grab().isNull()
    win.contrast.setChecked(False)
    assert win.property("highContrast") is False


def test_secret_state_is_secretstr(make_window) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    assert isinstance(win.ctx.state.passphrase, SecretStr)
    assert threading.current_thread() is threading.main_thread()
