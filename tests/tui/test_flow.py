"""Walk the whole text installer with the Pilot and compare the InstallConfig it produces with
the one the equivalent native answer file loads to."""

from __future__ import annotations

import re

from helpers import screen_text, type_into
from textual.widgets import Button, Input, RadioButton, Select

from installer.backend import flow
from installer.tui.app import InstallerApp
from tests.answer_helpers import load_answers, normalized

SIZE = (80, 24)
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq7VqW2m0bT1yJ3hY6z8cX4vR5nL0pK9sD2fG7hJ1kQ ada@laptop"


async def next_page(pilot, expect: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert pilot.app.page == expect, screen_text(pilot.app)


async def test_guided_luks_walk_equals_answer_file(machine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = InstallerApp(machine, dry_run=True, answers_out=str(tmp_path / "a.yaml"))
    async with app.run_test(size=SIZE) as pilot:
        assert app.page == "welcome"
        app.screen.query_one("#language", Select).value = "de_DE.UTF-8"
        app.screen.query_one("#keyboard", Select).value = "de"
        await pilot.pause()
        await next_page(pilot, "install_type")
        app.screen.query_one("#set-full", RadioButton).value = True
        await pilot.pause()
        await next_page(pilot, "disk")
        app.screen.query_one("#disk-vdb", RadioButton).value = True
        app.screen.query_one("#root_fs", Select).value = "xfs"
        await pilot.pause()
        assert "/dev/vdb" in screen_text(app) and "ERASED" in screen_text(app)
        await type_into(pilot, "#swap", "2GiB")
        app.screen.query_one("#lvm").focus()
        await pilot.press("space")
        await pilot.pause()
        await next_page(pilot, "encryption")
        app.screen.query_one("#encrypt").focus()
        await pilot.press("space")
        await type_into(pilot, "#passphrase", "Tui-Correct-Horse-42")
        await type_into(pilot, "#passphrase_confirm", "Tui-Correct-Horse-42")
        assert "Strength" in screen_text(app)
        await next_page(pilot, "hostname")
        await type_into(pilot, "#hostname", "tui-guided-01")
        await next_page(pilot, "user")
        await type_into(pilot, "#full_name", "Ada Lovelace")
        assert app.screen.query_one("#username", Input).value == "ada"  # derived
        await type_into(pilot, "#password", "Analytical-Engine-1843")
        await type_into(pilot, "#password_confirm", "Analytical-Engine-1843")
        await type_into(pilot, "#ssh_key", SSH_KEY)
        await next_page(pilot, "summary")
        text = screen_text(app)
        assert "Azure Linux Full" in text and "tui-guided-01" in text and "LUKS (luks2)" in text
        # Enter on the Install button alone does not start anything: the disk name must be typed.
        app.screen.query_one("#next", Button).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.page == "summary"
        got = flow.to_config(app.state)
    want = load_answers("tui-guided-luks.yaml")
    pw = {"ada": "Analytical-Engine-1843"}
    assert normalized(got, pw) == normalized(want, pw)


async def test_manual_walk_equals_answer_file(machine) -> None:  # type: ignore[no-untyped-def]
    app = InstallerApp(machine, dry_run=True)
    async with app.run_test(size=SIZE) as pilot:
        await next_page(pilot, "install_type")
        await next_page(pilot, "disk")
        app.screen.query_one("#layout-manual", RadioButton).value = True
        await pilot.pause()
        assert "needs a partition mounted at /" in screen_text(app)
        for mount, size, fs in (("/boot/efi", "512MiB", "vfat"), ("/boot", "1GiB", "ext4"),
                                ("/", "rest", "xfs"), ("", "2GiB", "swap")):
            app.screen.query_one("#add").focus()
            await pilot.press("enter")
            await pilot.pause()
            await type_into(pilot, "#p-mount", mount)
            await type_into(pilot, "#p-size", size)
            app.screen.query_one("#p-fs", Select).value = fs
            await pilot.pause()
            app.screen.query_one("#p-ok").focus()
            await pilot.press("enter")
            await pilot.pause()
            assert app.page == "disk", screen_text(app)
        # edit then delete a partition: add a bogus one and remove it again
        app.screen.query_one("#add").focus()
        await pilot.press("enter")
        await type_into(pilot, "#p-mount", "/srv")
        await type_into(pilot, "#p-size", "10XB")
        await pilot.pause()
        assert "not a size unit" in screen_text(app)  # live validation in the dialog
        app.screen.query_one("#p-ok").focus()
        await pilot.press("enter")  # refused while invalid
        await pilot.pause()
        assert "not a size unit" in screen_text(app)
        await type_into(pilot, "#p-size", "1GiB")
        app.screen.query_one("#p-ok").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.state.partitions) == 5
        table = app.screen.query_one("#partitions")
        table.focus()
        table.move_cursor(row=4)
        await pilot.pause()
        app.screen.query_one("#delete").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert [p.mount for p in app.state.partitions] == ["/boot/efi", "/boot", "/", None]
        await next_page(pilot, "encryption")
        await next_page(pilot, "hostname")
        await type_into(pilot, "#hostname", "tui-manual-01")
        await next_page(pilot, "user")
        await type_into(pilot, "#full_name", "Grace Hopper")
        await type_into(pilot, "#password", "Cobol-Compiler-1959")
        await type_into(pilot, "#password_confirm", "Cobol-Compiler-1959")
        app.screen.query_one("#admin").focus()
        await pilot.press("space")
        app.screen.query_one("#set_root_password").focus()
        await pilot.press("space")
        await pilot.pause()
        await type_into(pilot, "#root_password", "Root-Only-When-Asked-7")
        await type_into(pilot, "#root_password_confirm", "Root-Only-When-Asked-7")
        await next_page(pilot, "summary")
        assert "manual partitioning" in screen_text(app)
        got = flow.to_config(app.state)
    want = load_answers("tui-manual.yaml")
    pw = {"grace": "Cobol-Compiler-1959", "root": "Root-Only-When-Asked-7"}
    assert normalized(got, pw) == normalized(want, pw)


async def test_back_and_next_keep_values(machine) -> None:  # type: ignore[no-untyped-def]
    app = InstallerApp(machine)
    async with app.run_test(size=SIZE) as pilot:
        app.goto("hostname")
        await pilot.pause()
        await type_into(pilot, "#hostname", "kept-name")
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.page == "encryption"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen.query_one("#hostname", Input).value == "kept-name"


async def add_via_dialog(pilot, button: str, fields: dict[str, str], selects: dict[str, str],  # type: ignore[no-untyped-def]
                         checks: tuple[str, ...] = ()) -> None:
    app = pilot.app
    app.screen.query_one(button).focus()
    await pilot.press("enter")
    await pilot.pause()
    for sel, text in fields.items():
        await type_into(pilot, sel, text)
    for sel, value in selects.items():
        app.screen.query_one(sel, Select).value = value
    for sel in checks:
        app.screen.query_one(sel).focus()
        await pilot.press("space")
    await pilot.pause()
    ok = app.screen.query_one("#p-ok, #v-ok")
    ok.focus()
    await pilot.press("enter")
    await pilot.pause()
    assert app.page == "disk", screen_text(app)


async def test_manual_lvm_walk_equals_answer_file(machine) -> None:  # type: ignore[no-untyped-def]
    app = InstallerApp(machine, dry_run=True)
    async with app.run_test(size=SIZE) as pilot:
        app.goto("disk")
        await pilot.pause()
        app.screen.query_one("#layout-manual", RadioButton).value = True
        await pilot.pause()
        await add_via_dialog(pilot, "#add", {"#p-mount": "/boot/efi", "#p-size": "512MiB"}, {"#p-fs": "vfat"})
        await add_via_dialog(pilot, "#add", {"#p-mount": "/boot", "#p-size": "1GiB"}, {"#p-fs": "ext4"})
        await add_via_dialog(pilot, "#add", {"#p-mount": "", "#p-size": "rest", "#p-vg": "sys"}, {"#p-fs": "none"},
                             checks=("#p-encrypt",))
        assert "needs a partition mounted at /" in screen_text(app)
        # a volume in a group no partition belongs to is refused live
        app.screen.query_one("#add-lv").focus()
        await pilot.press("enter")
        await type_into(pilot, "#v-name", "root")
        await type_into(pilot, "#v-vg", "nosuch")
        await type_into(pilot, "#v-mount", "/")
        await type_into(pilot, "#v-size", "20GiB")
        assert "no partition is a physical volume of 'nosuch'" in screen_text(app)
        await type_into(pilot, "#v-vg", "sys")
        app.screen.query_one("#v-fs", Select).value = "xfs"
        await pilot.pause()
        app.screen.query_one("#v-ok").focus()
        await pilot.press("enter")
        await pilot.pause()
        await add_via_dialog(pilot, "#add-lv", {"#v-name": "home", "#v-vg": "sys", "#v-mount": "/home",
                                                "#v-size": "rest"}, {"#v-fs": "ext4"})
        assert "needs a partition mounted at /" not in screen_text(app)
        await next_page(pilot, "encryption")
        app.screen.query_one("#encrypt").focus()
        await pilot.press("space")
        await type_into(pilot, "#passphrase", "Tui-Correct-Horse-42")
        await type_into(pilot, "#passphrase_confirm", "Tui-Correct-Horse-42")
        await next_page(pilot, "hostname")
        await type_into(pilot, "#hostname", "tui-lvm-01")
        await next_page(pilot, "user")
        await type_into(pilot, "#full_name", "Lin Lvm")
        await type_into(pilot, "#password", "Volume-Groups-4-All")
        await type_into(pilot, "#password_confirm", "Volume-Groups-4-All")
        await next_page(pilot, "summary")
        assert re.search(r"/dev/sys/root [0-9.]+ GiB xfs /", screen_text(app))
        got = flow.to_config(app.state)
    want = load_answers("tui-manual-lvm.yaml")
    pw = {"lin": "Volume-Groups-4-All"}
    assert normalized(got, pw) == normalized(want, pw)
