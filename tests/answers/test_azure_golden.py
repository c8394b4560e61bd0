"""Golden plans of the corpus configs shaped like core-efi, core-legacy, marketplace-gen2,
marketplace-gen2-cvm (ESP at /efi), core-fips, a container config (refused) and the Image
Customizer FIPS sample, on the two-disks machine: the warnings, the layout, the kernel and the
bootloader's packages, the kernel command line.

Regenerate after an intended change with: UPDATE_GOLDEN=1 pytest tests/answers/test_azure_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from installer.backend.answers.load import load_file
from installer.backend.errors import InvalidInput
from installer.backend.machine import load_machine
from installer.backend.plan import make_plan

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests/fixtures/golden/azure"
CORPUS = ROOT / "tests/fixtures/azure/corpus"
CASES = {
    "core-efi": CORPUS / "core-efi.json",
    "core-legacy": CORPUS / "core-legacy.json",
    "marketplace-gen2": CORPUS / "marketplace-gen2.json",
    "marketplace-gen2-cvm": CORPUS / "marketplace-gen2-cvm.json",
    "core-fips": CORPUS / "core-fips.json",
    "core-container": CORPUS / "core-container.json",
    "ic-fips": ROOT / "tests/fixtures/imagecustomizer/fips.yaml",
}


def render(path: Path) -> str:
    try:
        loaded = load_file(path)
        plan = make_plan(loaded.config, load_machine(ROOT / "tests/fixtures/machines/two-disks.json"))
    except InvalidInput as exc:
        return "INVALID (exit 2)\n" + "\n".join(i.format() for i in exc.issues) + "\n"
    head = [f"warning: {w}" for w in loaded.warnings]
    return "\n".join([*head, plan.render()]) + "\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_plan(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZL_MEDIUM_REPO", "/run/install/repo")
    got = render(CASES[name]).replace(str(ROOT) + "/", "")
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN") or not golden.exists():
        golden.write_text(got)
    assert got == golden.read_text()
