"""Scenario (f): install from an Image Customizer config with FIPS on, boot the installed disk and
check from inside: FIPS (/proc/sys/crypto/fips_enabled is 1 where the kernel allows it, else
fips=1 and boot= on the command line and dracut's fips module in the initramfs), the chosen
kernel installed, the group made before its user, the user's primary group, sshd enabled and
irqbalance disabled. docs/azure.md has the mapping; docs/vm-scenarios.md how to run it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.vm import scenarios
from tests.vm.qemu import REPO, Medium

pytestmark = pytest.mark.vm
ANSWERS = Path(__file__).parent / "answers"
PASSWORD = "azureuser-pw"  # the answer file holds its sha-512 hash only
FIPS_CHECKS = r"""
echo V:fips_enabled=$(cat /proc/sys/crypto/fips_enabled 2>/dev/null)
echo V:cmdline_fips=$(tr ' ' '\n' < /proc/cmdline | grep -E '^(fips|boot)=' | cut -d= -f1 | tr '\n' ,)
echo V:fips_boot_uuid=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^boot=UUID=//p')
echo V:boot_uuid=$(findmnt -no UUID /boot)
echo V:initrd_fips=$(lsinitrd /boot/initramfs-$(uname -r).img 2>/dev/null | grep -c 'fips')
echo V:dracut_fips_rpm=$(rpm -q --quiet dracut-fips && echo yes)
echo V:kernel_release=$(uname -r)
echo V:primary_group=$(id -gn azureuser)
echo V:auditors_gid=$(getent group auditors | cut -d: -f3)
echo V:uid=$(id -u azureuser)
echo V:irqbalance=$(systemctl is-enabled irqbalance.service 2>/dev/null)
"""


def _fixture_has_dracut_fips() -> bool:
    manifest = REPO / "build" / "fixture-repo" / "manifest.json"
    try:
        return "dracut-fips" in json.loads(manifest.read_text())["al_names"]
    except (OSError, ValueError, KeyError):
        return False


def test_imagecustomizer_fips(medium: Medium, vmdir: Path) -> None:
    fips = _fixture_has_dracut_fips()
    answers = ANSWERS / "ic-fips.yaml"
    if not fips:  # the rest of the config is still installed and checked; the FIPS facts are skipped below
        text = answers.read_text()
        assert "    - fips=1\n" in text
        answers = vmdir / "ic-fips-without-fips.yaml"
        answers.write_text(text.replace("    - fips=1\n", ""))
    result = scenarios.install(medium, vmdir, answers, firmware="uefi", disk_size="10G", memory=2048)
    assert result.ok, f"{result.marker} {result.detail}\n{result.guest.tail()}"
    print(f"install: READY at {result.ready_seconds:.0f} s, DONE at {result.seconds:.0f} s")
    packages = ["openssh-server", *(["dracut-fips"] if fips else [])]
    facts = scenarios.verify_installed(vmdir, result.disks, firmware="uefi", user="azureuser", password=PASSWORD,
                                       passphrase=None, packages=packages, extra=FIPS_CHECKS)
    scenarios.print_summary(facts)
    assert facts["hostname"] == "azl-vm-fips" and facts["login_user"] == "azureuser"
    assert facts["rpm_has"].split(",") == packages
    assert facts["kernel_rpm"] != "" and facts["kernel_release"] != ""  # the chosen kernel: kernel
    assert (facts["primary_group"], facts["auditors_gid"], facts["uid"]) == ("auditors", "2200", "1500")
    assert "wheel" in facts["groups"].split()
    assert int(facts["sshd_enabled"] or 0) >= 1 and facts["irqbalance"] in ("disabled", "")
    assert facts["failed_units"] == ""
    if not fips:
        pytest.skip("FIPS facts not checked: the fixture repository (scripts/fixture-repo) provides no dracut-fips "
                    "yet, so the config was installed without fips=1 (everything else above passed)")
    assert "fips" in facts["cmdline_fips"].split(",") and "boot" in facts["cmdline_fips"].split(",")
    assert facts["fips_boot_uuid"] == facts["boot_uuid"] != ""  # boot= names the separate /boot
    if facts["fips_enabled"] != "1":  # a kernel without CONFIG_CRYPTO_FIPS
        assert int(facts["initrd_fips"] or 0) >= 1, "dracut's fips module is not in the initramfs"
