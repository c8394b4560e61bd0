"""Re-record dryrun-events.jsonl: a dry-run install of tui-guided-luks.yaml on two-disks.json
through the real engine and RecordingSystem, with steps faked by tests/tui/fakeplan.py.

    .venv/bin/python tests/tui/data/record_events.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from fakeplan import fake_plan  # noqa: E402
from helpers import ANSWERS, MACHINES  # noqa: E402

from installer.backend.answers.load import load_file  # noqa: E402
from installer.backend.engine import apply  # noqa: E402
from installer.backend.machine import load_machine  # noqa: E402
from installer.backend.plan import make_plan  # noqa: E402
from installer.backend.system import RecordingSystem  # noqa: E402


def main() -> None:
    config = load_file(ANSWERS / "tui-guided-luks.yaml").config
    machine = load_machine(MACHINES / "two-disks.json")
    plan = fake_plan(make_plan(config, machine), secret=config.secret_values()[0])
    out = HERE / "dryrun-events.jsonl"
    with out.open("w") as f:
        apply(plan, config, machine, RecordingSystem(), lambda ev: f.write(ev.to_json() + "\n"),
              log_path="/var/log/azl-installer/install.log")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
