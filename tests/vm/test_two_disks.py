"""Scenario (c): two disks, the target picked by a match rule, LVM on LUKS2, UEFI.

disk0 (6 GiB) holds a GPT with an ext4 filesystem and a file of random bytes; disk1 (10 GiB) is
blank. The answer file asks for ``match: {rule: largest}``, so the install must go to the SECOND
disk (/dev/vdb) and leave the first byte-for-byte as it was: after the install disk0 is compared
with a pristine copy made before the guest started (``qemu-img compare -s``: same content and
same allocation). Then the installed disk is booted alone (OVMF finds GRUB on the removable
path), the LUKS passphrase is typed at the prompt, and the facts are read from inside.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.vm import scenarios
from tests.vm.qemu import Medium, blank_disk, disk_is_blank, qemu_img

pytestmark = pytest.mark.vm
ANSWERS = Path(__file__).parent / "answers" / "lvm-luks-match.yaml"

# Facts only this scenario needs (printed as V:key=value by the verifying shell, as root).
LVM_FACTS = r"""
echo V:root_type=$(lsblk -rno TYPE,MOUNTPOINT | awk '$2=="/"{print $1}')
src=$(findmnt -no SOURCE /)
lvs_=$(lvs --noheadings -o vg_name,lv_name,lv_path,lv_dm_path 2>/dev/null)
echo V:root_lv=$(echo "$lvs_" | awk -v s="$src" '$3==s||$4==s{print $1"/"$2}')
pvs_=$(pvs --noheadings -o pv_name 2>/dev/null | awk '{print $1}')
echo V:pv_names=$(echo $pvs_ | tr ' ' ,)
echo V:pv_types=$(for p in $pvs_; do lsblk -rno TYPE "$p" | head -n 1; done | tr '\n' ,)
backing=$(for p in $pvs_; do cryptsetup status "$p" 2>/dev/null | awk '$1=="device:"{print $2}'; done)
echo V:pv_backing=$(echo $backing | tr ' ' ,)
echo V:pv_backing_luks=$(for b in $backing; do cryptsetup luksDump "$b" | awk '/^Version:/{print $2}'; done | tr '\n' ,)
echo V:crypttab=$(awk '$1 !~ /^#/ && NF>=2 {print $1}' /etc/crypttab | tr '\n' ,)
echo V:chain=$(lsblk -rno NAME,TYPE,MOUNTPOINT | awk '$2=="part"||$2=="crypt"||$2=="lvm"{print $2":"$3}' | tr '\n' ' ')
"""


def _pattern_disk(workdir: Path, size_gib: int = 6) -> Path:
    """A qcow2 of ``size_gib`` GiB holding a GPT, one partition and an ext4 with a random file."""
    raw = workdir / "disk0.raw"
    with raw.open("wb") as f:
        f.truncate(size_gib * 2**30)
    subprocess.run(
        ["sgdisk", "-o", "-n", "1:2048:0", "-t", "1:8300", "-c", "1:keep-me", str(raw)], check=True, capture_output=True
    )
    content = workdir / "keep-me"
    content.mkdir()
    (content / "random.bin").write_bytes(os.urandom(4 * 2**20))
    (content / "README").write_text("scenario (c): this disk must not be touched\n")
    fs_bytes = size_gib * 2**30 - 2**20 - 2**20  # after the 1 MiB start, before the backup GPT
    subprocess.run(
        ["mkfs.ext4", "-q", "-F", "-L", "keep-me", "-E", f"offset={2**20},nodiscard", "-d", str(content), str(raw),
         f"{fs_bytes // 1024}k"],
        check=True, capture_output=True,
    )  # fmt: skip
    shutil.rmtree(content)
    disk = workdir / "disk0.qcow2"
    qemu_img("convert", "-q", "-f", "raw", "-O", "qcow2", str(raw), str(disk))
    raw.unlink()
    return disk


def _identical(a: Path, b: Path) -> tuple[bool, str]:
    """``qemu-img compare -s`` (strict: content and allocation), its verdict and message."""
    r = subprocess.run(
        ["qemu-img", "compare", "-s", "-f", "qcow2", "-F", "qcow2", str(a), str(b)],
        capture_output=True, text=True,
    )  # fmt: skip
    return r.returncode == 0, (r.stdout + r.stderr).strip()


def test_lvm_luks_on_largest_of_two_disks(medium: Medium, vmdir: Path) -> None:
    other = _pattern_disk(vmdir)
    pristine = vmdir / "disk0.pristine.qcow2"
    shutil.copyfile(other, pristine)
    ok, msg = _identical(pristine, other)
    assert ok, msg  # the check itself works before anything ran
    target = blank_disk(vmdir / "disk1.qcow2", "10G")

    result = scenarios.install(
        medium, vmdir, ANSWERS, firmware="uefi", disks=[other, target], memory=2048,
    )  # fmt: skip
    assert result.ok, f"{result.marker} {result.detail}\n{result.guest.tail()}"

    ok, msg = _identical(pristine, other)
    print(f"disk0 (6 GiB, not chosen) vs its pristine copy: {msg}")
    assert ok, f"the disk that the match rule did not pick was changed: {msg}"
    assert not disk_is_blank(target), "nothing was written to the largest disk"

    facts = scenarios.verify_installed(
        vmdir, [target], firmware="uefi", user="azlvm", password="azlvm-pw",
        passphrase="azl-vm-lvm-passphrase", packages=["lvm2", "cryptsetup", "sudo"], extra=LVM_FACTS,
    )  # fmt: skip
    print("verification summary (from inside the installed system):")
    for key, value in sorted(facts.values.items()):
        print(f"  {key:18} {value}")
    print(f"  {'boot_seconds':18} {facts.boot_seconds:.0f}")
    assert facts["hostname"] == "azl-vm-lvm"
    assert "wheel" in facts["groups"].split()  # and the password worked: we logged in and sudo ran
    assert facts["root_type"] == "lvm"
    assert facts["root_lv"] == "azl/root"
    assert facts["pv_types"] == "crypt,", facts["pv_names"]
    assert facts["pv_backing_luks"] == "2,", facts["pv_backing"]
    assert facts["crypttab"] != ""
    assert facts["rpm_has"].split(",") == ["lvm2", "cryptsetup", "sudo"]
    assert "/" in facts["fstab_entries"].split(",") and "/boot/efi" in facts["fstab_entries"].split(",")
    assert facts["fstab_unmounted"] == ""
    assert facts["failed_units"] == ""
