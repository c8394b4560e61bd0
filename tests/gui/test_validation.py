"""Inline validation on each page: the backend's typed results shown under the field, Next
refusing to move on while a blocking issue remains."""

from __future__ import annotations

from PySide6.QtCore import Qt

from installer.backend.machine import Machine

from .helpers import type_into, visible_messages


def goto(win, page: str) -> None:  # type: ignore[no-untyped-def]
    win.go_to(page)
    assert win.page_id == page


def press_next(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(win.next_btn, Qt.MouseButton.LeftButton)


def test_hostname_inline(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    goto(win, "hostname")
    p = win.current
    assert not p.messages["hostname"].isVisible()
    type_into(qtbot, p.hostname, "bad_host")
    msg = p.messages["hostname"]
    assert msg.isVisible() and "letters, digits and hyphens" in msg.text()
    assert msg.property("severity") == "error"
    press_next(qtbot, win)
    assert win.page_id == "hostname"
    type_into(qtbot, p.hostname, "-lead")
    assert "hyphen" in msg.text()
    type_into(qtbot, p.hostname, "good-name")
    assert not msg.isVisible()
    press_next(qtbot, win)
    assert win.page_id == "user"


def test_user_inline(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    goto(win, "user")
    p = win.current
    press_next(qtbot, win)  # nothing filled: every blocking message appears at once
    assert win.page_id == "user"
    shown = visible_messages(win)
    assert any("user name cannot be empty" in m for m in shown)
    assert any("passphrase cannot be empty" in m or "cannot be empty" in m for m in shown)
    type_into(qtbot, p.username, "root")
    assert "system account" in p.messages["username"].text()
    type_into(qtbot, p.username, "9lives")
    assert "must start" in p.messages["username"].text()
    type_into(qtbot, p.username, "ada")
    assert not p.messages["username"].isVisible()
    type_into(qtbot, p.password, "secret-one-1")
    type_into(qtbot, p.confirm, "secret-two-2")
    assert "do not match" in p.messages["password"].text()
    type_into(qtbot, p.confirm, "secret-one-1")
    assert not p.messages["password"].isVisible() or p.messages["password"].property("severity") == "warning"
    type_into(qtbot, p.ssh_key, "not a key")
    assert "SSH key" in p.messages["ssh_key"].text()
    type_into(qtbot, p.ssh_key, "")
    press_next(qtbot, win)
    assert win.page_id == "summary"


def test_encryption_inline_and_meter(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    goto(win, "encryption")
    p = win.current
    assert not p.card_.isEnabled()
    p.enable.setChecked(True)
    assert p.card_.isEnabled()
    press_next(qtbot, win)
    assert win.page_id == "encryption"
    assert "cannot be empty" in p.messages["passphrase"].text()
    type_into(qtbot, p.passphrase, "short")
    type_into(qtbot, p.confirm, "short")
    assert "at least 8" in p.messages["passphrase"].text()
    assert p.meter.value() == 0 and p.meter_text.text() == "Too short"
    type_into(qtbot, p.passphrase, "password123")
    type_into(qtbot, p.confirm, "password123")
    msg = p.messages["passphrase"]
    assert msg.isVisible() and msg.property("severity") == "warning"  # weak: a warning, not a block
    assert p.meter.value() == 1
    type_into(qtbot, p.confirm, "password124")
    assert "do not match" in msg.text()
    type_into(qtbot, p.passphrase, "Long-And-Varied-Passphrase-77")
    type_into(qtbot, p.confirm, "Long-And-Varied-Passphrase-77")
    assert not msg.isVisible()
    assert p.meter.value() == 4 and p.meter_text.text() == "Strong"
    press_next(qtbot, win)
    assert win.page_id == "hostname"


def test_disk_inline_manual(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    goto(win, "disk")
    p = win.current
    p.manual.setChecked(True)
    ed = p.manual_editor
    ed.table.selectRow(2)  # "/"
    ed.remove_selected()
    press_next(qtbot, win)
    assert win.page_id == "disk"
    assert "mounted at /" in p.messages["partitions"].text()
    # the editor row validates live, with the backend's per-partition rules
    type_into(qtbot, ed.mount, "home")
    type_into(qtbot, ed.size_edit, "10GiB")
    assert "absolute" in ed.entry_message.text()
    assert not ed.add_btn.isEnabled()
    type_into(qtbot, ed.mount, "/")
    type_into(qtbot, ed.size_edit, "lots")
    assert ed.entry_message.isVisible() and not ed.add_btn.isEnabled()
    type_into(qtbot, ed.size_edit, "rest")
    assert ed.add_btn.isEnabled()
    ed.add()
    assert not p.messages["partitions"].isVisible()
    press_next(qtbot, win)
    assert win.page_id == "encryption"


def test_disk_none_usable(qtbot, make_window, machine) -> None:  # type: ignore[no-untyped-def]
    only_medium = Machine.model_validate({**machine.model_dump(), "disks": [
        {**machine.disks[0].model_dump(), "is_installer_medium": True}]})
    win = make_window(only_medium)
    goto(win, "disk")
    p = win.current
    assert win.ctx.state.disk is None
    assert p.model.flags(p.model.index(0, 0)) == Qt.ItemFlag.NoItemFlags  # cannot be picked
    press_next(qtbot, win)
    assert win.page_id == "disk"
    assert "choose a disk" in p.messages["disk"].text().lower()


def test_summary_needs_consent_and_shows_plan_errors(qtbot, make_window, machine) -> None:  # type: ignore[no-untyped-def]
    win = make_window()
    goto(win, "summary")
    p = win.current
    assert p.erase_card.isVisible()
    assert "ERASED" in p.plan_text.text()
    assert not win.next_btn.isEnabled()
    p.consent.setChecked(True)
    assert win.next_btn.isEnabled() and win.next_btn.text().replace("&", "") == "Install"
    # a choice the planner refuses: shown inline, Install stays off
    tiny = Machine.model_validate({**machine.model_dump(), "disks": [
        {**machine.disks[0].model_dump(), "size": 64 * 1024**2}]})
    win2 = make_window(tiny)
    goto(win2, "summary")
    assert win2.current.error.isVisible()
    assert not win2.next_btn.isEnabled()


def test_summary_survives_a_planner_bug(qtbot, make_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import installer.gui.pages.summary as summary

    def broken(*a, **kw):  # type: ignore[no-untyped-def]
        raise RuntimeError("planner exploded")

    monkeypatch.setattr(summary, "make_plan", broken)
    win = make_window()
    goto(win, "summary")
    assert win.current.error.isVisible() and "planner exploded" in win.current.error.text()
    assert not win.next_btn.isEnabled()
