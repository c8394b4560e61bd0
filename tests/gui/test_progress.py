"""The progress page driven by a replayed event stream and by the real engine in a worker
thread (a tiny plan of fake steps, so the test does not depend on the real steps); cancel."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from installer.backend.events import Failed, Finished, StepStarted, read_events
from installer.backend.plan import Plan
from installer.backend.steps.base import Step, StepContext
from installer.backend.system import RecordingSystem

from .conftest import EVENTS

STREAM = EVENTS / "gui-guided-luks.jsonl"


def test_replayed_stream_drives_the_page(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    events = read_events(str(STREAM))
    win = make_window()
    seen: list[Any] = []
    win.bridge.events.connect(seen.append)
    with qtbot.waitSignal(win.bridge.done, timeout=10000) as blocker:
        win.replay(events)
    assert blocker.args[0].ok
    assert seen == events
    p = win.current
    assert win.page_id == "progress"
    assert p.bar.value() == 1000
    assert p.step_label.text() == "Installation complete"
    assert all(st == "done" for st in p.steps.status.values())
    log = p.log.toPlainText()
    assert "cryptsetup luksFormat" in log and "teardown: cryptsetup close luks-root" in log
    assert win.next_btn.isEnabled() and win.next_btn.text().replace("&", "") == "Continue"
    assert not p.cancel_btn.isVisible()
    win.next()
    assert win.page_id == "finish"


def test_partial_stream_shows_current_step(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    events = read_events(str(STREAM))
    cut = next(i for i, e in enumerate(events) if isinstance(e, StepStarted) and e.step_id == "payload")
    win = make_window()
    win.ctx.outcome = "running"
    win.go_to("progress")
    for ev in events[: cut + 4]:
        win._on_event(ev)
    p = win.current
    assert p.step_label.text() == "Step 3 of 9: Install packages"
    assert 0 < p.bar.value() < 1000
    assert p.steps.status["storage"] == "done" and p.steps.status["payload"] == "running"
    assert "installing packages" in p.detail.text()
    assert not win.next_btn.isEnabled()  # no way forward while installing
    assert not win.back_btn.isVisible()  # and no way back


def test_failed_stream(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    events = read_events(str(STREAM))
    cut = next(i for i, e in enumerate(events) if isinstance(e, StepStarted) and e.step_id == "bootloader")
    stream = [*events[:cut + 1], Failed(step_id="bootloader", error="grub2-install exited with 1",
                                        log_path="/var/log/azl-installer/install.log")]
    win = make_window()
    with qtbot.waitSignal(win.bridge.done, timeout=10000):
        win.replay(stream)
    p = win.current
    assert win.ctx.outcome == "failed"
    assert p.step_label.text() == "Installation failed"
    assert "grub2-install exited with 1" in p.detail.text() and "install.log" in p.detail.text()
    assert win.next_btn.text().replace("&", "") == "Quit"


def test_cancel_replay_asks_first(qtbot, make_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    events = read_events(str(STREAM))
    win = make_window()
    win.replay(events, interval_ms=20)
    qtbot.waitUntil(lambda: win.current.steps.steps != [])
    p = win.current
    asked: list[str] = []

    def answer(value):  # type: ignore[no-untyped-def]
        def question(parent, title, text, *a, **kw):  # type: ignore[no-untyped-def]
            asked.append(title)
            return value
        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    p.cancel_btn.click()
    assert asked and win.ctx.outcome == "running"  # "No": keeps going
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    with qtbot.waitSignal(win.bridge.done, timeout=10000) as blocker:
        p.cancel_btn.click()
    assert blocker.args[0].cancelled
    assert win.ctx.outcome == "cancelled"
    assert p.step_label.text() == "Installation cancelled"
    assert win.next_btn.text().replace("&", "") == "Quit"


# ------------------------------------------------------------------ the real engine, threaded
class Slow:
    """A step that works in small units, checking for cancellation between them."""

    def __init__(self, units: int, started: threading.Event | None = None) -> None:
        self.units = units
        self.started = started

    def run(self, ctx: StepContext) -> None:
        ctx.push_teardown("undo demo", lambda: None)
        ctx.system.run(["true", "--demo"])
        for i in range(self.units):
            if self.started is not None:
                self.started.set()
            ctx.check_cancel()
            ctx.progress((i + 1) / self.units, f"unit {i + 1}")
            ctx.log(f"did unit {i + 1}")
            time.sleep(0.01)

    def describe(self) -> dict[str, Any]:
        return {}


def fake_plan(action: Any) -> Plan:
    return Plan(steps=[Step("demo", "Demo step", 1, [], action)], summary=["nothing erased"])


def test_engine_in_worker_thread(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    win.ctx.outcome = "running"
    win.go_to("progress")
    kinds: list[str] = []
    threads: list[bool] = []
    gui_thread = threading.current_thread()
    win.bridge.events.connect(
        lambda ev: (kinds.append(ev.kind), threads.append(threading.current_thread() is gui_thread)))
    with qtbot.waitSignal(win.bridge.done, timeout=20000) as blocker:
        win.bridge.start(fake_plan(Slow(5)), _config(win), win.ctx.machine, RecordingSystem())
        assert win.bridge.running  # start() returned at once: the UI is not blocked
    assert blocker.args[0].ok
    assert kinds[0] == "plan" and kinds[-1] == "finished"
    assert all(threads), "events are delivered on the GUI thread"
    assert "did unit 5" in win.current.log.toPlainText()
    assert win.ctx.outcome == "finished"


def _config(win):  # type: ignore[no-untyped-def]
    from installer.backend.config import InstallConfig

    return InstallConfig()


def test_cancel_real_engine(qtbot, make_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    win.ctx.outcome = "running"
    win.go_to("progress")
    started = threading.Event()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **kw: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(win.bridge.done, timeout=30000) as blocker:
        win.bridge.start(fake_plan(Slow(3000, started)), _config(win), win.ctx.machine, RecordingSystem())
        assert started.wait(10)
        win.current.cancel_btn.click()
    result = blocker.args[0]
    assert result.cancelled and result.exit_code == 130
    assert win.ctx.outcome == "cancelled"
    assert "teardown: undo demo" in win.current.log.toPlainText()


def test_close_while_installing_asks(qtbot, make_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    win.replay(read_events(str(STREAM)), interval_ms=50)
    qtbot.waitUntil(lambda: win.ctx.outcome == "running")
    asked: list[int] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **kw: asked.append(1) or QMessageBox.StandardButton.No)
    win.close()
    assert asked and win.isVisible()
    win.bridge.cancel()
    qtbot.waitUntil(lambda: win.ctx.outcome == "cancelled")


@pytest.mark.parametrize("ev", [Finished(ok=True, duration_s=1.0, finish="reboot")])
def test_finish_page_saves_answers(qtbot, make_window, tmp_path, ev) -> None:  # type: ignore[no-untyped-def]
    from installer.backend.answers.load import load_file

    win = make_window()
    with qtbot.waitSignal(win.bridge.done, timeout=10000):
        win.replay([ev])
    win.next()
    assert win.page_id == "finish"
    p = win.current
    p.radios["poweroff"].setChecked(True)
    out = tmp_path / "answers.yaml"
    p.save_to(str(out))
    assert (out.stat().st_mode & 0o777) == 0o600
    loaded = load_file(out).config
    assert loaded.finish == "poweroff"
    assert loaded.system.hostname == win.ctx.state.hostname
    assert "Saved to" in p.saved.text()


def test_only_finish_confirms_the_finish_action(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    with qtbot.waitSignal(win.bridge.done, timeout=10000):
        win.replay([Finished(ok=True, duration_s=1.0, finish="reboot")])
    win.next()
    assert win.page_id == "finish" and not win.ctx.finish_confirmed
    with qtbot.waitSignal(win.closed, timeout=5000):
        win.next()  # Finish
    assert win.ctx.finish_confirmed and win.ctx.finish == "reboot"
