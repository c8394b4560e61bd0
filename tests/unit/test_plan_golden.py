"""The dry-run plan of each example against each recorded machine, golden-tested.

Regenerate after an intended change with: UPDATE_GOLDEN=1 pytest tests/unit/test_plan_golden.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from installer.backend.answers.load import load_file
from installer.backend.errors import InvalidInput, RefusedForSafety
from installer.backend.events import Failed, Finished, event_from_dict
from installer.backend.machine import load_machine
from installer.backend.plan import make_plan

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests/fixtures/golden/plans"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
MACHINES = sorted((ROOT / "tests/fixtures/machines").glob("*.json"))


def _render(example: Path, machine: Path) -> str:
    loaded = load_file(example)
    try:
        plan = make_plan(loaded.config, load_machine(machine))
    except InvalidInput as exc:
        exc = loaded.locate(exc)
        return "INVALID (exit 2)\n" + "\n".join(i.format() for i in exc.issues) + "\n"
    except RefusedForSafety as exc:
        return f"REFUSED (exit 3)\n{exc}\n"
    return plan.render() + "\n"


@pytest.mark.parametrize("machine", MACHINES, ids=lambda p: p.stem)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_plan_golden(example: Path, machine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZL_MEDIUM_REPO", raising=False)  # plans name the repository
    got = _render(example, machine).replace(str(ROOT) + "/", "")
    golden = GOLDEN / f"{example.stem}--{machine.stem}.txt"
    if os.environ.get("UPDATE_GOLDEN") or not golden.exists():
        golden.write_text(got)
    assert got == golden.read_text()


def test_dry_run_event_stream_is_json_lines_ending_in_finished(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    repo = tmp_path / "repo"
    (repo / "repodata").mkdir(parents=True)
    answers = tmp_path / "a.yaml"
    answers.write_text((ROOT / "examples/core-luks-uefi.yaml").read_text()
                       + "\n# test repo\n")
    env = {**os.environ, "AZL_MEDIUM_REPO": str(repo)}
    r = subprocess.run(
        [sys.executable, "-m", "installer", "install", str(answers), "--dry-run",
         "--machine", str(ROOT / "tests/fixtures/machines/two-disks.json"), "--events", str(events)],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )
    lines = events.read_text().splitlines()
    parsed = [event_from_dict(json.loads(line)) for line in lines]
    assert parsed, r.stderr
    assert isinstance(parsed[-1], Finished | Failed)
    assert isinstance(parsed[-1], Finished), f"dry-run failed: {parsed[-1]}\n{r.stderr[-2000:]}"
    assert r.returncode == 0
    assert "Unlock-Me-At-Boot-42" not in events.read_text()
