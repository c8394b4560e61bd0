"""Snapshots (SVG, pytest-textual-snapshot) of every screen at 80x24, in the normal theme, the
serial-console mode and the high-contrast theme. Update with `pytest tests/tui --snapshot-update`."""

from __future__ import annotations

import pytest
from helpers import ANSWERS, DATA, MACHINES

from installer.backend import flow
from installer.backend.answers.load import load_file
from installer.backend.events import read_events
from installer.backend.machine import load_machine
from installer.tui.app import InstallerApp

PAGES = ("welcome", "install_type", "disk", "encryption", "hostname", "user", "summary", "progress", "finish")


def make_app(page: str, serial: bool = False, events: int | None = None) -> InstallerApp:
    """A deterministic app: the prefilled tui-guided-luks answers on the two-disks machine."""
    machine = load_machine(MACHINES / "two-disks.json")
    state = flow.from_config(load_file(ANSWERS / "tui-guided-luks.yaml").config, machine)
    replay = read_events(str(DATA / "dryrun-events.jsonl"))
    if events is not None:
        replay = replay[:events]
    return InstallerApp(machine, state, serial=serial, start=page, replay=replay,
                        log_path="/var/log/azl-installer/install.log", answers_out="/root/azl-answers.yaml")


@pytest.mark.parametrize("page", PAGES)
def test_screen(snap_compare, page: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(page), terminal_size=(80, 24))


@pytest.mark.parametrize("page", PAGES)
def test_screen_serial(snap_compare, page: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(page, serial=True), terminal_size=(80, 24))


def test_progress_midway(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app("progress", events=60), terminal_size=(80, 24))


def test_manual_partitioning_and_dialog(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        app.state.layout = "manual"
        app.state.partitions = [flow.ManualPartition("/boot/efi", "512MiB", "vfat"),
                                flow.ManualPartition("/", "rest", "xfs", encrypt=True)]
        app.goto("disk")
        await pilot.pause()
        app.screen.query_one("#add").focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"/srv", "tab", *"10XB")
        await pilot.pause()

    assert snap_compare(make_app("welcome"), terminal_size=(80, 24), run_before=before)


def test_high_contrast(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app("user"), terminal_size=(80, 24), press=["f2"])
