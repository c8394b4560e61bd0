"""Plan-time checks and summaries of sysconfig, users, bootloader and payload (pure, no root)."""

from __future__ import annotations

import threading

import pytest
from pydantic import ValidationError

from installer.backend.config import InstallConfig
from installer.backend.errors import InvalidInput
from installer.backend.machine import Machine
from installer.backend.payload.preflight import run_preflight
from installer.backend.payload.spec import make_spec
from installer.backend.plan import make_plan
from installer.backend.steps.base import StepContext
from installer.backend.system import RecordingSystem


def plan_for(system: dict[str, object], **kw: object) -> list[str]:
    cfg = InstallConfig.model_validate({"version": 1, "system": {"hostname": "h", **system}, **kw})
    p = make_plan(cfg, Machine(virtualization="microsoft"), target_root="/t", directory=True)
    return p.render().splitlines()


@pytest.mark.parametrize(("field", "value", "words"), [
    ("timezone", "Atlantis/Capital", "unknown timezone"),
    ("keyboard", "azerty-mars", "unknown keyboard layout"),
    ("firewall", {"services": ["gopher"]}, "unknown service"),
])
def test_invalid_names_are_input_errors(field: str, value: object, words: str) -> None:
    with pytest.raises(InvalidInput) as ei:
        plan_for({field: value})
    assert field in str(ei.value) and words in str(ei.value)


@pytest.mark.parametrize(("field", "value", "words"), [
    ("timezone", "../../etc/passwd", "not a timezone name"),
    ("locale", "english please", "not a locale"),
    ("keyboard", "us\nFONT=x", "not a keyboard layout"),
])
def test_malformed_names_are_refused_by_the_config(field: str, value: object, words: str) -> None:
    """Syntax is checked where answer files become the config (issue 14); existence at plan time."""
    with pytest.raises(ValidationError) as ei:
        plan_for({field: value})
    assert field in str(ei.value) and words in str(ei.value)


def test_valid_names_and_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZL_MEDIUM_REPO", "/m")
    text = "\n".join(plan_for({"timezone": "America/New_York", "locale": "de_DE.UTF-8", "keyboard": "de"},
                              packages={"set": "full"}))
    assert "Azure Linux Full" in text and "Hyper-V" in text  # the hypervisor choice is shown
    assert "sshd disabled" in text and "SELinux permissive" in text
    assert "kernel arguments: security=selinux selinux=1 enforcing=0" in text
    assert "Check the package transaction" in text


def test_sshd_enabled_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZL_MEDIUM_REPO", "/m")
    assert any("sshd enabled" in ln for ln in plan_for({"services": {"enable": ["sshd"]}}))


def test_no_repository_is_a_plan_warning_and_a_preflight_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZL_MEDIUM_REPO", raising=False)
    cfg = InstallConfig.model_validate({"version": 1})
    p = make_plan(cfg, Machine(), target_root="/t", directory=True)
    assert any("no package repository" in w for w in p.warnings)


def test_tdnf_is_used_when_present() -> None:
    cfg = InstallConfig.model_validate({"version": 1})
    spec = make_spec(cfg, Machine(), env={"AZL_MEDIUM_REPO": "/m"})
    sys_ = RecordingSystem()
    sys_.files["/usr/bin/tdnf"] = b""
    ctx = StepContext(system=sys_, config=cfg, machine=Machine(), target_root="/t", emit=lambda e: None,
                      cancel=threading.Event())
    pre = run_preflight(ctx, spec)
    assert pre.tool == "tdnf"
    t = sys_.transcript()
    assert "run tdnf -c /tmp/azl-installer/" in t and "--assumeno install" in t
    conf = sys_.files[pre.work.config].decode()
    assert f"repodir={pre.work.reposdir}" in conf


def test_services_user_disable_wins_over_defaults_and_resolved_link() -> None:
    from installer.backend.steps.sysconfig import SysConfig

    cfg = InstallConfig.model_validate({"version": 1, "system": {"hostname": "h", "services": {
        "disable": ["systemd-networkd"], "enable": ["sshd"]}}})
    sys_ = RecordingSystem()
    ctx = StepContext(system=sys_, config=cfg, machine=Machine(), target_root="/t", emit=lambda e: None,
                      cancel=threading.Event())
    SysConfig(cfg).run(ctx)
    t = sys_.transcript()
    enable = next(ln for ln in t.splitlines() if ln.startswith("run systemctl --root=/t enable"))
    assert "systemd-networkd" not in enable and "sshd.service" in enable and "nftables.service" in enable
    assert "run systemctl --root=/t disable systemd-networkd.service" in t
    assert "disable sshd.service" not in t and "-xtype l -delete" not in t
    assert "symlink target=../run/systemd/resolve/stub-resolv.conf link=/t/etc/resolv.conf" in t
