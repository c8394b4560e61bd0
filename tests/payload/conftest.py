"""Fixtures for directory installs on the host (root only): the fixture repository (built once
with `make fixture-repo` and cached), a tiny signed repository for fast fault tests, and a
target directory that is checked for leftover mounts before it is removed."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from installer.backend.config import InstallConfig
from installer.backend.engine import Result, apply
from installer.backend.events import Event
from installer.backend.machine import Machine
from installer.backend.plan import make_plan
from installer.backend.system import HostSystem
from tests.conftest import ROOT, is_root
from tests.payload import tinyrepo

FIXTURE_LINK = ROOT / "build" / "fixture-repo"

pytestmark = pytest.mark.root


@dataclass
class Repo:
    path: Path
    kind: str  # "fixture" (Debian-built distribution) or "tiny"

    @property
    def key(self) -> Path:
        return self.path / tinyrepo.KEY_NAME


def _usable(p: Path) -> bool:
    return (p / "repodata" / "repomd.xml").is_file() and (p / tinyrepo.KEY_NAME).is_file()


def _fixture_repo() -> Path | None:
    env = os.environ.get("AZL_TEST_REPO")
    if env:
        return Path(env) if _usable(Path(env)) else None
    if _usable(FIXTURE_LINK):
        return FIXTURE_LINK.resolve()
    makefile = (ROOT / "Makefile").read_text()
    if "\nfixture-repo:" not in makefile or os.environ.get("AZL_TEST_NO_FIXTURE_BUILD"):
        return None
    (ROOT / "build").mkdir(exist_ok=True)
    with open(ROOT / "build" / ".fixture-repo.test-lock", "w") as lock:  # one build for all xdist workers
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _usable(FIXTURE_LINK):
            proc = subprocess.run(["make", "-C", str(ROOT), "fixture-repo"], capture_output=True, text=True,
                                  timeout=1800)
            if proc.returncode != 0:
                warnings.warn(f"make fixture-repo failed; using the tiny repository: {proc.stderr[-500:]}",
                              stacklevel=1)
    return FIXTURE_LINK.resolve() if _usable(FIXTURE_LINK) else None


@pytest.fixture(scope="session")
def needs_root() -> None:
    if not is_root():
        pytest.skip("directory installs need root")


@pytest.fixture(scope="session")
def tiny_repo(tmp_path_factory: pytest.TempPathFactory, needs_root: None) -> Repo:
    return Repo(tinyrepo.build(tmp_path_factory.mktemp("tiny-repo") / "repo"), "tiny")


@pytest.fixture(scope="session")
def dist_repo(tiny_repo: Repo, tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """The fixture distribution when it is (or can be) built, else the tiny repository."""
    p = _fixture_repo()
    if p is None:
        return tiny_repo
    # a private snapshot (hard links where possible): a concurrent `make fixture-repo` may replace files
    snap = tmp_path_factory.mktemp("fixture-repo") / "repo"
    if subprocess.run(["cp", "-al", str(p), str(snap)], capture_output=True).returncode != 0:
        shutil.rmtree(snap, ignore_errors=True)
        shutil.copytree(p, snap)
    return Repo(snap, "fixture")


def mounts_under(path: Path) -> list[str]:
    prefix = str(path.resolve()).rstrip("/") + "/"
    out = []
    with open("/proc/self/mounts") as f:
        for line in f:
            mp = line.split()[1].replace("\\040", " ")
            if mp == prefix.rstrip("/") or mp.startswith(prefix):
                out.append(mp)
    return out


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Path]:
    t = tmp_path / "target"
    yield t
    left = mounts_under(t)
    assert not left, f"mounts left behind: {left}"
    # never rm -rf through a bind mount of /dev: only remove when nothing is mounted below
    if t.exists() and not mounts_under(t):
        shutil.rmtree(t, ignore_errors=True)


@dataclass
class Run:
    result: Result
    events: list[Event] = field(default_factory=list)
    log: str = ""

    def messages(self) -> str:
        return "\n".join(str(getattr(e, "message", "")) for e in self.events)


def config_from(data: dict[str, Any]) -> InstallConfig:
    return InstallConfig.model_validate({"version": 1, **data})


def machine(virt: str = "kvm") -> Machine:
    return Machine(firmware="bios", virtualization=virt)


def dir_install(cfg: InstallConfig, target: Path, repo: Repo | None = None, tmp_log: Path | None = None,
                machine_: Machine | None = None) -> Run:
    """A directory install through the engine, as `install --target-root` does."""
    old = os.environ.get("AZL_MEDIUM_REPO")
    if repo is not None:
        os.environ["AZL_MEDIUM_REPO"] = str(repo.path)
    try:
        m = machine_ or machine()
        plan = make_plan(cfg, m, target_root=str(target), directory=True)
        events: list[Event] = []
        log_path = str(tmp_log) if tmp_log else None
        if tmp_log:
            tmp_log.write_text("")
        result = apply(plan, cfg, m, HostSystem(), events.append, threading.Event(), log_path=log_path)
    finally:
        if old is None:
            os.environ.pop("AZL_MEDIUM_REPO", None)
        else:
            os.environ["AZL_MEDIUM_REPO"] = old
    return Run(result, events)
