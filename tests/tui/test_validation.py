"""Each screen shows the backend's validation as you type and Next refuses blocking errors."""

from __future__ import annotations

from helpers import screen_text, type_into
from textual.widgets import Input, RadioButton

from installer.tui.app import InstallerApp

SIZE = (80, 24)


def shown(app) -> list[str]:  # type: ignore[no-untyped-def]
    return list(app.screen.query_one("#issues").shown)


async def goto(pilot, page: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.goto(page)
    await pilot.pause()


async def refused(pilot, page: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert pilot.app.page == page


async def test_disk_errors(machine) -> None:  # type: ignore[no-untyped-def]
    app = InstallerApp(machine)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "disk")
        await type_into(pilot, "#swap", "lots")
        assert "x swap:" in screen_text(app)
        await refused(pilot, "disk")
        assert app.focused is app.screen.query_one("#swap")  # Next takes you to the bad field
        await type_into(pilot, "#swap", "1GiB")
        assert not [x for x in shown(app) if x.startswith("x ")]
        app.screen.query_one("#layout-manual", RadioButton).value = True
        await pilot.pause()
        assert "needs a partition mounted at /" in screen_text(app)
        await refused(pilot, "disk")


async def test_installer_medium_cannot_be_chosen(machine) -> None:  # type: ignore[no-untyped-def]
    from helpers import MACHINES

    from installer.backend.machine import load_machine

    for path in MACHINES.glob("*.json"):
        m = load_machine(path)
        app = InstallerApp(m)
        async with app.run_test(size=SIZE) as pilot:
            await goto(pilot, "disk")
            for d in m.disks:
                button = app.screen.query_one(f"#disk-{d.name}", RadioButton)
                assert button.disabled == (d.is_installer_medium or d.read_only)


async def test_encryption_errors(machine) -> None:  # type: ignore[no-untyped-def]
    app = InstallerApp(machine)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "encryption")
        assert not shown(app)  # off: nothing to say
        app.screen.query_one("#encrypt").focus()
        await pilot.press("space")
        await pilot.pause()
        assert "cannot be empty" in screen_text(app)
        await type_into(pilot, "#passphrase", "short")
        assert "at least 8 characters" in screen_text(app)
        await refused(pilot, "encryption")
        await type_into(pilot, "#passphrase", "Long-Enough-Pass-1")
        await type_into(pilot, "#passphrase_confirm", "Long-Enough-Pass-2")
        assert "do not match" in screen_text(app)
        await refused(pilot, "encryption")
        await type_into(pilot, "#passphrase", "password123")
        await type_into(pilot, "#passphrase_confirm", "password123")
        text = screen_text(app)
        assert "! this is a common or predictable pattern" in text and "weak" in text  # warning only
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.page == "hostname"


async def test_hostname_errors(machine) -> None:  # type: ignore[no-untyped-def]
    app = InstallerApp(machine)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "hostname")
        assert app.screen.query_one("#hostname", Input).value.startswith("azurelinux-")
        await type_into(pilot, "#hostname", "-bad-")
        assert "starts or ends with a hyphen" in screen_text(app)
        await refused(pilot, "hostname")
        await type_into(pilot, "#hostname", "")
        assert "cannot be empty" in screen_text(app)
        await type_into(pilot, "#hostname", "under_score")
        assert "only letters, digits and hyphens" in screen_text(app)
        await refused(pilot, "hostname")


async def test_user_errors(machine) -> None:  # type: ignore[no-untyped-def]
    app = InstallerApp(machine)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "user")
        await type_into(pilot, "#full_name", "Root")
        assert app.state.username != "root"  # the suggestion avoids system accounts
        await type_into(pilot, "#username", "root")
        assert "'root' is a system account" in screen_text(app)
        await type_into(pilot, "#full_name", "Someone Else")
        assert app.screen.query_one("#username", Input).value == "root"  # edited: no longer derived
        await type_into(pilot, "#username", "alice")
        await type_into(pilot, "#password", "secret-one")
        await type_into(pilot, "#password_confirm", "secret-two")
        assert "the two entries do not match" in screen_text(app)
        await type_into(pilot, "#password_confirm", "secret-one")
        await type_into(pilot, "#ssh_key", "not a key")
        assert "SSH key:" in screen_text(app)
        await refused(pilot, "user")
        await type_into(pilot, "#ssh_key", "")
        app.screen.query_one("#set_root_password").focus()
        await pilot.press("space")
        await pilot.pause()
        assert "root password: the password cannot be empty" in screen_text(app)
        await refused(pilot, "user")
        app.screen.query_one("#set_root_password").focus()
        await pilot.press("space")
        await pilot.pause()
        assert not [x for x in shown(app) if x.startswith("x ")]


async def test_summary_needs_the_disk_name(machine) -> None:  # type: ignore[no-untyped-def]
    app = InstallerApp(machine)
    async with app.run_test(size=SIZE) as pilot:
        app.state.username = "alice"
        await goto(pilot, "summary")
        assert "Type vda to erase it" in screen_text(app)
        await pilot.press("enter")  # focus is on the confirmation box: Enter alone does nothing
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.page == "summary"
        await type_into(pilot, "#confirm", "yes")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.page == "summary"
        await type_into(pilot, "#confirm", "vda")
        app.replay = []  # do not start a real engine run here
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.page == "progress"
