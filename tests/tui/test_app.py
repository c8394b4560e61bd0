"""Starting the text installer: serial detection, prefill from answers, bad inputs, themes,
and no secret on any screen."""

from __future__ import annotations

import argparse

import pytest
from helpers import ANSWERS, MACHINES, screen_text, type_into

from installer.backend import flow
from installer.tui import app as app_mod
from installer.tui.app import InstallerApp, build_app
from installer.tui.serial import is_serial_console

SIZE = (80, 24)


def args(**kw) -> argparse.Namespace:  # type: ignore[no-untyped-def]
    base = dict(ui="tui", serial=False, answers=None, interactive=False, dry_run=True,
                machine=str(MACHINES / "two-disks.json"))
    base.update(kw)
    return argparse.Namespace(**base)


@pytest.mark.parametrize(("term", "tty", "want"), [
    ("vt100", "/dev/ttyS0", True),
    ("vt220", "/dev/ttyS1", True),
    ("linux", "/dev/ttyS0", True),
    ("linux", "/dev/tty1", False),
    ("xterm-256color", "/dev/ttyS0", False),
    ("vt100", "/dev/pts/3", False),
    ("vt100", "/dev/ttyAMA0", True),
])
def test_serial_detection(term: str, tty: str, want: bool) -> None:
    assert is_serial_console(term, tty) is want


def test_build_app_serial_flag_and_prefill(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(app_mod, "is_serial_console", lambda: False)
    a = build_app(args(serial=True, answers=str(ANSWERS / "tui-guided-luks.yaml"), interactive=True))
    assert a.serial and a.start_page == "summary"
    assert a.state.hostname == "tui-guided-01" and a.state.encrypt and a.state.disk == "/dev/vdb"
    b = build_app(args())
    assert not b.serial and b.start_page == "welcome"


def test_bad_answers_exit_2_without_traceback(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nsystem:\n  hostnme: x\n")
    assert app_mod.run(args(answers=str(bad))) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:3" in err and "hostname" in err and "Traceback" not in err


async def test_welcome_paints_before_the_backend_loads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = build_app(args())
    assert not app.ready  # nothing probed or validated yet: the first screen comes first
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.ready and app.machine.disk("/dev/vda") is not None
        assert "UEFI firmware" in screen_text(app) and "1/7 Welcome" in screen_text(app)
        assert app.screen.query_one("#language").value == "en_US.UTF-8"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.page == "install_type"


async def test_bad_machine_file_exits_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = build_app(args(machine=str(tmp_path / "missing.json")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert app.return_code == 2 and "cannot read machine file" in (app.load_error or "")


async def test_interactive_prefill_lands_on_summary(machine) -> None:  # type: ignore[no-untyped-def]
    from installer.backend.answers.load import load_file

    cfg = load_file(ANSWERS / "tui-guided-luks.yaml").config
    app = InstallerApp(machine, flow.from_config(cfg, machine), start="summary", serial=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Type vdb to erase it" in text and "tui-guided-01" in text
        assert "/dev/vdb" in text and "ERASED" in text
        assert flow.to_config(app.state).storage == cfg.storage  # prefilled exactly
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.page == "user"
        assert "answer file is kept" in screen_text(app)


async def test_high_contrast_toggle(machine) -> None:  # type: ignore[no-untyped-def]
    app = InstallerApp(machine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert app.theme == "azl-high-contrast" and app.screen.has_class("-hc")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen.has_class("-hc")  # kept on the next page
        await pilot.press("ctrl+t")
        assert app.theme != "azl-high-contrast"


async def test_quit_asks_and_exits_130(machine) -> None:  # type: ignore[no-untyped-def]
    app = InstallerApp(machine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert "Quit the installer?" in screen_text(app)
        await pilot.press("enter")  # No
        await pilot.pause()
        assert app.page == "welcome"
        await pilot.press("ctrl+q")
        await pilot.pause()
        app.screen.query_one("#yes").focus()
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 130


SECRETS = ("Tui-Correct-Horse-42", "Analytical-Engine-1843", "Root-Only-When-Asked-7")


@pytest.mark.parametrize("serial", [False, True])
async def test_no_secret_on_any_screen(machine, serial) -> None:  # type: ignore[no-untyped-def]
    app = InstallerApp(machine, serial=serial)
    seen: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        for page in flow.PAGES[:7]:
            app.goto(page)
            await pilot.pause()
            if page == "encryption":
                app.screen.query_one("#encrypt").focus()
                await pilot.press("space")
                await type_into(pilot, "#passphrase", SECRETS[0])
                await type_into(pilot, "#passphrase_confirm", SECRETS[0])
            elif page == "user":
                await type_into(pilot, "#full_name", "Ada")
                await type_into(pilot, "#password", SECRETS[1])
                await type_into(pilot, "#password_confirm", SECRETS[1])
                app.screen.query_one("#set_root_password").focus()
                await pilot.press("space")
                await type_into(pilot, "#root_password", SECRETS[2])
            if serial:
                await pilot.pause(0.6)  # validation and the meter settle after typing pauses
            seen.append(screen_text(app))
            seen.append(app.export_screenshot())
    blob = "\n".join(seen)
    assert "Strength" in blob
    for s in SECRETS:
        assert s not in blob
