"""Install-and-verify building blocks shared by the VM tests, ``make vm-install`` and the bench.

1. :func:`install` boots the ISO with blank qcow2 disks and an answer file, either named on the
   kernel command line (``inst.ks=hd:LABEL=AZLKS:/<name>``, direct kernel boot of the ISO's own
   kernel and initrd) or on a drive labelled OEMDRV (firmware -> GRUB -> the ISO's default entry,
   or its unattended entry chosen over the serial console), and waits for the result marker.
2. :func:`verify_installed` boots the first disk alone through the firmware, types the LUKS
   passphrase at the boot prompt on the serial console (the test-only way in: the installed
   system is not changed for the test), logs in as the answer file's user and collects facts
   from inside the installed system.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.vm.qemu import Guest, GuestSpec, Medium, answer_drive, blank_disk, live_append

KS_LABEL = "AZLKS"
INSTALL_TIMEOUT = 1800.0
BOOT_TIMEOUT = 600.0
SUDO_PROMPT = "AZL-SUDO-PASSWORD:"


@dataclass
class InstallResult:
    marker: str
    """``DONE`` or ``ERROR``."""
    detail: str
    """The rest of the marker line: ``rc=0``, ``ks-invalid ...``."""
    disks: list[Path]
    guest: Guest
    seconds: float
    ready_seconds: float

    @property
    def ok(self) -> bool:
        return self.marker == "DONE" and self.detail.strip() == "rc=0"


def make_disks(workdir: Path, count: int, size: str) -> list[Path]:
    return [blank_disk(workdir / f"disk{i}.qcow2", size) for i in range(count)]


def install(
    medium: Medium,
    workdir: Path,
    answers: Path,
    *,
    firmware: str = "uefi",
    disks: list[Path] | None = None,
    disk_count: int = 1,
    disk_size: str = "10G",
    memory: int = 2048,
    via: str = "inst.ks",
    extra_args: str = "",
    timeout: float = INSTALL_TIMEOUT,
    name: str = "install",
) -> InstallResult:
    """Boot the medium and run the unattended install of ``answers``; wait for DONE or ERROR."""
    disks = disks if disks is not None else make_disks(workdir, disk_count, disk_size)
    data = answers.read_bytes()
    if via == "inst.ks":
        drive = answer_drive(workdir / "ksdrive.img", KS_LABEL, {f"/{answers.name}": data})
        spec = GuestSpec(
            firmware=firmware,
            memory=memory,
            cdrom=medium.iso,
            disks=disks,
            extra_drives=[drive],
            kernel=medium.kernel,
            initrd=medium.initrd,
            append=live_append(
                medium,
                f"inst.ks=hd:LABEL={KS_LABEL}:/{answers.name}",
                "inst.cmdline inst.finish=poweroff",
                extra_args,
            ),
        )
    elif via in ("oemdrv", "oemdrv-menu"):
        drive = answer_drive(workdir / "oemdrv.img", "OEMDRV", {"/ks.cfg": data})
        spec = GuestSpec(firmware=firmware, memory=memory, cdrom=medium.iso, disks=disks, extra_drives=[drive])
    else:
        raise ValueError(f"via must be inst.ks, oemdrv or oemdrv-menu, not {via!r}")
    guest = Guest(spec, workdir, name)
    guest.start()
    try:
        if via == "oemdrv-menu":
            # GRUB's menu on the serial line: second entry = unattended (inst.cmdline)
            guest.wait_for(r"Install Azure Linux \(unattended", 300)
            guest.send("\x1b[B")
            time.sleep(0.5)
            guest.send("\r")
        m = guest.wait_marker(("READY",), BOOT_TIMEOUT)
        ready = guest.elapsed()
        m = guest.wait_marker(("DONE", "ERROR"), timeout, start=m.end())
        result = InstallResult(
            marker=m.group(1),
            detail=m.group(2).strip(),
            disks=disks,
            guest=guest,
            seconds=guest.elapsed(),
            ready_seconds=ready,
        )
        if result.ok:
            # inst.finish=poweroff (or the answer file's finish): let the guest shut down cleanly
            with contextlib.suppress(AssertionError):
                guest.wait_exit(180)
        return result
    finally:
        guest.stop()


@dataclass
class Facts:
    """What :func:`verify_installed` found inside the installed system."""

    values: dict[str, str] = field(default_factory=dict)
    boot_seconds: float = 0.0

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


VERIFY_SCRIPT = r"""
echo V:hostname=$(hostname)
echo V:groups=$(id -nG {user})
echo V:crypt_devices=$(lsblk -rno TYPE | grep -c '^crypt$')
echo V:root_source=$(findmnt -no SOURCE /)
echo V:root_on_crypt=$(lsblk -rno TYPE,MOUNTPOINT | grep -c '^crypt /$')
luks=$(lsblk -rpno NAME,FSTYPE | awk '$2=="crypto_LUKS"{{print $1}}')
echo V:luks2=$(for d in $luks; do cryptsetup luksDump $d | awk '/^Version:/{{print $2}}'; done)
echo V:rpm_count=$(rpm -qa | wc -l)
echo V:rpm_has={packages}
echo V:sshd=$(systemctl is-active sshd.service ssh.service 2>/dev/null | grep -c '^active$')
echo V:sshd_enabled=$(systemctl is-enabled sshd.service ssh.service 2>/dev/null | grep -c '^enabled$')
echo V:fstab_entries=$(awk '$1 !~ /^#/ && NF>=2 && $3 != "swap" {{print $2}}' /etc/fstab | tr '\n' ,)
mnts=$(awk '$1 !~ /^#/ && NF>=2 && $3 != "swap" && $2 ~ /^\// {{print $2}}' /etc/fstab)
echo V:fstab_unmounted=$(for m in $mnts; do mountpoint -q $m || echo $m; done | tr '\n' ,)
echo V:install_log=$(ls /var/log/installer/ 2>/dev/null | tr '\n' ,)
echo V:failed_units=$(systemctl --failed --no-legend --plain | awk '{{print $1}}' | tr '\n' ,)
echo V:login_user=$SUDO_USER
echo V:kernel_rpm=$(rpm -q --quiet --whatprovides kernel && rpm -q --whatprovides kernel --qf '%{{NAME}}\n' | head -n 1)
echo V:root_fstype=$(findmnt -no FSTYPE /)
echo V:cmdline_selinux=$(tr ' ' '\n' < /proc/cmdline | grep -E '^(security|selinux|enforcing)=' | tr '\n' ,)
echo V:selinux_policies=$(ls -d /etc/selinux/*/policy 2>/dev/null | tr '\n' ,)
echo V:home_mount=$(mountpoint -q /home && findmnt -no SOURCE /home)
echo V:home_fstype=$(mountpoint -q /home && findmnt -no FSTYPE /home)
echo V:swap_fstab=$(awk '$1 !~ /^#/ && $3 == "swap"' /etc/fstab | wc -l)
echo V:swap_active=$(swapon --show=NAME --noheadings | wc -l)
disks=$(lsblk -dpno NAME,TYPE | awk '$2=="disk"{{print $1}}')
echo V:pttypes=$(for d in $disks; do echo "${{d##*/}}:$(blkid -p -o value -s PTTYPE $d)"; done | tr '\n' ,)
bios_grub=21686148-6449-6E6F-744E-656564454649
echo V:bios_grub_parts=$(for d in $disks; do sfdisk -d $d 2>/dev/null; done | grep -ci "type=$bios_grub")
home=$(getent passwd {user} | cut -d: -f6)
ak=$home/.ssh/authorized_keys
echo V:ssh_dir=$(stat -c '%a:%U:%G' $home/.ssh 2>/dev/null)
echo V:authorized_keys=$(stat -c '%a:%U:%G' $ak 2>/dev/null)
echo V:authorized_key_blobs=$(awk '$1 !~ /^#/ && NF>=2 {{print $2}}' $ak 2>/dev/null | tr '\n' ,)
"""


def verify_installed(
    workdir: Path,
    disks: list[Path],
    *,
    firmware: str,
    user: str,
    password: str,
    passphrase: str | None,
    packages: list[str],
    memory: int = 1024,
    timeout: float = BOOT_TIMEOUT,
    extra: str = "",
) -> Facts:
    """Boot the installed disk(s) alone and collect facts as ``user`` (via sudo)."""
    spec = GuestSpec(firmware=firmware, memory=memory, disks=disks, boot_from="disk")
    guest = Guest(spec, workdir, "installed")
    guest.start()
    try:
        pos = 0
        if passphrase is not None:
            m = guest.wait_for(r"(?i)(enter passphrase|passphrase for)[^\n]*", timeout)
            time.sleep(1.0)
            guest.send(passphrase + "\r")
            pos = m.end()
        m = guest.wait_for(r"login: ?$|login: ", timeout, start=pos)
        boot_seconds = guest.elapsed()
        time.sleep(1.0)
        guest.send(user + "\r")
        m = guest.wait_for(r"Password: ?", 120, start=m.end())
        time.sleep(0.5)
        guest.send(password + "\r")
        m = guest.wait_for(r"[$#] ?$|[$#] ", 120, start=m.end())
        # No history file, no echo: the password is typed only at sudo's prompt, never on a command
        # line, so it reaches neither the installed disk's ~/.bash_history nor the serial log.
        guest.send("unset HISTFILE; stty -echo; echo V:QUIET\r")
        m = guest.wait_for(r"[\r\n]V:QUIET", 120, start=m.end())
        pkgs = ",".join(f"$(rpm -q --quiet {shlex.quote(p)} && echo {p})" for p in packages)
        script = VERIFY_SCRIPT.format(user=user, packages=pkgs) + extra + "\necho V:END\nsystemctl poweroff\n"
        guest.send(f"sudo -S -p '{SUDO_PROMPT}' sh -c {shlex.quote(script)} || echo V:END\r")
        prompt = guest.wait_for(re.escape(SUDO_PROMPT) + r"|[\r\n]V:END", 120, start=m.end())
        if prompt.group(0) == SUDO_PROMPT:
            time.sleep(0.5)
            guest.send(password + "\r")
        guest.wait_for(r"[\r\n]V:END", 300, start=m.end())
        values: dict[str, str] = {}
        out = guest.text[m.end() :].replace("\r", "\n")
        for k, v in re.findall(r"^V:([a-z0-9_]+)=(.*)$", out, re.M):
            values[k] = v.strip()
        with contextlib.suppress(AssertionError):
            guest.wait_exit(120)
        return Facts(values=values, boot_seconds=boot_seconds)
    finally:
        guest.stop()


def print_summary(facts: Facts, title: str = "verification summary (from inside the installed system):") -> None:
    """Print every fact (pytest -rP shows it with the test's result)."""
    print(title)
    for key, value in sorted(facts.values.items()):
        print(f"  {key:22} {value}")
    print(f"  {'boot_seconds':22} {facts.boot_seconds:.0f}")
