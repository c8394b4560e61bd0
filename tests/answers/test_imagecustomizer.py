"""The Image Customizer YAML as an answer file: every key it reads (tests/fixtures/imagecustomizer),
samples shaped like the toolkit's own Image Customizer configs that plan and dry-run to a kernel
and a bootloader, errors with FILE:LINE:COL and the key path, files confined to the config's
folder, secrets kept out of every output, and the writer for `convert --to imagecustomizer`."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

from installer.backend.answers.imagecustomizer.load import load_imagecustomizer
from installer.backend.answers.imagecustomizer.writer import to_imagecustomizer
from installer.backend.answers.load import detect_format, load_file
from installer.backend.answers.native import dump_yaml, load_native
from installer.backend.engine import apply
from installer.backend.errors import InvalidInput
from installer.backend.machine import load_machine
from installer.backend.passwords import verify_password
from installer.backend.plan import make_plan
from installer.backend.system import RecordingSystem, default_responder

ROOT = Path(__file__).resolve().parents[2]
IC = ROOT / "tests/fixtures/imagecustomizer"
MACHINE = ROOT / "tests/fixtures/machines/two-disks.json"
SAMPLES = sorted(p for p in IC.glob("*.yaml") if p.name != "verity.yaml")
HASH = "$6$UMv7iitZq9GPIxaO$QuEnyVHZchm9vw7Q403ZS5AOT42T0K1l71xJXwisKpWeGVvh7P/aErf1KfsjDBFCmOqIfUYPLRnKU/VeBdVpf."


def responder(argv: list[str]) -> str | None:
    if argv[:2] == ["ls", "-1"] and argv[2].endswith("/modules"):
        return "6.6.57.1-1.azl3\n"
    return default_responder(argv)


def ic(text: str, base: Path = IC) -> Any:
    return load_imagecustomizer(text, "c.yaml", base_dir=base)


def errors(text: str, base: Path = IC) -> list[str]:
    with pytest.raises(InvalidInput) as ei:
        ic(text, base)
    return [i.format() for i in ei.value.issues]


# ----------------------------------------------------------------------------- every key
def test_every_key_maps() -> None:
    loaded = load_file(IC / "every-key.yaml")
    assert loaded.format == "imagecustomizer"
    c = loaded.config
    st = c.storage
    assert (st.firmware, st.table) == ("uefi", "gpt")
    assert [(p.mount, p.fs, p.size, p.label, p.mount_options) for p in st.partitions or []] == [
        ("/boot/efi", "vfat", "512MiB", "esp", "umask=0077"), ("/boot", "ext4", "1024MiB", None, None),
        ("/srv/data", "btrfs", "1024MiB", None, None), (None, "none", "64MiB", None, None),
        ("/", "xfs", "rest", "rootfs", None)]
    assert c.system.hostname == "every-key" and c.system.fips and c.system.selinux == "enforcing"
    assert c.bootloader.append == "console=ttyS0 enforcing=1"
    pk = c.packages
    assert (pk.set, pk.kernel) == ("core", "kernel-hwe")
    assert pk.extra == ["vim", "tmux", "jq"] and pk.exclude == ["dracut-hostonly"]
    assert [(g.name, g.gid) for g in c.groups] == [("devs", 2100), ("ops", None)]
    assert c.root.locked
    ann, bob, cat, dan = c.users
    assert (ann.uid, ann.password_hash, ann.password_max_days, ann.primary_group, ann.admin, ann.groups,
            ann.shell, ann.home) == (1500, HASH, 90, "devs", True, ["ops"], "/bin/bash", "/srv/home/ann")
    assert ann.ssh_keys == ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEveryKeyAnn ann@every-key",
                            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEveryKeyFile ann@file"]
    assert bob.password_hash and verify_password("Bob-Every-Key-7", bob.password_hash)
    assert cat.password_hash == HASH
    assert dan.password_hash and verify_password("Dan-Every-Key-8", dan.password_hash)
    assert (c.system.services.enable, c.system.services.disable) == (["sshd"], ["irqbalance"])
    files, post, py, fin = c.scripts.post
    body = files.body
    assert "echo vfio >> /etc/modules-load.d/modules-load.conf" in body
    assert "blacklist br_netfilter" in body and "sed -i '/^blacklist dummy$/d'" in body
    assert "options vfio enable_unsafe_noiommu_mode=Y" in body and "options loop max_loop=16" in body
    assert "cat > /etc/motd <<'AZL_FILE_EOF'\nWelcome to every-key\nAZL_FILE_EOF\nchmod 0644 /etc/motd" in body
    assert "chmod 0755 /usr/local/bin/tool.sh" in body  # permissions given over the source's 0700
    assert "chmod 0600 /etc/every-key.conf" in body and "inline content" in body
    assert "mkdir -p /etc/extra && chmod 0750 /etc/extra" in body and "chmod 0755 /etc/extra;" in body
    assert "base64 -d > /etc/extra/sub/b.bin" in body and "chmod 0640 /etc/extra/a.conf" in body
    assert post.body.startswith("#!/bin/bash\nexport GREETING='hello world'\nset -- --mode 'every key'\n")
    assert post.interpreter == "/bin/sh" and post.chroot and post.error_on_fail
    assert py.interpreter == "/bin/sh" and "export PYVAR=1" in py.body and "/usr/bin/python3 \"$f\" one" in py.body
    assert fin.interpreter == "/bin/bash" and fin.body == "echo finalize\n"
    w = "\n".join(loaded.warnings)
    for needle in ("input: the base image", "iso: a live ISO", "pxe: PXE", "output: the image file",
                   "maxSize", "part-uuid", "scratch has no filesystem", "plaintext password of bob"):
        assert needle in w, needle


def test_every_key_secrets_never_leak() -> None:
    loaded = load_file(IC / "every-key.yaml")
    blob = dump_yaml(loaded.config) + "\n".join(loaded.warnings) + repr(loaded) + to_imagecustomizer(loaded.config)
    for secret in ("Bob-Every-Key-7", "Dan-Every-Key-8"):
        assert secret not in blob


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_plans_and_dry_runs_to_kernel_and_bootloader(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZL_MEDIUM_REPO", "/run/install/repo")
    assert detect_format(path.read_text()) == "imagecustomizer"
    loaded = load_file(path)
    machine = load_machine(MACHINE)
    plan = make_plan(loaded.config, machine)
    sys_ = RecordingSystem(responder=responder)
    res = apply(plan, loaded.config, machine, sys_, lambda e: None, threading.Event())
    assert res.ok, res.error
    t = sys_.transcript()
    names = next(x for x in t.splitlines() if " -y install " in x).split(" -y install ", 1)[1].split()
    assert loaded.config.packages.kernel in names
    bios = loaded.config.storage.firmware == "bios"
    assert ("grub2-pc" if bios else "grub2-efi-binary") in names
    assert any("grub2-install" in x and ("i386-pc" if bios else "x86_64-efi") in x for x in t.splitlines())
    again = load_native(dump_yaml(loaded.config), "back.yaml")  # converts to a native file that reloads
    assert again.packages == loaded.config.packages


def test_fips_sample() -> None:
    c = load_file(IC / "fips.yaml").config
    assert c.system.fips and "fips=1" not in c.bootloader.append and c.bootloader.append == "console=ttyS0"
    assert c.users[0].primary_group == "auditors" and c.groups[0].gid == 2200


def test_hwe_kernel_replaces_the_base_kernel() -> None:
    c = load_file(IC / "hwe-kernel.yaml").config
    assert c.packages.kernel == "kernel-hwe" and "kernel" not in c.packages.exclude + c.packages.extra


def test_no_storage_is_guided_with_a_warning() -> None:
    loaded = load_file(IC / "no-storage.yaml")
    assert loaded.config.storage.layout == "guided"
    assert any("guided" in w for w in loaded.warnings)


def test_detect_format_native_vs_image_customizer() -> None:
    assert detect_format("os:\n  hostname: h\n") == "imagecustomizer"
    assert detect_format("storage:\n  bootType: efi\n") == "imagecustomizer"
    assert detect_format("version: 1\nstorage: {}\n") == "native"
    assert detect_format("storage: {}\npackages: {}\n") == "native"  # a native file missing its version


# ----------------------------------------------------------------------------- bad input
BASE = """\
storage:
  bootType: efi
  disks:
  - partitionTableType: gpt
    partitions:
    - id: esp
      type: esp
      size: 512M
    - id: root
      size: grow
  filesystems:
  - deviceId: esp
    type: fat32
    mountPoint: /boot/efi
  - deviceId: root
    type: ext4
    mountPoint: /
os:
  bootloader:
    resetType: hard-reset
"""


@pytest.mark.parametrize(("extra", "key", "needle"), [
    ("  hostnme: x\n", "os.hostnme", "did you mean 'hostname'"),
    ("  selinux:\n    mode: strict\n", "os.selinux.mode", "force-enforcing"),
    ("  users:\n  - name: a\n    password:\n      type: secret\n      value: x\n", "os.users[0].password.type",
     "hashed-file"),
    ("  users:\n  - name: a\n    password:\n      type: hashed\n", "os.users[0].password.value", "needs a value"),
    ("  users:\n  - name: a\n    uid: many\n", "os.users[0].uid", "whole number"),
    ("  packages:\n    install:\n    - 'bad name'\n", "os.packages.install[0]", "not a package name"),
    ("  packages:\n    installLists:\n    - lists/none.yaml\n", "os.packages.installLists[0]", "lists/none.yaml"),
    ("  packages:\n    remove:\n    - kernel\n", "os.packages.remove", "another kernel"),
    ("  packages:\n    snapshotTime: 2024-01-01\n", "os.packages.snapshotTime", "not supported"),
    ("  kernelCommandLine:\n    extraCommandLine:\n    - 'a b'\n", "os.kernelCommandLine.extraCommandLine[0]",
     "plain kernel argument"),
    ("  modules:\n  - name: x\n    loadMode: sometimes\n", "os.modules[0].loadMode", "inherit"),
    ("  modules:\n  - name: x\n    loadMode: disable\n    options:\n      a: b\n", "os.modules[0].options",
     "disabled"),
    ("  additionalFiles:\n  - source: files/none\n    destination: /etc/x\n", "os.additionalFiles[0].source",
     "files/none"),
    ("  additionalFiles:\n  - content: x\n    destination: etc/x\n", "os.additionalFiles[0].destination",
     "absolute"),
    ("  additionalFiles:\n  - content: x\n    destination: /etc/x\n    permissions: '999'\n",
     "os.additionalFiles[0].permissions", "octal"),
    ("  additionalDirs:\n  - source: files/none\n    destination: /etc/x\n", "os.additionalDirs[0].source",
     "files/none"),
    ("  overlays:\n  - lowerDirs: [/etc]\n", "os.overlays", "overlay"),
    ("  uki:\n    kernels: auto\n", "os.uki", "unified kernel images"),
    ("  imageHistory: all\n", "os.imageHistory", "none"),
])
def test_bad_os_key_names_file_line_col_and_path(extra: str, key: str, needle: str) -> None:
    out = errors(BASE + extra)
    hit = [o for o in out if f": {key}: " in o and needle in o]
    assert hit, out
    file_, line, col = hit[0].split(":")[:3]
    assert file_ == "c.yaml" and line.isdigit() and col.isdigit()


@pytest.mark.parametrize(("old", "new", "key", "needle"), [
    ("  bootType: efi\n", "  bootType: uefi\n", "storage.bootType", "efi or legacy"),
    ("partitionTableType: gpt", "partitionTableType: mbr", "storage.disks[0].partitionTableType", "gpt only"),
    ("      size: 512M\n", "      size: 512\n", "storage.disks[0].partitions[0].size", "512M or 8G"),
    ("      size: 512M\n", "      size: 512M\n      end: 600M\n", "storage.disks[0].partitions[0].end",
     "not both"),
    ("    - id: root\n", "    - id: root\n      start: 900M\n", "storage.disks[0].partitions[1].start",
     "one after another"),
    ("      size: grow\n", "      size: grow\n    - id: extra\n      size: 1G\n",
     "storage.disks[0].partitions[1].size", "last"),
    ("    type: ext4\n", "    type: ntfs\n", "storage.filesystems[1].type", "ext4, xfs"),
    ("    mountPoint: /boot/efi\n", "    mountPoint: /efi\n", "storage.filesystems[0]", "/boot/efi"),
    ("  - deviceId: root\n", "  - deviceId: nope\n", "storage.filesystems[1].deviceId", "no partition"),
    ("    resetType: hard-reset\n", "    resetType: soft\n", "os.bootloader.resetType", "hard-reset"),
    ("os:\n  bootloader:\n    resetType: hard-reset\n", "os: {}\n", "storage.disks", "resetType"),
])
def test_bad_storage_names_file_line_col_and_path(old: str, new: str, key: str, needle: str) -> None:
    assert old in BASE
    out = errors(BASE.replace(old, new, 1))
    assert any(f": {key}: " in o and needle in o for o in out), out


def test_verity_refused_with_reason() -> None:
    out = errors((IC / "verity.yaml").read_text())
    assert any("storage.verity" in o and "refused until azl-installer supports them" in o for o in out)


def test_base_configs_refused_and_unknown_top_key() -> None:
    out = errors(BASE + "baseConfigs:\n- path: base.yaml\nscrpts: {}\n")
    assert any("baseConfigs" in o and "merge them" in o for o in out)
    assert any(": scrpts: " in o and "did you mean 'scripts'" in o for o in out)


def test_scripts_errors() -> None:
    out = errors(BASE + "scripts:\n  postCustomization:\n  - path: scripts/none.sh\n  - {}\n"
                        "  - content: x\n    environmentVariables:\n      'BAD-NAME': x\n")
    assert any("scripts.postCustomization[0].path" in o and "scripts/none.sh" in o for o in out)
    assert any("scripts.postCustomization[1]" in o and "path or content" in o for o in out)
    assert any("environmentVariables.BAD-NAME" in o for o in out)


def test_yaml_syntax_error_has_position() -> None:
    with pytest.raises(InvalidInput) as ei:
        ic("os:\n  hostname: [a\n")
    assert str(ei.value).startswith("c.yaml:")


# ----------------------------------------------------------------------------- confinement
@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "cfg"
    shutil.copytree(IC, d)
    (tmp_path / "outside.txt").write_text("outside\n")
    os.symlink(tmp_path / "outside.txt", d / "files" / "link-out")
    os.symlink(tmp_path, d / "dirlink")
    return d


@pytest.mark.parametrize(("value", "needle"), [
    ("../outside.txt", "goes up ('..') out of the answer file's folder"),
    ("files/link-out", "symlink out of the answer file's folder"),
    ("dirlink/outside.txt", "symlink out of the answer file's folder"),
    ("/etc/passwd", "absolute path outside"),
])
def test_paths_escaping_the_folder_refused(folder: Path, value: str, needle: str) -> None:
    for text, key in ((f"  additionalFiles:\n  - source: {value}\n    destination: /etc/x\n",
                       "os.additionalFiles[0].source"),
                      (f"  packages:\n    installLists:\n    - {value}\n", "os.packages.installLists[0]"),
                      (f"  users:\n  - name: a\n    sshPublicKeyPaths:\n    - {value}\n",
                       "os.users[0].sshPublicKeyPaths[0]")):
        out = errors(BASE + text, folder)
        assert any(f": {key}: " in o and needle in o for o in out), out
    out = errors(BASE + f"scripts:\n  postCustomization:\n  - path: {value}\n", folder)
    assert any("scripts.postCustomization[0].path" in o and needle in o for o in out), out


def test_symlink_inside_a_copied_folder_refused(folder: Path) -> None:
    os.symlink("a.conf", folder / "files/etc-extra/link")
    out = errors(BASE + "  additionalDirs:\n  - source: files/etc-extra\n    destination: /etc/x\n", folder)
    assert any("os.additionalDirs[0].source" in o and "is a symlink" in o for o in out)


# ----------------------------------------------------------------------------- writer
def test_writer_round_trips_through_the_reader(tmp_path: Path) -> None:
    native = load_native(yaml.safe_dump({
        "version": 1,
        "storage": {"firmware": "bios", "partitions": [
            {"fs": "biosboot", "size": "1MiB"}, {"mount": "/boot", "size": "1GiB"},
            {"mount": "/", "size": "rest", "fs": "xfs", "label": "root"}]},
        "packages": {"set": "core", "kernel": "kernel-hwe", "extra": ["vim"], "exclude": ["dracut-xen"]},
        "system": {"hostname": "writer", "fips": True, "selinux": "permissive",
                   "services": {"enable": ["sshd"], "disable": ["irqbalance"]}, "timezone": "Europe/Dublin"},
        "groups": [{"name": "devs", "gid": 2000}],
        "users": [{"name": "ann", "password": "Ann-Writer-Pass-9", "admin": True, "primary_group": "devs",
                   "home": "/srv/ann", "ssh_keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIWriter ann@w"]}],
        "bootloader": {"append": "console=ttyS0"},
        "scripts": {"post": [{"body": "echo hi\n"}]},
    }), "n.yaml")
    text = to_imagecustomizer(native)
    assert "Ann-Writer-Pass-9" not in text
    p = tmp_path / "written.yaml"
    p.write_text(text)
    back = load_file(p).config
    assert back.storage.firmware == "bios"
    assert [(x.mount, x.fs, x.size, x.label) for x in back.storage.partitions or []] == [
        (None, "biosboot", "1MiB", None), ("/boot", "ext4", "1024MiB", None), ("/", "xfs", "rest", "root")]
    assert (back.packages.kernel, back.packages.extra, back.packages.exclude) == (
        "kernel-hwe", ["vim", "dracut-fips"], ["dracut-xen"])
    assert back.system.fips and back.system.selinux == "permissive" and back.bootloader.append == "console=ttyS0"
    assert back.system.services.enable == ["sshd", "nftables"] and back.system.services.disable == ["irqbalance"]
    u = back.users[0]
    assert (u.name, u.admin, u.primary_group, u.home, u.password_hash) == (
        "ann", True, "devs", "/srv/ann", native.users[0].password_hash)
    assert [(g.name, g.gid) for g in back.groups] == [("devs", 2000)]
    bodies = [s.body for s in back.scripts.post]
    assert any("/etc/systemd/network/" in b and "DHCP=yes" in b for b in bodies)  # network as additionalFiles
    assert any("zoneinfo/Europe/Dublin" in b for b in bodies) and any(b == "echo hi\n" for b in bodies)


def test_writer_notes_what_cannot_be_expressed() -> None:
    c = load_native(yaml.safe_dump({
        "version": 1, "storage": {"encryption": {"enabled": True, "passphrase": "Writer-Luks-Phrase-1"},
                                  "partitions": [{"mount": "/boot/efi", "fs": "vfat", "size": "512MiB"},
                                                 {"mount": "/", "size": "50%", "encrypt": True}]},
        "scripts": {"pre": [{"body": "true"}], "post": [{"body": "true", "chroot": False}]}}), "n.yaml")
    text = to_imagecustomizer(c)
    assert "Writer-Luks-Phrase-1" not in text
    for needle in ("LUKS encryption cannot be expressed", "a share of the disk", "scripts.pre.0",
                   "scripts.post.0: runs outside"):
        assert "# not expressed: " in text and needle in text, needle
