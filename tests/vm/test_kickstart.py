"""A kickstart file installs as its author meant: its %post checks the installed system and
writes a result file, which the harness reads back from the booted disk (kickstart-tests'
convention). Uses examples/ks-post-check.ks unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vm import scenarios
from tests.vm.qemu import REPO, Medium

pytestmark = pytest.mark.vm

KS = REPO / "examples" / "ks-post-check.ks"
READ_RESULT = """
echo V:ks_result=$(tail -n 1 /root/ks-check.txt 2>/dev/null)
echo V:ks_pass=$(grep -c '^PASS' /root/ks-check.txt 2>/dev/null)
echo V:ks_post_log=$(test -e /root/ks-post.log && echo yes)
"""


def test_kickstart_post_script_result(medium: Medium, vmdir: Path) -> None:
    result = scenarios.install(medium, vmdir, KS, firmware="uefi", disk_count=1, disk_size="10G", memory=2048)
    assert result.ok, f"{result.marker} {result.detail}\n{result.guest.tail()}"
    facts = scenarios.verify_installed(
        vmdir, result.disks, firmware="uefi", user="azl", password="azl-example-password",
        passphrase=None, packages=["kernel"], extra=READ_RESULT,
    )  # fmt: skip
    print("verification summary:", facts)
    assert facts["hostname"] == "azl-ks-check"
    assert "wheel" in facts["groups"].split()
    assert facts["ks_result"] == "RESULT PASS"
    assert int(facts["ks_pass"] or 0) == 5
    assert facts["ks_post_log"] == "yes"
