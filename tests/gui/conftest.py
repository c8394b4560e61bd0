"""Fixtures for the graphical installer's tests (pytest-qt, offscreen)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from installer.backend.flow import new_state
from installer.backend.machine import Machine, load_machine
from installer.gui.context import GuiContext
from installer.gui.window import InstallerWindow

ROOT = Path(__file__).resolve().parents[2]
MACHINES = ROOT / "tests" / "fixtures" / "machines"
ANSWERS = ROOT / "tests" / "fixtures" / "answers"
EVENTS = ROOT / "tests" / "fixtures" / "events"


@pytest.fixture
def machine() -> Machine:
    return load_machine(MACHINES / "two-disks.json")


@pytest.fixture
def make_window(qtbot, machine) -> Callable[..., InstallerWindow]:  # type: ignore[no-untyped-def]
    def make(m: Machine | None = None, **kw) -> InstallerWindow:  # type: ignore[no-untyped-def]
        mm = m or machine
        ctx = GuiContext(state=new_state(mm), machine=mm, dry_run=True)
        win = InstallerWindow(ctx, **kw)
        qtbot.addWidget(win)
        win.show()
        return win

    return make
