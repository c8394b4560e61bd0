"""Child process for bench/tui_bench.py: a bare Textual app (one Label) or the installer at a
given page, started the same way (same interpreter, same script)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    mode, page, serial, headless = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1"
    if mode == "bare":
        from textual.app import App, ComposeResult
        from textual.widgets import Label

        class Bare(App[None]):
            def compose(self) -> ComposeResult:
                yield Label("Hello from a bare Textual app")

            def on_mount(self) -> None:
                if headless:
                    self.call_after_refresh(self.exit)

        Bare(ansi_color=serial or None).run(headless=headless)
        return
    import argparse

    from installer.backend.events import read_events
    from installer.tui.app import build_app

    # started as `azl-installer --dry-run --machine two-disks.json [--serial]` would start it
    app = build_app(argparse.Namespace(serial=serial, answers=None, interactive=False, dry_run=True,
                                       machine=str(ROOT / "tests" / "fixtures" / "machines" / "two-disks.json")))
    # progress: as the install starts (no event yet); progress+60: after 60 replayed events
    app.start_page = page.split("+")[0]
    if app.start_page == "progress":
        n = int(page.split("+")[1]) if "+" in page else 0
        app.replay = read_events(str(ROOT / "tests" / "tui" / "data" / "dryrun-events.jsonl"))[:n]
    if headless:
        def check() -> None:
            if app.page == app.start_page:
                app.screen.call_after_refresh(app.exit)
        app.call_later(lambda: app.set_interval(0.01, check))
    app.run(headless=headless)


if __name__ == "__main__":
    main()
