"""The fixture distribution resolves, installs with signature checks, and rejects tampering."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixture_repo.conftest import BUILD, KEY, dnf_argv, run_dnf

pytestmark = pytest.mark.root

PAYLOAD_DATA = Path(__file__).resolve().parents[2] / "installer" / "backend" / "payload" / "data"


def al_names(set_name: str) -> list[str]:
    sets = json.loads((PAYLOAD_DATA / "sets.json").read_text())
    names: set[str] = {sets[set_name].get("kernel", "kernel")}
    for lst in sets[set_name]["lists"]:
        names |= set(json.loads((PAYLOAD_DATA / f"{lst}.json").read_text())["packages"])
    return sorted(names)


def meta_names() -> list[str]:
    meta = json.loads((BUILD.parent / "core-packages-meta.json").read_text())
    out: set[str] = set()
    for k, v in meta.items():
        if not k.startswith("_"):
            out |= {k, *v["requires"]}
    return sorted(out)


def test_layout_and_manifest(fixture_repo: Path, manifest: dict) -> None:
    assert (fixture_repo / "repodata" / "repomd.xml").is_file()
    assert (fixture_repo / KEY).read_text().startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    rpms = list(fixture_repo.glob("*.rpm"))
    assert len(rpms) == len(manifest["packages"]) > 200
    for set_name in ("core", "full"):
        s = manifest["sets"][set_name]
        assert set(al_names(set_name)) <= set(s["names"])
        assert s["count"] == len(s["packages"]) > 100
        assert s["installed_size"] > 100 * 2**20
    assert manifest["sets"]["core"]["installed_size"] < manifest["sets"]["full"]["installed_size"]
    # every Azure Linux name has a provider, recorded in the manifest
    for name in {*al_names("full"), *meta_names()}:
        assert manifest["al_names"].get(name), name
    assert manifest["kernel"] and all(k in manifest["sets"]["core"]["packages"] for k in manifest["kernel"])


def test_warm_build_is_fast(fixture_repo: Path, tmp_path: Path) -> None:
    t0 = time.monotonic()
    res = subprocess.run([sys.executable, str(BUILD), "--print-path", "--link", str(tmp_path / "link")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert time.monotonic() - t0 < 5
    assert Path(res.stdout.strip()) == fixture_repo
    assert (tmp_path / "link").resolve() == fixture_repo


@pytest.mark.parametrize("set_name", ["core", "full"])
def test_every_name_resolves(fixture_repo: Path, rpm_home: Path, tmp_path: Path, set_name: str) -> None:
    names = al_names(set_name) + (meta_names() if set_name == "full" else [])
    argv = dnf_argv(fixture_repo, tmp_path / "root", tmp_path / "repos.d")
    res = run_dnf([*argv, "install", "--assumeno", *names], rpm_home)
    out = res.stdout + res.stderr
    assert "No match for argument" not in out, out[-3000:]
    assert "Problem" not in out and "Error" not in out, out[-3000:]
    assert "Operation aborted" in out, out[-3000:]  # --assumeno: resolved, then declined


@pytest.fixture(scope="module")
def core_root(fixture_repo: Path, rpm_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Core installed with gpgcheck=1 into a directory (one transaction, like the installer)."""
    base = tmp_path_factory.mktemp("core")
    root = base / "root"
    argv = dnf_argv(fixture_repo, root, base / "repos.d", gpgcheck=True)
    res = run_dnf([*argv, "-y", "install", *al_names("core")], rpm_home, timeout=900)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    return root


def rpm_q(root: Path, *args: str) -> str:
    return subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", *args],
                          capture_output=True, text=True, check=True).stdout


def test_core_installs_signed(core_root: Path, manifest: dict) -> None:
    installed = set(rpm_q(core_root, "-qa", "--qf", "%{NAME}\\n").split())
    assert set(manifest["sets"]["core"]["packages"]) == installed - {"gpg-pubkey"}
    provides = rpm_q(core_root, "-qa", "--provides")
    for name in al_names("core"):
        assert name in installed or f"\n{name}" in f"\n{provides}", name
    # the key landed in the target's database; the database is where Azure Linux keeps it
    assert "gpg-pubkey" in rpm_q(core_root, "-qa", "gpg-pubkey*")
    assert (core_root / "var/lib/rpm").is_dir() and not (core_root / "root/.rpmdb").exists()
    sig = rpm_q(core_root, "-q", "--qf", "%{SIGPGP:pgpsig}%{RSAHEADER:pgpsig}\\n", "systemd")
    assert "Key ID" in sig


def test_core_tree_is_usable(core_root: Path, manifest: dict) -> None:
    r = core_root
    os_release = (r / "etc/os-release").read_text()
    assert "ID=azurelinux" in os_release and 'VERSION_ID="3.0"' in os_release
    for tool in ("grub2-install", "grub2-mkconfig", "grub2-mkimage", "grub2-probe", "grub2-editenv"):
        assert (r / "usr/sbin" / tool).exists() or (r / "usr/bin" / tool).exists(), tool
    assert os.readlink(r / "boot/grub") == "grub2" and (r / "boot/grub2").is_dir()
    assert (r / "usr/lib/grub/x86_64-efi/normal.mod").is_file()
    assert (r / "usr/lib/grub/i386-pc/boot.img").is_file()
    for tool in ("usr/bin/dracut", "usr/sbin/cryptsetup", "usr/sbin/lvm", "usr/sbin/mkfs.xfs", "usr/sbin/mkfs.vfat",
                 "usr/sbin/useradd", "usr/bin/passwd", "usr/bin/sudo", "usr/sbin/nft", "usr/bin/ssh", "usr/sbin/ip",
                 "usr/lib/systemd/systemd-networkd", "usr/sbin/init", "usr/bin/udevadm", "usr/sbin/mkfs.ext4"):
        assert (r / tool).exists(), tool
    assert os.readlink(r / "bin") == "usr/bin" and os.readlink(r / "sbin") == "usr/sbin"
    assert not (r / "usr/bin/tdnf").exists()  # the installer must pick dnf on Debian-built hosts only
    kvers = [p.name for p in (r / "usr/lib/modules").iterdir()]
    assert len(kvers) == 1
    kver = kvers[0]
    assert (r / f"boot/vmlinuz-{kver}").is_file()
    assert (r / f"usr/lib/modules/{kver}/modules.dep").stat().st_size > 0
    assert not list((r / "boot").glob("initr*"))  # the installer makes the initramfs
    # owners and modes survive the trip through rpm
    shadow = (r / "etc/shadow").stat()
    assert stat.S_IMODE(shadow.st_mode) == 0o640
    assert (r / "usr/bin/sudo").stat().st_mode & stat.S_ISUID
    caps = subprocess.run(["getcap", str(r / "usr/bin/ping")], capture_output=True, text=True).stdout
    assert "cap_net_raw" in caps
    # no build-host state: machine-id, ssh host keys, Debian package state
    assert not (r / "etc/machine-id").exists()
    assert not list((r / "etc/ssh").glob("ssh_host_*"))
    assert not (r / "var/lib/dpkg/status").exists()
    assert (r / "etc/rpm/macros.dbpath").read_text().strip() == "%_dbpath /var/lib/rpm"
    assert "/etc/sysconfig/nftables.conf" in (r / "usr/lib/systemd/system/nftables.service").read_text()
    assert (r / "usr/lib/systemd/system/sshd.service").exists() is False  # openssh-server is full only
    wants = r / "etc/systemd/system/multi-user.target.wants"
    assert (wants / "systemd-networkd.service").is_symlink()
    dangling = [p.name for p in wants.iterdir() if not (r / os.readlink(p).lstrip("/")).exists()]
    assert not dangling, f"enablement links to units core does not have: {dangling}"


def test_core_verifies(core_root: Path) -> None:
    res = subprocess.run(["rpm", "--root", str(core_root), "--dbpath", "/var/lib/rpm", "-V",
                          "passwd", "sudo", "iputils-ping", "systemd", "filesystem", "azl-fixture-base"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_stripped_signature_is_refused(fixture_repo: Path, rpm_home: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    src = next(fixture_repo.glob("filesystem-*.rpm"))
    shutil.copy(src, repo / src.name)
    shutil.copy(fixture_repo / KEY, repo / KEY)
    subprocess.run(["rpmsign", "--delsign", str(repo / src.name)], check=True, capture_output=True)
    subprocess.run(["createrepo_c", "--quiet", str(repo)], check=True)
    argv = dnf_argv(repo, tmp_path / "root", tmp_path / "repos.d", gpgcheck=True)
    res = run_dnf([*argv, "-y", "install", "filesystem"], rpm_home)
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert "GPG check FAILED" in out or "not signed" in out, out[-2000:]
    assert not (tmp_path / "root" / "etc" / "passwd").exists()
