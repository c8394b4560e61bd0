"""Directory installs of core and full on the host (root): the resulting tree is checked."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from installer.backend.config import InstallConfig
from installer.backend.passwords import verify_password
from installer.backend.payload.sets import select
from tests.conftest import ROOT
from tests.payload.conftest import Repo, mounts_under

pytestmark = pytest.mark.root

PASSWORD = "Tr0ub4dor&3-horse-battery"
ROOT_PASSWORD = "r00t-Passw0rd-for-tests"
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx2Zm9vYmFyYmF6cXV4 alice@example"


def answers(pkg_set: str, **extra: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "packages": {"set": pkg_set, "hypervisor_packages": "always"},
        "system": {
            "hostname": f"azl-{pkg_set}-test",
            "timezone": "Europe/Berlin",
            "firewall": {"services": ["ssh"], "ports": ["8080/tcp"]},
            "network": {"interfaces": [{"name": "en*"}, {"name": "eth0", "dhcp": False,
                                                           "addresses": ["192.0.2.10/24"],
                                                           "gateway": "192.0.2.1", "dns": ["192.0.2.53"]}]},
        },
        "users": [{"name": "alice", "password": PASSWORD, "admin": True, "ssh_keys": [SSH_KEY],
                   "groups": ["video", "azl-testers"], "full_name": "Alice Example"}],
        "scripts": {"post": [
            {"body": "echo post-in-target > /var/log/post-marker\n", "error_on_fail": True},
            {"body": 'echo nochroot > "$AZL_TARGET_ROOT/var/log/nochroot-marker"\n', "chroot": False},
        ]},
        "finish": "none",
        **extra,
    }


def cli_install(data: dict[str, Any], target: Path, repo: Repo, work: Path) -> subprocess.CompletedProcess[str]:
    f = work / "answers.yaml"
    f.write_text(yaml.safe_dump(data))
    env = {**os.environ, "AZL_MEDIUM_REPO": str(repo.path)}
    return subprocess.run(
        [sys.executable, "-m", "installer", "install", str(f), "--target-root", str(target),
         "--machine", str(ROOT / "tests/fixtures/machines/small-vm.json"),
         "--events", str(work / "events.jsonl"), "--log", str(work / "install.log")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=900,
    )


def _install(tmp_path_factory: pytest.TempPathFactory, repo: Repo, pkg_set: str) -> Iterator[tuple[Path, Path]]:
    work = tmp_path_factory.mktemp(f"dir-{pkg_set}")
    target = work / "target"
    extra: dict[str, Any] = {}
    if pkg_set == "full":
        extra["root"] = {"password": ROOT_PASSWORD, "allow_ssh": True, "ssh_keys": [SSH_KEY]}
    proc = cli_install(answers(pkg_set, **extra), target, repo, work)
    assert proc.returncode == 0, proc.stderr[-3000:]
    yield target, work
    assert not mounts_under(target)
    if not mounts_under(target):
        subprocess.run(["rm", "-rf", "--one-file-system", str(target)], check=False)


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory, dist_repo: Repo) -> Iterator[tuple[Path, Path]]:
    yield from _install(tmp_path_factory, dist_repo, "core")


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory, dist_repo: Repo) -> Iterator[tuple[Path, Path]]:
    yield from _install(tmp_path_factory, dist_repo, "full")


def rpm(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["rpm", "--root", str(target), "--dbpath", "/var/lib/rpm", *args],
                          capture_output=True, text=True)


def expected_names(pkg_set: str) -> list[str]:
    cfg = InstallConfig.model_validate({"version": 1, "packages": {"set": pkg_set, "hypervisor_packages": "always"}})
    return select(cfg.packages, "kvm").names


# ----------------------------------------------------------------------------- core
def test_rpmdb_has_every_name_of_the_set(core: tuple[Path, Path]) -> None:
    target, _ = core
    assert (target / "var/lib/rpm").is_dir() and not (target / "root/.rpmdb").exists()
    qa = rpm(target, "-qa")
    assert qa.returncode == 0 and "gpg-pubkey" in qa.stdout  # the distribution key is in the target rpmdb
    names = expected_names("core")
    prov = rpm(target, "-q", "--whatprovides", *names)
    assert prov.returncode == 0, prov.stdout


def test_identity_files(core: tuple[Path, Path]) -> None:
    target, _ = core
    assert (target / "etc/hostname").read_text() == "azl-core-test\n"
    assert "127.0.1.1   azl-core-test" in (target / "etc/hosts").read_text()
    mid = (target / "etc/machine-id").read_text().strip()
    assert len(mid) == 32 and int(mid, 16)
    assert os.readlink(target / "etc/localtime") == "../usr/share/zoneinfo/Europe/Berlin"
    assert (target / "etc/locale.conf").read_text() == "LANG=en_US.UTF-8\n"
    assert (target / "etc/vconsole.conf").read_text() == "KEYMAP=us\n"


def test_user_password_groups_and_keys(core: tuple[Path, Path]) -> None:
    target, _ = core
    pw = {ln.split(":")[0]: ln.split(":") for ln in (target / "etc/passwd").read_text().splitlines()}
    uid, gid, home = int(pw["alice"][2]), int(pw["alice"][3]), pw["alice"][5]
    shadow = {ln.split(":")[0]: ln.split(":") for ln in (target / "etc/shadow").read_text().splitlines()}
    assert verify_password(PASSWORD, shadow["alice"][1])
    assert shadow["root"][1].startswith(("!", "*"))  # root locked
    groups = {ln.split(":")[0]: ln.split(":")[3].split(",") for ln in (target / "etc/group").read_text().splitlines()}
    assert all("alice" in groups[g] for g in ("wheel", "video", "azl-testers"))
    assert pw["alice"][4] == "Alice Example"
    ssh = target / home.lstrip("/") / ".ssh"
    ak = ssh / "authorized_keys"
    assert ak.read_text() == SSH_KEY + "\n"
    assert (ssh.stat().st_mode & 0o777, ak.stat().st_mode & 0o777) == (0o700, 0o600)
    assert (ak.stat().st_uid, ak.stat().st_gid, ssh.stat().st_uid) == (uid, gid, uid)
    assert "%wheel ALL=(ALL) ALL" in (target / "etc/sudoers.d/10-azl-installer-wheel").read_text()


def test_shadow_mode_is_the_distributions(core: tuple[Path, Path]) -> None:
    target, _ = core
    out = rpm(target, "-qf", "--qf", "[%{FILENAMES} %{FILEMODES:perms}\\n]", "/etc/shadow").stdout
    shipped = [ln.split()[1] for ln in out.splitlines() if ln.startswith("/etc/shadow ")]
    assert shipped, "no package ships /etc/shadow"
    assert stat.filemode((target / "etc/shadow").stat().st_mode) == shipped[0]


def test_sshd_disabled_and_networkd_nftables(core: tuple[Path, Path]) -> None:
    target, _ = core
    wants = target / "etc/systemd/system/multi-user.target.wants"
    names = {p.name for p in wants.iterdir()} if wants.is_dir() else set()
    assert not names & {"sshd.service", "ssh.service"}
    net = target / "etc/systemd/network"
    assert (net / "10-azl-en.network").read_text().count("DHCP=yes") == 1
    static = (net / "11-azl-eth0.network").read_text()
    assert "Address=192.0.2.10/24" in static and "Gateway=192.0.2.1" in static and "DHCP=no" in static
    ruleset = [p for p in (target / "etc/sysconfig/nftables.conf", target / "etc/nftables.conf") if p.exists()]
    assert ruleset, "no nftables ruleset"
    text = ruleset[0].read_text()
    assert "policy drop" in text and "tcp dport 22 accept" in text and "tcp dport 8080 accept" in text


def test_boot_files(core: tuple[Path, Path]) -> None:
    target, _ = core
    assert 'GRUB_CMDLINE_LINUX=""' in (target / "etc/default/grub").read_text()
    assert list((target / "boot").glob("initramfs-*.img")), "no initramfs"


def test_records_and_scripts(core: tuple[Path, Path]) -> None:
    target, work = core
    logdir = target / "var/log/installer"
    assert logdir.stat().st_mode & 0o777 == 0o700
    ans = (logdir / "answers.yaml").read_text()
    assert PASSWORD not in ans and "password_hash" in ans
    assert PASSWORD not in (logdir / "install.log").read_text()
    stream = (logdir / "events.jsonl").read_text()
    assert '"event": "plan"' in stream and PASSWORD not in stream
    assert PASSWORD not in (work / "events.jsonl").read_text()
    assert (target / "var/log/post-marker").read_text() == "post-in-target\n"
    assert (target / "var/log/nochroot-marker").read_text() == "nochroot\n"
    assert (logdir / "post-1.log").exists()
    assert not list((target / "tmp").glob("azl-*.script"))


def test_progress_events_count_packages(core: tuple[Path, Path]) -> None:
    _, work = core
    evs = [json.loads(ln) for ln in (work / "events.jsonl").read_text().splitlines()]
    prog = [e for e in evs if e["event"] == "progress" and e["step_id"] == "payload" and e.get("count")]
    assert prog, "no per-package progress"
    assert prog[-1]["current"] == prog[-1]["count"]
    assert any(e["message"].startswith("installing ") for e in prog)
    assert any(e["eta_s"] is not None for e in prog)
    order = [e["step_id"] for e in evs if e["event"] == "step_started"]
    assert order.index("preflight") < order.index("payload")


# ----------------------------------------------------------------------------- full (installed once)
def test_full_install(full: tuple[Path, Path], dist_repo: Repo) -> None:
    target, _ = full
    prov = rpm(target, "-q", "--whatprovides", *expected_names("full"))
    assert prov.returncode == 0, prov.stdout
    if (target / "etc/selinux").is_dir():  # the tiny repo ships a config; the fixture may not
        assert "SELINUX=permissive" in (target / "etc/selinux/config").read_text()
    # SELinux on the kernel command line only when the target holds a policy it could load
    # (steps/bootloader.py); the fixture distribution ships none, so its kernel gets selinux=0
    has_policy = any((target / "etc/selinux").glob("*/policy"))
    assert ("selinux=1" if has_policy else "selinux=0") in (target / "etc/default/grub").read_text()
    shadow = {ln.split(":")[0]: ln.split(":") for ln in (target / "etc/shadow").read_text().splitlines()}
    assert verify_password(ROOT_PASSWORD, shadow["root"][1])  # configured root: not locked
    assert (target / "root/.ssh/authorized_keys").stat().st_mode & 0o777 == 0o600
    assert "PermitRootLogin yes" in (target / "etc/ssh/sshd_config.d/50-azl-installer-root.conf").read_text()
    if dist_repo.kind == "fixture":  # real openssh-server: host keys were generated, sshd still disabled
        assert list((target / "etc/ssh").glob("ssh_host_*_key"))
