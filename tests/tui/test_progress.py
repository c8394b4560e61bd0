"""The progress screen: a replayed event stream (recorded from a dry-run install), the worker
running the real engine on a faked plan, failure and cancellation; no secret on screen or in
the log."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fakeplan import fake_plan
from helpers import ANSWERS, DATA, screen_text
from textual.widgets import Button, Log, ProgressBar

from installer.backend import flow
from installer.backend import plan as plan_mod
from installer.backend.answers.load import load_file
from installer.backend.answers.native import load_native
from installer.backend.errors import InvalidInput
from installer.backend.events import Failed, LogLine, read_events
from installer.tui.app import InstallerApp
from installer.tui.screens.progress import ProgressScreen, format_eta

SIZE = (80, 24)
EVENTS = str(DATA / "dryrun-events.jsonl")
PASSPHRASE = "Tui-Correct-Horse-42"


def prefilled_app(machine, tmp_path: Path, **kw) -> InstallerApp:  # type: ignore[no-untyped-def]
    config = load_file(ANSWERS / "tui-guided-luks.yaml").config
    state = flow.from_config(config, machine)
    return InstallerApp(machine, state, dry_run=True, log_path=str(tmp_path / "install.log"),
                        answers_out=str(tmp_path / "answers.yaml"), **kw)


def test_format_eta() -> None:
    assert format_eta(None) == "ETA --:--"
    assert format_eta(75) == "ETA 01:15"
    assert format_eta(3725) == "ETA 1:02:05"


async def test_replayed_stream_renders(machine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    events = read_events(EVENTS)
    app = prefilled_app(machine, tmp_path, start="progress", replay=events)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        assert screen.outcome == "ok"
        assert screen.query_one("#overall", ProgressBar).progress == 100
        text = screen_text(app)
        assert "Installation finished" in text
        assert any("Install packages" in line for line in screen.log_lines)
        assert any("[REDACTED]" in line for line in screen.log_lines)
        assert not screen.query_one("#next", Button).disabled
        await pilot.press("enter")  # Continue has the focus
        await pilot.pause()
        assert app.page == "finish"


async def test_midway_shows_step_package_and_eta(machine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    events = read_events(EVENTS)
    cut = next(i for i, e in enumerate(events)
               if getattr(e, "message", "") == "installing systemd")
    app = prefilled_app(machine, tmp_path, start="progress", replay=events[:cut + 1])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Step 3/9: Install packages" in text
        assert "(4/12) installing systemd" in text
        assert "ETA" in text
        bar = app.screen.query_one("#overall", ProgressBar)
        assert 0 < (bar.progress or 0) < 100


async def test_failure_shows_error_and_log_path(machine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    events = read_events(EVENTS)[:40]
    events.append(Failed(step_id="payload", error="tdnf: no such package 'kernel'",
                         log_path="/var/log/azl-installer/install.log"))
    app = prefilled_app(machine, tmp_path, start="progress", replay=events)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "failed in step 'payload'" in text
        assert "no such package 'kernel'" in text
        assert "/var/log/azl-installer/install.log" in text
        await pilot.press("enter")  # Quit
        await pilot.pause()
    assert app.return_code == 1


async def test_secret_in_an_event_is_redacted_on_screen(machine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    events = [*read_events(EVENTS)[:5], LogLine(step_id="storage", level="info",
                                                 message=f"oops {PASSPHRASE} leaked")]
    app = prefilled_app(machine, tmp_path, start="progress", replay=events)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = [str(x) for x in app.screen.query_one("#log", Log).lines]
        assert any("oops [REDACTED] leaked" in x for x in lines)
        assert PASSPHRASE not in screen_text(app) + "\n".join(lines)
        assert PASSPHRASE not in app.export_screenshot()


async def wait_for(pilot, cond, tries: int = 200) -> None:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if cond():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


async def test_worker_runs_engine_then_finish_saves_answers(machine, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real = plan_mod.make_plan
    monkeypatch.setattr(plan_mod, "make_plan", lambda c, m, **kw: fake_plan(real(c, m, **kw), secret=PASSPHRASE))
    app = prefilled_app(machine, tmp_path, start="progress")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        await wait_for(pilot, lambda: screen.outcome is not None)
        assert screen.outcome == "ok", screen.log_lines[-5:]
        await pilot.press("enter")
        await pilot.pause()
        assert app.page == "finish"
        assert PASSPHRASE not in screen_text(app)
        app.screen.query_one("#save").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "Saved to" in screen_text(app)
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.return_code == 0 and app.return_value == "reboot"
    log = (tmp_path / "install.log").read_text()
    assert "Install packages" in log and PASSPHRASE not in log
    answers = (tmp_path / "answers.yaml").read_text()
    assert PASSPHRASE not in answers and "Analytical-Engine-1843" not in answers
    with pytest.raises(InvalidInput, match="passphrase"):  # not stored: loading it asks for it again
        load_file(tmp_path / "answers.yaml")
    reloaded = load_native(answers.replace("  encryption:\n", f"  encryption:\n    passphrase: {PASSPHRASE}\n"))
    assert reloaded.system.hostname == "tui-guided-01"


@pytest.mark.parametrize("confirm", [False, True])
async def test_cancel_asks_first(machine, tmp_path, monkeypatch, confirm) -> None:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    real = plan_mod.make_plan
    monkeypatch.setattr(plan_mod, "make_plan", lambda c, m, **kw: fake_plan(real(c, m, **kw), gate=gate))
    app = prefilled_app(machine, tmp_path, start="progress")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        await wait_for(pilot, lambda: "Partition" in screen_text(app))
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert "Cancel the installation?" in screen_text(app)
        if confirm:
            app.screen.query_one("#yes").focus()
        await pilot.press("enter")  # Enter alone answers "Keep installing"
        await pilot.pause()
        if not confirm:
            assert not screen.cancel_event.is_set()
            gate.set()
            await wait_for(pilot, lambda: screen.outcome is not None)
            assert screen.outcome == "ok"
            return
        await wait_for(pilot, lambda: screen.outcome is not None)
        gate.set()
        assert screen.outcome == "cancelled"
        assert "Installation cancelled" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 130


async def test_serial_mode_batches_log_and_progress(machine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    events = read_events(EVENTS)
    cut = next(i for i, e in enumerate(events) if getattr(e, "message", "") == "installing systemd")
    app = prefilled_app(machine, tmp_path, start="progress", replay=events[:cut + 1], serial=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        assert screen.query_one("#log", Log).line_count == 0  # batched: nothing drawn per event
        await pilot.pause(0.8)
        assert screen.query_one("#log", Log).line_count == len(screen.log_lines) > 10
        assert "(4/12) installing systemd" in screen_text(app)
