"""The fixture distribution (scripts/fixture-repo/build.py): built once (cached), then checked
with the package manager the installer uses on Debian hosts (dnf --installroot)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD = REPO_ROOT / "scripts" / "fixture-repo" / "build.py"
KEY = "RPM-GPG-KEY-azl-fixture"
TOOLS = ("debootstrap", "rpmbuild", "rpmsign", "createrepo_c", "gpg", "dnf", "getcap", "zstd")


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root (debootstrap, chroot, dnf --installroot)"
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        return f"missing tools: {' '.join(missing)} (scripts/setup.sh)"
    return None


@pytest.fixture(scope="session")
def fixture_repo() -> Path:
    """Path of the built repository (cold build: a few minutes once; then cached)."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    res = subprocess.run([sys.executable, str(BUILD), "--print-path"], capture_output=True, text=True,
                         timeout=1800)
    assert res.returncode == 0, res.stderr[-4000:]
    return Path(res.stdout.strip())


@pytest.fixture(scope="session")
def manifest(fixture_repo: Path) -> dict:
    return json.loads((fixture_repo / "manifest.json").read_text())


@pytest.fixture(scope="session")
def rpm_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """HOME with an .rpmmacros putting the target's rpm database at /var/lib/rpm."""
    home = tmp_path_factory.mktemp("home")
    (home / ".rpmmacros").write_text("%_dbpath /var/lib/rpm\n")
    return home


def dnf_argv(repo: Path, root: Path, reposdir: Path, *, gpgcheck: bool = True) -> list[str]:
    reposdir.mkdir(parents=True, exist_ok=True)
    return [
        "dnf", "-q", f"--installroot={root}", "--releasever=3.0", f"--setopt=reposdir={reposdir}",
        "--setopt=install_weak_deps=0", "--setopt=cachedir=" + str(root.parent / (root.name + "-cache")),
        "--noplugins", "--disableexcludes=all",
        f"--repofrompath=fixture,file://{repo}",
        f"--setopt=fixture.gpgcheck={int(gpgcheck)}",
        f"--setopt=fixture.gpgkey=file://{repo / KEY}",
    ]


def run_dnf(argv: list[str], home: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(home), "LC_ALL": "C.UTF-8"}
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
