"""Screenshots of the text installer for the README: an SVG and a plain-text capture of every
screen at 80x24, in the normal theme and in serial-console mode, against a recorded machine
and the tui-guided-luks answers (nothing is installed).

    .venv/bin/python scripts/tui_screenshots.py docs/screenshots/tui
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from installer.backend import flow  # noqa: E402
from installer.backend.answers.load import load_file  # noqa: E402
from installer.backend.events import read_events  # noqa: E402
from installer.backend.machine import load_machine  # noqa: E402
from installer.tui.app import InstallerApp  # noqa: E402

PAGES = ("welcome", "install_type", "disk", "encryption", "hostname", "user", "summary", "progress", "finish")


async def shoot(out: Path, page: str, serial: bool) -> None:
    machine = load_machine(ROOT / "tests" / "fixtures" / "machines" / "two-disks.json")
    state = flow.from_config(load_file(ROOT / "tests" / "fixtures" / "answers" / "tui-guided-luks.yaml").config,
                             machine)
    events = read_events(str(ROOT / "tests" / "tui" / "data" / "dryrun-events.jsonl"))
    app = InstallerApp(machine, state, serial=serial, start=page, replay=events[:60],
                       log_path="/var/log/azl-installer/install.log", answers_out="/root/azl-answers.yaml")
    name = f"{PAGES.index(page) + 1}-{page}" + ("-serial" if serial else "")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        app.save_screenshot(f"{name}.svg", str(out))
        lines = [s.text.rstrip() for s in app.screen._compositor.render_strips()]
        (out / f"{name}.txt").write_text("\n".join(lines) + "\n")
    print(out / f"{name}.svg")


async def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for serial in (False, True):
        for page in PAGES:
            await shoot(out, page, serial)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots/tui")))
