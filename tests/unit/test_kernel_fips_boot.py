"""The kernel package, the bootloader's packages by firmware, FIPS (packages, kernel command line,
dracut module), the ESP at /efi, and groups made before users: what the Azure Linux formats need
from the backend, each checked on its own."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from installer.backend.config import InstallConfig, Packages
from installer.backend.errors import InvalidInput
from installer.backend.machine import Machine, load_machine
from installer.backend.payload import sets
from installer.backend.payload.spec import make_spec
from installer.backend.steps import bootloader
from installer.backend.steps.base import StepContext
from installer.backend.steps.users import Users
from installer.backend.storage.build import plan_storage
from installer.backend.storage.layout_info import TargetLayout
from installer.backend.system import RecordingSystem
from tests.conftest import MACHINES


def pk(**kw: Any) -> Packages:
    return Packages.model_validate(kw)


def test_kernel_default_per_set_and_override() -> None:
    assert sets.select(pk(), "kvm").kernel == "kernel"
    assert sets.select(pk(set="custom", custom=["bash"]), "kvm").kernel is None
    sel = sets.select(pk(set="custom", custom=["bash"], kernel="kernel-hwe"), "kvm")
    assert sel.kernel == "kernel-hwe" and "kernel-hwe" in sel.names and "kernel" not in sel.names
    core_hwe = sets.select(pk(kernel="kernel-hwe"), "kvm").names
    assert "kernel-hwe" in core_hwe and "kernel" not in core_hwe


def test_kernel_name_validated() -> None:
    with pytest.raises(ValueError, match="not a package name"):
        pk(kernel="kernel; rm -rf /")


@pytest.mark.parametrize(("firmware", "want", "absent"), [
    ("uefi", {"shim", "grub2-efi-binary", "grub2-efi-x64-modules", "grub2"}, {"grub2-pc"}),
    ("bios", {"grub2-pc", "grub2"}, {"shim", "grub2-efi-binary"}),
    (None, set(), {"grub2-pc", "shim", "grub2-efi-binary"}),
])
def test_bootloader_packages_by_firmware(firmware: str | None, want: set[str], absent: set[str]) -> None:
    names = set(sets.select(pk(set="custom", custom=["bash"]), "kvm", firmware=firmware).names)
    assert want <= names and not absent & names


def test_spec_bootloader_packages_follow_location_and_fips() -> None:
    cfg = InstallConfig.model_validate({"bootloader": {"location": "none"}, "system": {"fips": True}})
    spec = make_spec(cfg, Machine(), env={}, firmware="bios")
    assert "grub2-pc" not in spec.selection.names and "dracut-fips" in spec.selection.names
    assert any("FIPS: dracut-fips" in line for line in spec.summary())


def test_no_kernel_warning_for_a_disk_install() -> None:
    cfg = InstallConfig.model_validate({"packages": {"set": "custom", "custom": ["bash"]}})
    assert any("no kernel package" in w for w in make_spec(cfg, Machine(), env={}, firmware="uefi").warnings())
    assert not any("no kernel" in w for w in make_spec(cfg, Machine(), env={}).warnings())  # directory


def test_install_langs_macro() -> None:
    cfg = InstallConfig.model_validate({"packages": {"install_langs": "NONE"}})
    assert make_spec(cfg, Machine(), env={}).rpm_macros() == "%_install_langs NONE\n"
    with pytest.raises(ValueError, match="locale list"):
        pk(install_langs="en US")


def _layout(boot: bool) -> TargetLayout:
    return TargetLayout(firmware="uefi", table="gpt", disks=["/dev/vda"], root_device="/dev/vda3", root_fs="ext4",
                        root_uuid="rrrr", boot_device="/dev/vda2" if boot else None,
                        boot_uuid="bbbb" if boot else None, esp_device="/dev/vda1")


def test_fips_kernel_command_line() -> None:
    assert bootloader.kernel_cmdline(_layout(True), None, "console=ttyS0", fips=True) == [
        "root=UUID=rrrr", "fips=1", "boot=UUID=bbbb", "console=ttyS0"]
    assert bootloader.kernel_cmdline(_layout(False), None, "", fips=True) == ["root=UUID=rrrr", "fips=1"]
    assert "fips=1" not in bootloader.kernel_cmdline(_layout(True), None, "", fips=False)


def test_fips_dracut_module() -> None:
    argv = bootloader.dracut_argv("6.6", hostonly=False, luks=True, lvm=False, fips=True)
    assert argv[argv.index("--add") + 1] == "crypt fips"
    assert "--add" not in bootloader.dracut_argv("6.6", hostonly=False, luks=False, lvm=False)


def _storage(esp_mount: str) -> Any:
    cfg = InstallConfig.model_validate({"storage": {"firmware": "uefi", "partitions": [
        {"mount": esp_mount, "fs": "vfat", "size": "512MiB"}, {"mount": "/", "size": "rest"}]}})
    return plan_storage(cfg, load_machine(MACHINES / "two-disks.json"))


def test_esp_at_efi_is_an_esp() -> None:
    p = _storage("/efi")
    assert p.layout.esp_device == "/dev/vda1" and p.layout.esp_mount == "/efi"
    argv = bootloader.grub_install_argvs(p.layout, efivars=False)[0]
    assert "--efi-directory=/efi" in argv
    assert _storage("/boot/efi").layout.esp_mount == "/boot/efi"


def test_two_esps_refused() -> None:
    cfg = InstallConfig.model_validate({"storage": {"firmware": "uefi", "partitions": [
        {"mount": "/efi", "fs": "vfat", "size": "512MiB"}, {"mount": "/boot/efi", "fs": "vfat", "size": "512MiB"},
        {"mount": "/", "size": "rest"}]}})
    with pytest.raises(InvalidInput, match="two EFI system partitions"):
        plan_storage(cfg, load_machine(MACHINES / "two-disks.json"))


def test_groups_before_users_with_primary_group_and_home() -> None:
    cfg = InstallConfig.model_validate({
        "groups": [{"name": "devs", "gid": 2000}, {"name": "ops"}],
        "users": [{"name": "ann", "primary_group": "devs", "home": "/srv/ann", "groups": ["ops"],
                   "ssh_keys": ["ssh-ed25519 AAAAC3Nza ann@h"]}]})
    sys_ = RecordingSystem()
    ctx = StepContext(system=sys_, config=cfg, machine=Machine(), target_root="/t", emit=lambda e: None,
                      cancel=threading.Event())
    Users(cfg.users, cfg.root, cfg.groups).run(ctx)
    t = sys_.transcript()
    assert t.index("groupadd --root /t --gid 2000 devs") < t.index("useradd --root /t")
    assert "groupadd --root /t ops" in t
    line = next(x for x in t.splitlines() if "useradd" in x)
    assert "--gid devs" in line and "--home-dir /srv/ann" in line and "--user-group" not in line
    assert "/t/srv/ann/.ssh/authorized_keys" in t


@pytest.mark.parametrize("bad", ["Devs", "9", "a b", "x" * 40])
def test_group_names_validated(bad: str) -> None:
    with pytest.raises(ValueError, match="group name"):
        InstallConfig.model_validate({"groups": [{"name": bad}]})


def test_duplicate_groups_refused() -> None:
    with pytest.raises(ValueError, match="groups are defined twice"):
        InstallConfig.model_validate({"groups": [{"name": "a"}, {"name": "a"}]})


@pytest.mark.parametrize("bad", ["home", "/a:b", "/a/../b"])
def test_home_must_be_absolute(bad: str) -> None:
    with pytest.raises(ValueError, match="home directory"):
        InstallConfig.model_validate({"users": [{"name": "ann", "home": bad}]})
