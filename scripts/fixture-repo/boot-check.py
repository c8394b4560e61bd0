#!/usr/bin/env python3
"""Prove the fixture distribution's core set boots with an encrypted root (QEMU, TCG).

    python3 scripts/fixture-repo/boot-check.py [--repo build/fixture-repo] [--keep DIR]

What it does, without the installer (so the fixture is checked on its own):
  1. dnf --installroot: core (+ kernel) from the repository, gpgcheck=1;
  2. what the installer does after the transaction: machine-id, fstab, a dracut initramfs made
     in a chroot with the target's own dracut (--no-hostonly, crypt), a LUKS key file in it;
  3. mkfs.ext4 -d the tree into an image, encrypt it offline (cryptsetup reencrypt --encrypt:
     no device-mapper needed on the host), boot it with -kernel/-initrd;
  4. pass when the guest reaches multi-user.target and `systemctl is-system-running` says
     "running" (a unit in the image prints it on the console and powers off).
Prints one JSON line with the timings. Needs root, dnf, cryptsetup, qemu-system-x86_64.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
KEY = "RPM-GPG-KEY-azl-fixture"
CHECK_UNIT = """[Unit]
Description=fixture boot check: report the system state on the console, then power off
After=multi-user.target

[Service]
Type=simple
ExecStart=/bin/sh -c 'sleep 8; systemctl list-units --failed --no-legend --plain > /dev/console; \
echo "FIXTURE-BOOT-STATE $(systemctl is-system-running)" > /dev/console; systemctl poweroff --no-block'

[Install]
WantedBy=multi-user.target
"""


BOOT_UUID = "0b007e11-5b7d-4e21-9f0a-0123456789ab"
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
GRUB_MODULES = ["part_gpt", "part_msdos", "fat", "ext2", "normal", "linux", "search", "search_fs_uuid",
                "configfile", "echo", "gzio", "all_video", "serial", "terminal", "test", "boot"]


def make_uefi_disk(root: Path, bootdir: Path, rootimg: Path, disk: Path, work: Path, kver: str,
                   cmdline: str) -> None:
    """GPT: ESP (FAT, EFI/BOOT/BOOTX64.EFI), /boot (ext4, grub2/grub.cfg), the LUKS2 root image."""
    (bootdir / "grub2" / "grub.cfg").write_text(
        "serial --unit=0 --speed=115200\nterminal_output serial console\nset timeout=0\n"
        f"menuentry 'Azure Linux 3.0 fixture' {{\n  linux /vmlinuz-{kver} {cmdline}\n"
        f"  initrd /initramfs-{kver}.img\n}}\n")
    esp, boot = work / "esp.img", work / "boot.img"
    run(["mkfs.vfat", "-C", str(esp), str(64 * 1024)], stdout=subprocess.DEVNULL)
    run(["mmd", "-i", str(esp), "::/EFI", "::/EFI/BOOT"])
    run(["mcopy", "-i", str(esp), str(root / "tmp/BOOTX64.EFI"), "::/EFI/BOOT/BOOTX64.EFI"])
    run(["truncate", "-s", str(256 * 2**20), str(boot)])
    run(["mkfs.ext4", "-q", "-F", "-U", BOOT_UUID, "-d", str(bootdir), str(boot)])
    mib = 2**20
    root_mib = -(-rootimg.stat().st_size // mib)
    run(["truncate", "-s", str((1 + 64 + 256 + root_mib + 1) * mib), str(disk)])
    table = (f"label: gpt\nstart=2048, size={64 * 2048}, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n"
             f"size={256 * 2048}, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n"
             f"size={root_mib * 2048}, type=CA7D7CCB-63ED-4C53-861C-1742536059CC\n")
    run(["sfdisk", "-q", str(disk)], input=table.encode())
    for img, start in ((esp, 1), (boot, 65), (rootimg, 321)):
        run(["dd", f"if={img}", f"of={disk}", "bs=1M", f"seek={start}", "conv=notrunc,sparse", "status=none"])


def run(argv: list[str], **kw) -> subprocess.CompletedProcess:
    kw.setdefault("check", True)
    return subprocess.run(argv, **kw)


def names(set_name: str) -> list[str]:
    data = REPO_ROOT / "installer" / "backend" / "payload" / "data"
    sets = json.loads((data / "sets.json").read_text())
    out = {sets[set_name].get("kernel", "kernel")}
    for lst in sets[set_name]["lists"]:
        out |= set(json.loads((data / f"{lst}.json").read_text())["packages"])
    return sorted(out)


def install(repo: Path, root: Path, work: Path) -> None:
    (work / "home").mkdir()
    (work / "home" / ".rpmmacros").write_text("%_dbpath /var/lib/rpm\n")
    (work / "repos.d").mkdir()
    argv = ["dnf", "-q", "-y", f"--installroot={root}", "--releasever=3.0", f"--setopt=reposdir={work / 'repos.d'}",
            "--setopt=install_weak_deps=0", f"--setopt=cachedir={work / 'cache'}", "--noplugins",
            f"--repofrompath=fixture,file://{repo}", "--setopt=fixture.gpgcheck=1",
            f"--setopt=fixture.gpgkey=file://{repo / KEY}", "install", *names("core")]
    run(argv, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(work / "home"), "LC_ALL": "C.UTF-8"},
        stdout=subprocess.DEVNULL)


def chroot_run(root: Path, argv: list[str]) -> None:
    mounts = [(["mount", "-t", "proc", "proc"], "proc"), (["mount", "--bind", "/sys"], "sys"),
              (["mount", "--bind", "/dev"], "dev"), (["mount", "-t", "tmpfs", "tmpfs"], "run")]
    done = []
    try:
        for m, d in mounts:
            (root / d).mkdir(exist_ok=True)
            run([*m, str(root / d)])
            done.append(root / d)
        run(["chroot", str(root), *argv], env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C.UTF-8"},
            stdout=subprocess.DEVNULL)
    finally:
        for d in reversed(done):
            subprocess.run(["umount", "-l", str(d)], check=False)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", default=str(REPO_ROOT / "build" / "fixture-repo"))
    ap.add_argument("--keep", help="keep the work directory here (image, serial log)")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--firmware", choices=["direct", "uefi"], default="direct",
                    help="direct: QEMU -kernel/-initrd; uefi: OVMF, GPT disk with ESP (GRUB EFI binary "
                         "from the target's grub2-mkimage), /boot ext4, LUKS2 root")
    args = ap.parse_args()
    repo = Path(args.repo).resolve()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="fixture-boot-", dir="/var/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    root = work / "root"
    t: dict[str, float] = {}
    try:
        t0 = time.monotonic()
        install(repo, root, work)
        t["install"] = time.monotonic() - t0

        t0 = time.monotonic()
        kver = next((root / "usr/lib/modules").iterdir()).name
        run(["systemd-machine-id-setup", f"--root={root}"], stdout=subprocess.DEVNULL)
        keyfile = root / "etc/fixture-luks.key"
        keyfile.write_text("fixture-passphrase")
        keyfile.chmod(0o400)
        (root / "etc/systemd/system/fixture-check.service").write_text(CHECK_UNIT)
        (root / "etc/systemd/system/multi-user.target.wants").mkdir(parents=True, exist_ok=True)
        os.symlink("/etc/systemd/system/fixture-check.service",
                   root / "etc/systemd/system/multi-user.target.wants/fixture-check.service")
        chroot_run(root, ["dracut", "--force", "--no-hostonly", "--add", "crypt", "--omit", "plymouth",
                          "--install", "/etc/fixture-luks.key", "--kver", kver, f"/boot/initramfs-{kver}.img"])
        t["dracut"] = time.monotonic() - t0

        t0 = time.monotonic()
        uefi = args.firmware == "uefi"
        if uefi:  # the EFI binary from the target's own grub2-mkimage (what grub2-install runs)
            early = root / "tmp/early.cfg"
            early.write_text(f"search --no-floppy --fs-uuid --set=root {BOOT_UUID}\nset prefix=($root)/grub2\n")
            chroot_run(root, ["grub2-mkimage", "-O", "x86_64-efi", "-p", "/grub2", "-c", "/tmp/early.cfg",
                              "-o", "/tmp/BOOTX64.EFI", *GRUB_MODULES])
            shutil.copytree(root / "usr/lib/grub/x86_64-efi", root / "boot/grub2/x86_64-efi")
        t["grub"] = time.monotonic() - t0

        t0 = time.monotonic()
        img = work / "root.img"
        fs_uuid = "6a1f9c3e-5b7d-4e21-9f0a-0123456789ab"
        fstab = f"UUID={fs_uuid} / ext4 defaults 0 1\n"
        bootdir = work / "bootfs"
        if uefi:  # /boot on its own ext4 partition, the root on LUKS
            shutil.move(root / "boot", bootdir)
            (root / "boot").mkdir()
            fstab += f"UUID={BOOT_UUID} /boot ext4 defaults 0 2\n"
        (root / "etc/fstab").write_text(fstab)
        size = int(run(["du", "-sb", str(root)], capture_output=True, text=True).stdout.split()[0])
        size = (int(size * 1.4) // 2**20 + 256) * 2**20
        run(["truncate", "-s", str(size), str(img)])
        run(["mkfs.ext4", "-q", "-F", "-U", fs_uuid, "-d", str(root), str(img)])
        with open(img, "r+b") as f:
            f.truncate(size + 32 * 2**20)  # room for the LUKS2 header
        run(["cryptsetup", "reencrypt", "--encrypt", "--type", "luks2", "--reduce-device-size", "32M",
             "--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000", "-q",
             "--key-file", str(keyfile), str(img)])
        luks_uuid = run(["cryptsetup", "luksUUID", str(img)], capture_output=True, text=True).stdout.strip()

        cmdline = (f"root=UUID={fs_uuid} rw rd.luks.uuid={luks_uuid} "
                   f"rd.luks.key={luks_uuid}=/etc/fixture-luks.key console=ttyS0 panic=-1")
        if uefi:
            disk = work / "disk.img"
            make_uefi_disk(root, bootdir, img, disk, work, kver, cmdline)
            img = disk
        t["image"] = time.monotonic() - t0

        t0 = time.monotonic()
        log = work / "serial.log"
        qemu = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "1024", "-smp", "1",
                "-machine", "q35", "-display", "none", "-no-reboot", "-serial", f"file:{log}",
                "-drive", f"file={img},format=raw,if=virtio", "-nic", "user,model=virtio-net-pci"]
        if uefi:
            shutil.copy(OVMF_VARS, work / "vars.fd")
            qemu += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                     "-drive", f"if=pflash,format=raw,file={work / 'vars.fd'}"]
        else:
            qemu += ["-kernel", str(root / f"boot/vmlinuz-{kver}"),
                     "-initrd", str(root / f"boot/initramfs-{kver}.img"), "-append", cmdline]
        with contextlib.suppress(subprocess.TimeoutExpired):
            run(qemu, timeout=args.timeout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t["boot"] = time.monotonic() - t0
        text = log.read_text(errors="replace") if log.exists() else ""
        m = re.search(r"FIXTURE-BOOT-STATE (\w+)", text)
        reached = "Multi-User System" in text
        state = m.group(1) if m else "no report"
        failed = re.findall(r"^(\S+)\s+loaded\s+failed", text, re.M)
        report = {"ok": reached and state == "running", "state": state, "multi_user": reached,
                  "failed_units": failed, "luks_uuid": luks_uuid, "kernel": kver,
                  "timings": {k: round(v, 1) for k, v in t.items()}, "work": str(work)}
        print(json.dumps(report))
        if not report["ok"]:
            print(text[-3000:], file=sys.stderr)
        return 0 if report["ok"] else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
