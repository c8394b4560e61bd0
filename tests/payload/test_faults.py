"""Faults: each fails with a message naming the cause, before the target is touched where that
is possible, and leaves no mounts behind (the `target` fixture checks /proc/self/mounts)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from installer.backend.errors import InvalidInput
from installer.backend.plan import make_plan
from tests.conftest import ROOT
from tests.payload.conftest import Repo, config_from, dir_install, machine, mounts_under

pytestmark = pytest.mark.root

BASE = {"system": {"hostname": "fault-test"}, "finish": "none"}


def copy_repo(repo: Repo, dest: Path) -> Repo:
    shutil.copytree(repo.path, dest)
    return Repo(dest, "copy")


def reindex(repo: Repo) -> None:
    shutil.rmtree(repo.path / "repodata")
    subprocess.run(["createrepo_c", "--quiet", str(repo.path)], check=True)


def test_missing_package(tiny_repo: Repo, target: Path) -> None:
    run = dir_install(config_from({**BASE, "packages": {"extra": ["no-such-package-xyz"]}}), target, tiny_repo)
    assert not run.result.ok and run.result.failed_step == "preflight"
    assert "not found" in (run.result.error or "") and "no-such-package-xyz" in (run.result.error or "")
    assert not target.exists()  # nothing touched


def test_conflict(tiny_repo: Repo, target: Path) -> None:
    run = dir_install(config_from({**BASE, "packages": {"extra": ["clashing-extra"]}}), target, tiny_repo)
    assert run.result.failed_step == "preflight"
    err = run.result.error or ""
    assert "dependency problems" in err and "clashing-extra" in err and "conflicts" in err
    assert not target.exists()


def test_unreachable_local_repo(tiny_repo: Repo, target: Path, tmp_path: Path) -> None:
    cfg = config_from({**BASE, "packages": {"repositories": [
        {"name": "gone", "baseurl": f"file://{tmp_path}/nowhere", "gpgkey": str(tiny_repo.key)}]}})
    run = dir_install(cfg, target)
    assert run.result.failed_step == "preflight"
    assert "unreachable" in (run.result.error or "") and "gone" in (run.result.error or "")
    assert not target.exists()


def test_unreachable_network_repo(tiny_repo: Repo, target: Path) -> None:
    cfg = config_from({**BASE, "packages": {"repositories": [
        {"name": "offline", "baseurl": "http://127.0.0.1:9/repo", "gpgkey": str(tiny_repo.key)}]}})
    run = dir_install(cfg, target)
    assert run.result.failed_step == "preflight"
    assert "unreachable" in (run.result.error or "") and "offline" in (run.result.error or "")
    assert not target.exists()


def test_unsigned_package(tiny_repo: Repo, target: Path, tmp_path: Path) -> None:
    repo = copy_repo(tiny_repo, tmp_path / "repo")
    rpm = next(repo.path.glob("hello-extra-*.rpm"))
    subprocess.run(["rpmsign", "--delsign", str(rpm)], check=True, capture_output=True)
    reindex(repo)
    run = dir_install(config_from({**BASE, "packages": {"extra": ["hello-extra"]}}), target, repo)
    assert run.result.failed_step == "preflight"
    err = run.result.error or ""
    assert "signature" in err and "hello-extra" in err
    assert not target.exists()


def test_tampered_package(tiny_repo: Repo, target: Path, tmp_path: Path) -> None:
    repo = copy_repo(tiny_repo, tmp_path / "repo")
    rpm = next(repo.path.glob("azl-tiny-base-*.rpm"))
    data = bytearray(rpm.read_bytes())
    data[len(data) // 2] ^= 0xFF
    rpm.write_bytes(bytes(data))
    reindex(repo)
    run = dir_install(config_from(BASE), target, repo)
    assert run.result.failed_step == "preflight"
    err = run.result.error or ""
    assert "signature" in err and "azl-tiny-base" in err
    assert not target.exists()


def test_bad_gpg_key(tiny_repo: Repo, target: Path, tmp_path: Path) -> None:
    repo = copy_repo(tiny_repo, tmp_path / "repo")
    repo.key.write_text("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----\n")
    run = dir_install(config_from(BASE), target, repo)
    assert run.result.failed_step == "preflight"
    assert "bad gpg key" in (run.result.error or "")
    assert not target.exists()


def test_gpgcheck_off_is_loud(tiny_repo: Repo, target: Path) -> None:
    cfg = config_from({**BASE, "packages": {"repositories": [
        {"name": "nocheck", "baseurl": f"file://{tiny_repo.path}", "gpgcheck": False}]}})
    plan = make_plan(cfg, machine(), target_root=str(target), directory=True)
    assert any("nocheck" in w and "WITHOUT signature" in w for w in plan.warnings)
    run = dir_install(cfg, target)
    assert run.result.ok, run.result.error
    warnings = [e for e in run.events if getattr(e, "level", "") == "warning"]
    assert any("gpgcheck is OFF" in str(getattr(e, "message", "")) for e in warnings)


def test_failing_post_script_stops_and_tears_down(tiny_repo: Repo, target: Path) -> None:
    cfg = config_from({**BASE, "scripts": {"post": [{"body": "echo about to fail\nexit 3\n",
                                                     "error_on_fail": True}]}})
    run = dir_install(cfg, target, tiny_repo)
    assert run.result.failed_step == "post-scripts"
    err = run.result.error or ""
    assert "post-1 script" in err and "exited 3" in err and "about to fail" in err
    assert not mounts_under(target)


def test_post_script_failure_without_error_on_fail_continues(tiny_repo: Repo, target: Path) -> None:
    cfg = config_from({**BASE, "scripts": {"post": [{"body": "exit 4\n"}]}})
    run = dir_install(cfg, target, tiny_repo)
    assert run.result.ok, run.result.error
    assert "exited 4" in run.messages()


def test_target_out_of_space(tiny_repo: Repo, target: Path) -> None:
    target.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(target)], check=True)
    try:
        run = dir_install(config_from(BASE), target, tiny_repo)
        assert run.result.failed_step == "payload"
        assert "out of space" in (run.result.error or "")
        assert mounts_under(target) == [str(target.resolve())]  # only ours
    finally:
        subprocess.run(["umount", str(target)], check=True)


@pytest.mark.parametrize(("field", "value", "words"), [
    ("timezone", "Mars/Olympus_Mons", "unknown timezone"),
    ("locale", "klingon", "not a locale"),
    ("keyboard", "qwerty-mars", "unknown keyboard layout"),
])
def test_invalid_names_fail_at_plan_time(field: str, value: str, words: str, target: Path) -> None:
    cfg = config_from({**BASE, "system": {"hostname": "x", field: value}})
    with pytest.raises(InvalidInput) as ei:
        make_plan(cfg, machine(), target_root=str(target), directory=True)
    assert f"system.{field}" in str(ei.value) and words in str(ei.value)


def test_invalid_timezone_cli_exit_2(tiny_repo: Repo, target: Path, tmp_path: Path) -> None:
    f = tmp_path / "a.yaml"
    f.write_text(yaml.safe_dump({"version": 1, **BASE, "system": {"hostname": "x", "timezone": "Nowhere/Land"}}))
    proc = subprocess.run(
        [sys.executable, "-m", "installer", "install", str(f), "--target-root", str(target),
         "--machine", str(ROOT / "tests/fixtures/machines/small-vm.json")],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "AZL_MEDIUM_REPO": str(tiny_repo.path)},
    )
    assert proc.returncode == 2, proc.stderr
    assert "system.timezone" in proc.stderr and "Nowhere/Land" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not target.exists()


def test_package_changed_after_preflight_fails_in_the_transaction(
    tiny_repo: Repo, target: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transaction skips dnf's per-package rpmkeys run for repositories the preflight checked,
    but rpm still verifies signatures itself: a package swapped for an unsigned one in between (with
    matching repository metadata) fails."""
    import installer.backend.steps.payload as payload_step

    repo = copy_repo(tiny_repo, tmp_path / "repo")
    real_install = payload_step.install

    def swap_then_install(ctx, spec, pre):  # type: ignore[no-untyped-def]
        assert pre.verified_repos, "the preflight should report the repository it verified"
        rpm = next(repo.path.glob("azl-tiny-base-*.rpm"))
        subprocess.run(["rpmsign", "--delsign", str(rpm)], check=True, capture_output=True)
        reindex(repo)
        return real_install(ctx, spec, pre)

    monkeypatch.setattr(payload_step, "install", swap_then_install)
    run = dir_install(config_from(BASE), target, repo)
    assert run.result.failed_step == "payload"
    err = run.result.error or ""
    assert "checksum" in err or "signature" in err.lower(), err
