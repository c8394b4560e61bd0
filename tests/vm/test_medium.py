"""The installer medium in QEMU: boot to the launcher, refuse bad answer files, install (a).

Every test boots the ISO from build/iso-info.json (make iso) under TCG with one vCPU; serial
consoles are kept in build/vm-artifacts/<test>/ and a failure shows their tail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vm import scenarios
from tests.vm.qemu import Guest, GuestSpec, Medium, answer_drive, blank_disk, disk_is_blank

pytestmark = pytest.mark.vm
ANSWERS = Path(__file__).parent / "answers"


@pytest.mark.parametrize("firmware", ["uefi", "bios"])
def test_boots_to_installer(medium: Medium, vmdir: Path, firmware: str) -> None:
    """Firmware -> GRUB (default entry) -> live root -> launcher READY and the text UI starts."""
    spec = GuestSpec(firmware=firmware, memory=1024, cdrom=medium.iso)
    with Guest(spec, vmdir, "live") as guest:
        m = guest.wait_marker(("READY",), 600)
        assert "mode=text" in m.group(2)
        guest.wait_marker(("UI", "ERROR"), 120, start=m.end())
        assert "AZL-INSTALLER: ERROR" not in guest.text


@pytest.mark.parametrize(
    ("answers", "via", "firmware"),
    [
        ("invalid.yaml", "inst.ks", "uefi"),
        ("invalid.yaml", "oemdrv", "bios"),
    ],
)
def test_invalid_answer_file_is_refused(medium: Medium, vmdir: Path, answers: str, via: str, firmware: str) -> None:
    """Scenario (e): an invalid answer file stops with ERROR ks-invalid; the disk is untouched."""
    disks = scenarios.make_disks(vmdir, 1, "10G")
    result = scenarios.install(
        medium, vmdir, ANSWERS / answers, firmware=firmware, disks=disks, via=via, memory=1024,
        timeout=600,
    )  # fmt: skip
    assert result.marker == "ERROR", result.guest.tail()
    assert result.detail.startswith("ks-invalid"), result.detail
    assert disk_is_blank(disks[0])


def test_missing_answer_file_is_refused(medium: Medium, vmdir: Path) -> None:
    """inst.ks= naming a file that is not on the drive: ERROR, no fallback to an interactive UI."""
    disk = blank_disk(vmdir / "disk0.qcow2", "10G")
    drive = answer_drive(vmdir / "ks.img", scenarios.KS_LABEL, {"/other.cfg": b"x"})
    spec = GuestSpec(
        firmware="uefi",
        memory=1024,
        cdrom=medium.iso,
        disks=[disk],
        extra_drives=[drive],
        kernel=medium.kernel,
        initrd=medium.initrd,
        append=scenarios.live_append(medium, f"inst.ks=hd:LABEL={scenarios.KS_LABEL}:/ks.cfg", "inst.text"),
    )
    with Guest(spec, vmdir, "live") as guest:
        m = guest.wait_marker(("ERROR", "UI", "DONE"), 900)
        assert m.group(1) == "ERROR" and "ks-file-missing" in m.group(2), guest.tail()
    assert "AZL-INSTALLER: UI" not in guest.text
    assert disk_is_blank(disk)


SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIL/CT5nyDFcccPg3aXpfrl6LP3SdoEFBd+KbjbEGRwG azureuser@azl-vm-test"
# The user's authorized_keys, read as root by verify_installed: owner, group, mode, and the keys.
SSH_FACTS = r"""
ak=~azureuser/.ssh/authorized_keys
echo V:user_ssh_dir=$(stat -c '%U:%a' ~azureuser/.ssh 2>/dev/null)
echo V:user_ak_stat=$(stat -c '%U:%G:%a' $ak 2>/dev/null)
echo V:user_ak_lines=$(grep -c . $ak 2>/dev/null)
echo V:user_primary_group=$(id -gn azureuser)
echo V:user_ak_first=$(head -n 1 $ak 2>/dev/null)
"""


@pytest.mark.parametrize("firmware", ["uefi"])
def test_core_luks_install(medium: Medium, vmdir: Path, firmware: str) -> None:
    """Scenario (a): unattended encrypted core install, then verify from the installed system."""
    result = scenarios.install(
        medium, vmdir, ANSWERS / "core-luks.yaml", firmware=firmware, disk_count=1,
        disk_size="10G", memory=2048,
    )  # fmt: skip
    assert result.ok, f"{result.marker} {result.detail}\n{result.guest.tail()}"
    facts = scenarios.verify_installed(
        vmdir, result.disks, firmware=firmware, user="azureuser", password="azureuser-pw",
        passphrase="azl-vm-test-passphrase", packages=["openssh-server", "sudo", "cryptsetup"], extra=SSH_FACTS,
    )  # fmt: skip
    print("verification summary (from inside the installed system):")
    for key, value in sorted(facts.values.items()):
        print(f"  {key:18} {value}")
    print(f"  {'boot_seconds':18} {facts.boot_seconds:.0f}")
    assert facts["hostname"] == "azl-vm-core"
    assert "wheel" in facts["groups"].split()
    assert facts["root_on_crypt"] == "1"
    assert facts["luks2"].startswith("2")
    assert int(facts["rpm_count"] or 0) > 50
    assert facts["rpm_has"].split(",") == ["openssh-server", "sudo", "cryptsetup"]
    assert int(facts["sshd"] or 0) >= 1 and int(facts["sshd_enabled"] or 0) >= 1
    assert facts["failed_units"] == ""
    assert "/" in facts["fstab_entries"].split(",")
    assert facts["fstab_unmounted"] == ""
    assert facts["install_log"] != ""
    # one user with an ssh key: the answer file's key, the only one, mode 600, owned by the user
    assert facts["user_ak_first"] == SSH_KEY
    assert facts["user_ak_lines"] == "1"
    assert facts["user_ak_stat"] == f"azureuser:{facts['user_primary_group']}:600", facts["user_ak_stat"]
    assert facts["user_ssh_dir"] == "azureuser:700"
