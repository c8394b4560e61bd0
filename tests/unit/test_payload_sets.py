"""Package sets: Azure Linux 3.0's core/full composition, hypervisor choice, extra/exclude/custom."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from installer.backend.config import InstallConfig, Packages
from installer.backend.errors import InvalidInput
from installer.backend.machine import Machine
from installer.backend.payload import sets
from installer.backend.payload.repos import repo_file, repositories
from installer.backend.payload.spec import make_spec

SHARED = Path("/work/shared/azurelinux-3.0")


def pk(**kw: object) -> Packages:
    return Packages.model_validate(kw)


def test_sets_match_azure_linux_full_json() -> None:
    if not SHARED.exists():
        pytest.skip("reference data not here")
    cfgs = {c["Name"]: c["PackageLists"] for c in json.loads((SHARED / "imageconfigs/full.json").read_text())
            ["SystemConfigs"]}
    stem = lambda xs: sorted(Path(x).stem for x in xs)  # noqa: E731
    assert stem(cfgs["Azure Linux Core"]) == sorted(sets.set_lists("core"))
    assert stem(cfgs["Azure Linux Full"]) == sorted(sets.set_lists("full"))
    for name in sets.set_lists("full"):
        ref = json.loads((SHARED / f"packagelists/{name}.json").read_text())["packages"]
        assert sets.package_list(name) == ref


def test_core_on_kvm_adds_virt_guest_only() -> None:
    sel = sets.select(pk(), "kvm")
    assert "dracut-virtio" in sel.names and "hyperv-daemons" not in sel.names
    assert "core-packages-base-image" in sel.names and "kernel" in sel.names
    assert "kvm" in sel.summary()


def test_hyperv_adds_both_and_bare_metal_neither() -> None:
    assert {"hyperv-daemons", "dracut-virtio"} <= set(sets.select(pk(), "microsoft").names)
    bare = sets.select(pk(), "none").names
    assert not {"hyperv-daemons", "dracut-virtio", "dracut-xen"} & set(bare)
    assert not {"dracut-virtio"} & set(sets.select(pk(), "docker").names)


def test_override_always_never() -> None:
    assert "hyperv-daemons" in sets.select(pk(hypervisor_packages="always"), "none").names
    assert "dracut-virtio" not in sets.select(pk(hypervisor_packages="never"), "microsoft").names


def test_full_extra_exclude_dedupe() -> None:
    sel = sets.select(pk(set="full", extra=["htop", "vim"], exclude=["golang"]), "kvm")
    assert "golang" not in sel.names and sel.exclude == ["golang"]
    assert sel.names.count("vim") == 1 and sel.names.count("wget") == 1 and "htop" in sel.names
    assert {"openssh-server", "selinux-policy", "qemu-kvm", "tboot"} <= set(sel.names)
    assert sets.set_selinux("full") == "permissive" and sets.set_selinux("core") is None


def test_custom() -> None:
    sel = sets.select(pk(set="custom", custom=["bash", "systemd"]), "kvm")
    assert sel.names == ["bash", "systemd"] and sel.hypervisor is None


def test_repositories_from_medium_env_and_config() -> None:
    assert repositories(pk(), {}) == []
    (r,) = repositories(pk(), {"AZL_MEDIUM_REPO": "/run/medium/repo/"})
    assert r.baseurl == "file:///run/medium/repo" and r.gpgcheck
    assert r.gpgkeys == ("file:///run/medium/repo/RPM-GPG-KEY-azl-fixture",)
    cfg = pk(repositories=[{"name": "net", "baseurl": "https://example.invalid/3.0", "gpgkey": "/k"},
                           {"name": "open", "baseurl": "file:///srv/r", "gpgcheck": False}])
    got = repositories(cfg, {"AZL_MEDIUM_REPO": "/ignored"})
    assert [x.name for x in got] == ["net", "open"]
    text = repo_file(got)
    assert text == (
        "[net]\nname=net\nbaseurl=https://example.invalid/3.0\nenabled=1\ngpgcheck=1\nrepo_gpgcheck=0\n"
        "skip_if_unavailable=0\ngpgkey=file:///k\n\n"
        "[open]\nname=open\nbaseurl=file:///srv/r\nenabled=1\ngpgcheck=0\nrepo_gpgcheck=0\nskip_if_unavailable=0\n"
    )


def test_spec_warns_when_gpgcheck_off_or_no_repo() -> None:
    m = Machine(virtualization="kvm")
    spec = make_spec(InstallConfig(), m, env={})
    assert any("no package repository" in w for w in spec.warnings())
    cfg = InstallConfig.model_validate({"packages": {"repositories": [
        {"name": "open", "baseurl": "file:///srv/r", "gpgcheck": False}]}})
    assert any("WITHOUT signature" in w for w in make_spec(cfg, m, env={}).warnings())


def test_preflight_refuses_gpgcheck_without_a_key() -> None:
    import threading

    from installer.backend.errors import StepFailed
    from installer.backend.payload.preflight import run_preflight
    from installer.backend.steps.base import StepContext
    from installer.backend.system import RecordingSystem

    cfg = InstallConfig.model_validate({"version": 1, "packages": {"repositories": [
        {"name": "nokey", "baseurl": "https://example.invalid/repo"}]}})
    spec = make_spec(cfg, Machine(), env={})
    ctx = StepContext(system=RecordingSystem(), config=cfg, machine=Machine(), target_root="/t",
                      emit=lambda e: None, cancel=threading.Event())
    with pytest.raises(StepFailed, match=r"nokey.*gpgcheck is on but no gpgkey"):
        run_preflight(ctx, spec)


@pytest.mark.parametrize(("exclude", "firmware", "fips", "named"), [
    (["kernel"], None, False, "kernel"),
    (["grub2-pc"], "bios", False, "grub2-pc"),
    (["shim", "htop"], "uefi", False, "shim"),
    (["dracut-fips"], "uefi", True, "dracut-fips"),
])
def test_exclusion_that_makes_the_system_unbootable_is_refused(
        exclude: list[str], firmware: str | None, fips: bool, named: str) -> None:
    with pytest.raises(InvalidInput) as err:
        sets.select(pk(set="core", exclude=exclude), "kvm", firmware=firmware, fips=fips)
    (issue,) = err.value.issues
    assert issue.path == "packages.exclude" and f"'{named}' cannot be excluded" in issue.message
    assert "cannot boot" in issue.message


def test_excluding_the_bootloader_is_fine_without_a_bootloader() -> None:
    sel = sets.select(pk(set="core", exclude=["grub2-pc", "shim"]), "kvm", firmware=None)
    assert "grub2-pc" not in sel.names and "kernel" in sel.names
