"""Smoke scenarios (b) and (d): install from the ISO in QEMU, boot the installed disk through its
firmware, log in on the serial console as the answer file's user and check the system from inside.

(b) SeaBIOS, GPT with a bios_grub partition, guided layout, xfs root, no encryption, the full set.
(d) UEFI, a manual layout with separate ext4 / and /home and a swap partition, a wheel user with
    an SSH key.
See docs/vm-scenarios.md for what each proves and how long it takes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.vm import scenarios
from tests.vm.qemu import Medium

pytestmark = pytest.mark.vm
ANSWERS = Path(__file__).parent / "answers"
PASSWORD = "azureuser-pw"  # the answer files hold its sha-512 hash only
SELINUX_WARNING = (
    "echo V:selinux_warning=$(grep -c 'requested but the target has no policy' /var/log/installer/install.log)\n"
)

# Names of the full set that the core set does not pull in (installer/backend/payload/data:
# developer-packages, virtualization-host-packages, core-tools-packages, ssh-server,
# selinux-full, drtm).
FULL_ONLY = ["git", "cmake", "qemu-kvm", "dnf", "vim", "openssh-server", "selinux-policy", "tpm2-tools"]


def _check_common(facts: scenarios.Facts, *, hostname: str, user: str, packages: list[str]) -> None:
    assert facts["hostname"] == hostname
    assert facts["login_user"] == user  # logged in with the password, sudo accepted it too
    assert "wheel" in facts["groups"].split()
    assert facts["rpm_has"].split(",") == packages
    assert facts["kernel_rpm"] != ""  # a package that provides kernel
    assert int(facts["sshd"] or 0) >= 1 and int(facts["sshd_enabled"] or 0) >= 1
    assert "/" in facts["fstab_entries"].split(",")
    assert facts["fstab_unmounted"] == ""
    assert "install.log" in facts["install_log"].split(",")
    assert facts["failed_units"] == ""
    assert facts["crypt_devices"] == "0"


def test_full_bios_xfs(medium: Medium, vmdir: Path) -> None:
    """Scenario (b): BIOS + GPT (bios_grub), xfs root, no encryption, the full package set."""
    result = scenarios.install(
        medium, vmdir, ANSWERS / "full-bios-xfs.yaml", firmware="bios", disk_count=1,
        disk_size="16G", memory=2048,
    )  # fmt: skip
    assert result.ok, f"{result.marker} {result.detail}\n{result.guest.tail()}"
    print(f"install: READY at {result.ready_seconds:.0f} s, DONE at {result.seconds:.0f} s")
    facts = scenarios.verify_installed(
        vmdir, result.disks, firmware="bios", user="builder", password=PASSWORD,
        passphrase=None, packages=FULL_ONLY, extra=SELINUX_WARNING,
    )  # fmt: skip
    scenarios.print_summary(facts)
    _check_common(facts, hostname="azl-vm-full", user="builder", packages=FULL_ONLY)
    assert int(facts["rpm_count"] or 0) > 300  # full resolves to ~400 packages, core to ~250
    assert facts["root_fstype"] == "xfs"
    assert "vda:gpt" in facts["pttypes"].split(",")
    assert facts["bios_grub_parts"] == "1"
    assert facts["home_mount"] == ""  # guided without separate_home
    assert facts["swap_fstab"] == "0" and facts["swap_active"] == "0"
    # full asks for permissive SELinux: on the kernel command line when the target has a policy to
    # load, else selinux=0 and a warning in the install log (the fixture distribution ships none)
    if facts["selinux_policies"]:
        assert {"security=selinux", "selinux=1", "enforcing=0"} <= set(facts["cmdline_selinux"].split(","))
    else:
        assert facts["cmdline_selinux"].split(",") == ["selinux=0", ""]
        assert int(facts["selinux_warning"] or 0) >= 1


def test_manual_home_swap(medium: Medium, vmdir: Path) -> None:
    """Scenario (d): manual layout (ESP, ext4 /, swap, ext4 /home), a wheel user with an SSH key."""
    answers = ANSWERS / "manual-home-swap.yaml"
    key = yaml.safe_load(answers.read_text())["users"][0]["ssh_keys"][0]
    result = scenarios.install(
        medium, vmdir, answers, firmware="uefi", disk_count=1, disk_size="10G", memory=2048,
    )  # fmt: skip
    assert result.ok, f"{result.marker} {result.detail}\n{result.guest.tail()}"
    print(f"install: READY at {result.ready_seconds:.0f} s, DONE at {result.seconds:.0f} s")
    packages = ["openssh-server", "sudo"]
    facts = scenarios.verify_installed(
        vmdir, result.disks, firmware="uefi", user="alice", password=PASSWORD,
        passphrase=None, packages=packages,
    )  # fmt: skip
    scenarios.print_summary(facts)
    _check_common(facts, hostname="azl-vm-manual", user="alice", packages=packages)
    assert facts["root_fstype"] == "ext4"
    assert "vda:gpt" in facts["pttypes"].split(",")
    assert facts["bios_grub_parts"] == "0"
    assert facts["home_mount"].startswith("/dev/vda") and facts["home_mount"] != facts["root_source"]
    assert facts["home_fstype"] == "ext4"
    assert {"/", "/home", "/boot/efi"} <= set(facts["fstab_entries"].split(","))
    assert facts["swap_fstab"] == "1" and facts["swap_active"] == "1"
    assert facts["ssh_dir"] == "700:alice:alice"
    assert facts["authorized_keys"] == "600:alice:alice"
    assert facts["authorized_key_blobs"].split(",") == [key.split()[1], ""]  # exactly this key
