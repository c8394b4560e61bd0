#!/usr/bin/env python3
"""Render every page of the graphical installer to PNG (docs/screenshots/gui/), offscreen, at
1024x768, against a recorded machine in dry-run. `make screenshots` runs it; re-run it whenever a
page changes and commit the PNGs."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from installer.backend.events import read_events  # noqa: E402
from installer.gui.app import build  # noqa: E402
from installer.gui.window import InstallerWindow  # noqa: E402

MACHINE = ROOT / "tests/fixtures/machines/two-disks.json"
EVENTS = ROOT / "tests/fixtures/events/gui-guided-luks.jsonl"


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def shot(app: QApplication, win: InstallerWindow, out: Path, name: str) -> None:
    settle(app)
    path = out / f"{name}.png"
    win.grab().save(str(path))
    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def new_window(high_contrast: bool = False) -> InstallerWindow:
    args = argparse.Namespace(machine=str(MACHINE), answers=None, interactive=False, dry_run=True)
    win = build(args, high_contrast=high_contrast)
    st = win.ctx.state
    st.hostname = "azl-workstation"
    st.full_name, st.username, st.username_edited = "Ada Lovelace", "ada", True
    st.password = st.password_confirm = SecretStr("analytical-Engine-1843")
    win.show()
    return win


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs/screenshots/gui"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    win = new_window()
    st = win.ctx.state
    shot(app, win, out, "01-welcome")
    win.go_to("install_type")
    shot(app, win, out, "02-install-type")
    win.go_to("disk")
    shot(app, win, out, "03-disk-guided")
    st.layout = "manual"
    win.go_to("disk")
    editor = win.pages["disk"].manual_editor  # type: ignore[attr-defined]
    editor.use_recommended()
    editor.mount.setText("/srv")
    editor.size_edit.setText("20GiB")
    editor.fs.setCurrentIndex(editor.fs.findData("xfs"))
    editor.add()
    shot(app, win, out, "04-disk-manual")
    st.layout = "guided"
    win.go_to("encryption")
    page = win.pages["encryption"]
    page.enable.setChecked(True)  # type: ignore[attr-defined]
    page.passphrase.setText("correct horse battery staple")  # type: ignore[attr-defined]
    page.confirm.setText("correct horse battery staple")  # type: ignore[attr-defined]
    page._store()  # type: ignore[attr-defined]
    page.advanced_btn.setChecked(True)  # type: ignore[attr-defined]
    shot(app, win, out, "05-encryption")
    win.go_to("disk")
    shot(app, win, out, "05b-disk-encrypted")
    win.go_to("hostname")
    hp = win.pages["hostname"]
    hp.hostname.setText("bad_host")  # type: ignore[attr-defined]
    hp._edited("bad_host")  # type: ignore[attr-defined]
    shot(app, win, out, "06-hostname-invalid")
    hp.hostname.setText("azl-workstation")  # type: ignore[attr-defined]
    hp._edited("azl-workstation")  # type: ignore[attr-defined]
    win.go_to("user")
    shot(app, win, out, "07-user")
    win.go_to("summary")
    shot(app, win, out, "08-summary")
    win.pages["summary"].consent.setChecked(True)  # type: ignore[attr-defined]
    shot(app, win, out, "08b-summary-confirmed")
    events = read_events(str(EVENTS))
    cut = next(i for i, e in enumerate(events) if getattr(e, "step_id", "") == "payload" and e.kind == "progress")
    win.ctx.config = None
    win.ctx.outcome = "running"
    win.go_to("progress")
    for ev in events[: cut + 3]:
        win._on_event(ev)
    shot(app, win, out, "09-progress")
    for ev in events[cut + 3:]:
        win._on_event(ev)
    win.revalidate()
    shot(app, win, out, "10-progress-done")
    win.go_to("finish")
    shot(app, win, out, "11-finish")
    win.ctx.outcome = "not-started"
    win.close()

    hc = new_window(high_contrast=True)
    hc.go_to("disk")
    shot(app, hc, out, "12-high-contrast-disk")
    hc.go_to("summary")
    shot(app, hc, out, "13-high-contrast-summary")
    hc.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
