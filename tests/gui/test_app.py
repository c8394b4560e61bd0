"""`installer.gui.app.run(args)`: the entry ui_cmd calls; exit codes."""

from __future__ import annotations

import argparse

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from installer.gui.app import run
from installer.gui.window import InstallerWindow

from .conftest import ANSWERS, MACHINES


def args(**kw) -> argparse.Namespace:  # type: ignore[no-untyped-def]
    base = {"machine": str(MACHINES / "two-disks.json"), "answers": None, "interactive": False,
            "dry_run": True, "ui": "gui", "serial": False}
    return argparse.Namespace(**{**base, **kw})


def close_soon(check=None) -> list[InstallerWindow]:  # type: ignore[no-untyped-def]
    seen: list[InstallerWindow] = []

    def close() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, InstallerWindow) and w.isVisible():
                seen.append(w)
                if check:
                    check(w)
                w.close()

    QTimer.singleShot(50, close)
    return seen


def test_run_shows_the_welcome_page_and_quitting_is_a_cancel(qtbot) -> None:  # type: ignore[no-untyped-def]
    pages: list[str] = []
    seen = close_soon(lambda w: pages.append(w.page_id))
    assert run(args()) == 130
    assert pages == ["welcome"] and seen[0].ctx.dry_run


def test_run_with_interactive_answers_opens_the_summary(qtbot) -> None:  # type: ignore[no-untyped-def]
    pages: list[str] = []
    close_soon(lambda w: pages.append(w.page_id))
    assert run(args(answers=str(ANSWERS / "gui-guided-luks.yaml"), interactive=True)) == 130
    assert pages == ["summary"]


def test_run_bad_answers_is_invalid_input(qtbot, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nsystem:\n  hostname: bad_name\n")
    assert run(args(answers=str(bad))) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "hostname" in err and "Traceback" not in err


def test_cli_entry_starts_the_gui(qtbot) -> None:  # type: ignore[no-untyped-def]
    """`azl-installer --ui gui --dry-run --machine M.json` reaches installer.gui.app.run."""
    from installer.cli.main import main

    pages: list[str] = []
    close_soon(lambda w: pages.append(w.page_id))
    assert main(["--ui", "gui", "--dry-run", "--machine", str(MACHINES / "two-disks.json")]) == 130
    assert pages == ["welcome"]
