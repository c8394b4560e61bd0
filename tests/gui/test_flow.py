"""Walk the whole graphical installer as a user does (keys and clicks) and compare the
InstallConfig it would install with the one the equivalent native answer file loads to."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.answer_helpers import load_answers, normalized

from .conftest import ANSWERS
from .helpers import next_page, type_into

SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq7VqW2m0bT1yJ3hY6z8cX4vR5nL0pK9sD2fG7hJ1kQ ada@laptop"


def click(qtbot, w) -> None:  # type: ignore[no-untyped-def]
    """Activate a button from the keyboard, as keyboard-only users do: focus it, press Space."""
    w.setFocus()
    qtbot.keyClick(w, Qt.Key.Key_Space)


def pick(combo, value: str) -> None:  # type: ignore[no-untyped-def]
    i = combo.findData(value)
    assert i >= 0, value
    combo.setCurrentIndex(i)


def capture_install(win, monkeypatch) -> list[tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(win.bridge, "start", lambda *a, **kw: calls.append(a))
    return calls


def test_guided_luks_walk_equals_answer_file(qtbot, make_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    calls = capture_install(win, monkeypatch)
    p = win.current
    pick(p.language, "fr_FR.UTF-8")
    pick(p.keyboard, "fr")
    next_page(qtbot, win, "install_type")
    click(qtbot, win.current.radios["full"])
    next_page(qtbot, win, "disk")
    d = win.current
    d.table.selectRow(1)
    assert win.ctx.state.disk == "/dev/vdb"
    assert d.guided.isChecked()
    pick(d.guided_opts.root_fs, "xfs")
    pick(d.guided_opts.swap, "2GiB")
    click(qtbot, d.guided_opts.lvm)
    click(qtbot, d.guided_opts.home)
    assert d.after_bar.segments, "the planned layout is drawn"
    next_page(qtbot, win, "encryption")
    e = win.current
    click(qtbot, e.enable)
    type_into(qtbot, e.passphrase, "Gui-Correct-Horse-42")
    type_into(qtbot, e.confirm, "Gui-Correct-Horse-42")
    assert e.enable.isChecked(), "enable"
    assert e.passphrase.text() == "Gui-Correct-Horse-42"
    assert e.meter.value() >= 2
    assert not e.luks.isVisible()
    click(qtbot, e.advanced_btn)
    assert e.luks.isVisible()
    pick(e.luks, "luks1")
    next_page(qtbot, win, "hostname")
    type_into(qtbot, win.current.hostname, "gui-guided-01")
    next_page(qtbot, win, "user")
    u = win.current
    type_into(qtbot, u.full_name, "Ada Lovelace")
    assert u.username.text() == "ada"  # suggested from the full name
    type_into(qtbot, u.password, "Analytical-Engine-1843")
    type_into(qtbot, u.confirm, "Analytical-Engine-1843")
    assert u.admin.isChecked()
    type_into(qtbot, u.ssh_key, SSH_KEY)
    next_page(qtbot, win, "summary")
    s = win.current
    assert s.consent.text().replace("&", "") == "I understand /dev/vdb will be erased"
    assert not win.next_btn.isEnabled()
    click(qtbot, s.consent)
    assert win.next_btn.isEnabled()
    click(qtbot, win.next_btn)
    assert win.page_id == "progress" and len(calls) == 1
    plan, config, _machine, _system = calls[0]
    assert plan.erase == ["/dev/vdb"]
    expected = load_answers("gui-guided-luks.yaml")
    pw = {"ada": "Analytical-Engine-1843"}
    assert normalized(config, pw) == normalized(expected, pw)


def test_manual_walk_equals_answer_file(qtbot, make_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    calls = capture_install(win, monkeypatch)
    next_page(qtbot, win, "install_type")
    next_page(qtbot, win, "disk")
    d = win.current
    assert win.ctx.state.disk == "/dev/vda"  # the largest disk is the default
    click(qtbot, d.manual)
    ed = d.manual_editor
    assert [p.mount for p in win.ctx.state.partitions] == ["/boot/efi", "/boot", "/"]
    ed.table.selectRow(2)
    pick(ed.fs, "xfs")
    click(qtbot, ed.update_btn)
    type_into(qtbot, ed.mount, "/srv")
    type_into(qtbot, ed.size_edit, "20GiB")
    pick(ed.fs, "ext4")
    click(qtbot, ed.encrypt)
    click(qtbot, ed.add_btn)
    type_into(qtbot, ed.mount, "")
    type_into(qtbot, ed.size_edit, "2GiB")
    pick(ed.fs, "swap")
    ed.encrypt.setChecked(False)
    click(qtbot, ed.add_btn)
    assert len(win.ctx.state.partitions) == 5
    segs = d.after_bar.segments
    assert [s.label for s in segs][:3] == ["/boot/efi", "/boot", "/"]
    next_page(qtbot, win, "encryption")
    e = win.current
    click(qtbot, e.enable)
    type_into(qtbot, e.passphrase, "Srv-Data-Passphrase-99")
    type_into(qtbot, e.confirm, "Srv-Data-Passphrase-99")
    next_page(qtbot, win, "hostname")
    type_into(qtbot, win.current.hostname, "gui-manual-01")
    next_page(qtbot, win, "user")
    u = win.current
    type_into(qtbot, u.full_name, "Grace Hopper")
    assert u.username.text() == "grace"
    type_into(qtbot, u.password, "Cobol-Compiler-1959")
    type_into(qtbot, u.confirm, "Cobol-Compiler-1959")
    click(qtbot, u.admin)
    click(qtbot, u.root_box)
    type_into(qtbot, u.root_pw, "Root-Only-When-Asked-7")
    type_into(qtbot, u.root_confirm, "Root-Only-When-Asked-7")
    next_page(qtbot, win, "summary")
    click(qtbot, win.current.consent)
    click(qtbot, win.next_btn)
    assert len(calls) == 1
    config = calls[0][1]
    expected = load_answers("gui-manual.yaml")
    pw = {"grace": "Cobol-Compiler-1959", "root": "Root-Only-When-Asked-7"}
    assert normalized(config, pw) == normalized(expected, pw)


def test_back_keeps_values_and_keyboard_mnemonics(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    next_page(qtbot, win, "install_type")
    next_page(qtbot, win, "disk")
    next_page(qtbot, win, "encryption")
    next_page(qtbot, win, "hostname")
    type_into(qtbot, win.current.hostname, "kept-name")
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    # a mnemonic "animates" the click: the button fires ~100 ms later
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)  # Alt+B: Back
    qtbot.waitUntil(lambda: win.page_id == "encryption")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # Alt+N: Next
    qtbot.waitUntil(lambda: win.page_id == "hostname")
    assert win.current.hostname.text() == "kept-name"


def test_interactive_answers_prefill_jumps_to_summary(qtbot, machine) -> None:  # type: ignore[no-untyped-def]
    import argparse

    from installer.gui.app import build

    args = argparse.Namespace(machine=str(ANSWERS.parent / "machines" / "two-disks.json"),
                              answers=str(ANSWERS / "gui-guided-luks.yaml"), interactive=True, dry_run=True)
    win = build(args)
    qtbot.addWidget(win)
    assert win.page_id == "summary"
    assert win.ctx.state.hostname == "gui-guided-01"
    assert "/dev/vdb" in win.current.consent.text()


def test_prefilled_answers_survive_every_page(qtbot, machine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """--answers without edits: showing each page must not change a single choice."""
    from installer.backend.flow import from_config
    from installer.gui.context import GuiContext
    from installer.gui.window import InstallerWindow

    for name, pw in (("gui-guided-luks.yaml", {"ada": "Analytical-Engine-1843"}),
                     ("gui-manual.yaml", {"grace": "Cobol-Compiler-1959", "root": "Root-Only-When-Asked-7"})):
        expected = load_answers(name)
        win = InstallerWindow(GuiContext(state=from_config(expected, machine), machine=machine, dry_run=True))
        qtbot.addWidget(win)
        calls = capture_install(win, monkeypatch)
        for page in ("install_type", "disk", "encryption", "hostname", "user", "summary"):
            next_page(qtbot, win, page)
        win.current.consent.setChecked(True)
        click(qtbot, win.next_btn)
        config = calls[0][1]
        # the hashes came from the file: compare them as they are
        assert config.model_dump() == expected.model_dump(), name
        assert normalized(config, pw) == normalized(expected, pw)
