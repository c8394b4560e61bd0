"""Azure image configs, one key at a time: key matching as Go's decoder does it, the kernel, FIPS,
the ESP at /efi, the image-build settings, and each image-level switch that works or is refused."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from installer.backend.answers.azure import load_azure
from installer.backend.answers.load import Loaded, detect_format
from installer.backend.errors import InvalidInput
from tests.answers.test_azure_config import AZURE

CONFIG: dict[str, Any] = {
    "Disks": [{"PartitionTableType": "gpt", "MaxSize": 4096, "Artifacts": [{"Name": "x", "Type": "vhdx"}],
               "Partitions": [
                   {"ID": "esp", "Flags": ["esp", "boot"], "Start": 1, "End": 513, "FsType": "fat32"},
                   {"ID": "boot", "Start": 513, "End": 1537, "FsType": "ext4"},
                   {"ID": "root", "Start": 1537, "End": 0, "FsType": "ext4"}]}],
    "SystemConfigs": [{
        "Name": "S", "BootType": "efi", "Hostname": "keys",
        "PackageLists": ["packagelists/core-packages-image.json"],
        "KernelOptions": {"default": "kernel"},
        "PartitionSettings": [{"ID": "esp", "MountPoint": "/boot/efi", "MountOptions": "umask=0077"},
                              {"ID": "boot", "MountPoint": "/boot"}, {"ID": "root", "MountPoint": "/"}]}],
}


def cfg(**sc: Any) -> dict[str, Any]:
    d = copy.deepcopy(CONFIG)
    d["SystemConfigs"][0].update(sc)
    return d


def load(d: dict[str, Any]) -> Loaded:
    return load_azure(json.dumps(d, indent=2), "k.json", base_dir=AZURE)


def errors(d: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidInput) as ei:
        load(d)
    return [i.format() for i in ei.value.issues]


def test_keys_match_without_regard_to_case_and_keep_positions() -> None:
    d = cfg()
    sc = d["SystemConfigs"][0]
    sc["hostname"] = sc.pop("Hostname")
    sc["KERNELOPTIONS"] = {"default": "kernel-hwe"}
    del sc["KernelOptions"]
    d["disks"] = d.pop("Disks")
    c = load(d).config
    assert c.system.hostname == "keys" and c.packages.kernel == "kernel-hwe"
    assert c.storage.partitions and c.storage.partitions[0].mount == "/boot/efi"
    assert detect_format(json.dumps(d)) == "azure"
    sc["BootType"] = "uefi"
    out = errors(d)
    assert any(o.startswith("k.json:") and ": SystemConfigs[0].BootType: " in o for o in out), out


def test_two_keys_folding_to_one_are_an_error() -> None:
    d = cfg(hostname="other")
    out = errors(d)
    assert any("SystemConfigs[0].Hostname" in o and "given twice" in o for o in out), out


def test_null_is_absent_and_comment_keys_are_dropped() -> None:
    d = cfg(Users=None, Encryption=None, KernelCommandLine=None, _comment="a note")
    d["_comment"] = "top-level note"
    loaded = load(d)
    assert loaded.config.users == [] and not loaded.config.storage.encryption.enabled


def test_unknown_key_is_an_error_with_a_guess() -> None:
    out = errors(cfg(KernelOption={"default": "kernel"}))
    assert any("SystemConfigs[0].KernelOption" in o and "did you mean 'KernelOptions'" in o for o in out), out


@pytest.mark.parametrize("value", ["kernel", "kernel-hwe", "kernel-64k"])
def test_kernel_options_default(value: str) -> None:
    c = load(cfg(KernelOptions={"default": value, "_note": "comment"})).config
    assert (c.packages.set, c.packages.kernel) == ("custom", value)


def test_kernel_options_for_a_custom_set_is_always_written() -> None:
    c = load(cfg(PackageLists=["packagelists/ssh-server.json"])).config
    assert (c.packages.set, c.packages.kernel) == ("custom", "kernel")


@pytest.mark.parametrize("kcl", [{"EnableFIPS": True}, {"ExtraCommandLine": "fips=1 quiet"}])
def test_fips(kcl: dict[str, Any]) -> None:
    c = load(cfg(KernelCommandLine=kcl)).config
    assert c.system.fips and "fips=1" not in c.bootloader.append


@pytest.mark.parametrize(("cgroup", "arg"), [("version_one", "=0"), ("version_two", "=1")])
def test_cgroup(cgroup: str, arg: str) -> None:
    c = load(cfg(KernelCommandLine={"CGroup": cgroup})).config
    assert c.bootloader.append == f"systemd.unified_cgroup_hierarchy{arg}"


def test_ima_policy_checked() -> None:
    out = errors(cfg(KernelCommandLine={"ImaPolicy": ["tcb", "all"]}))
    assert any("KernelCommandLine.ImaPolicy[1]" in o and "appraise_tcb" in o for o in out), out


def test_extra_command_line_backtick_refused() -> None:
    out = errors(cfg(KernelCommandLine={"ExtraCommandLine": "a=`b`"}))
    assert any("ExtraCommandLine" in o and "reserved" in o for o in out), out


def test_esp_at_efi() -> None:
    d = cfg()
    d["SystemConfigs"][0]["PartitionSettings"][0]["MountPoint"] = "/efi"
    c = load(d).config
    assert c.storage.partitions and (c.storage.partitions[0].mount, c.storage.partitions[0].fs) == ("/efi", "vfat")


def test_build_only_keys_warn() -> None:
    d = cfg(IsIsoInstall=True)
    d["Disks"][0]["RawBinaries"] = [{"BinPath": "x.bin", "BlockSize": 512, "Seek": 1}]
    d["Disks"][0]["Partitions"][2]["Artifacts"] = [{"Name": "root", "Type": "ext4", "Compression": "gz"}]
    d["SystemConfigs"][0]["PartitionSettings"][2]["OverlayBaseImage"] = "base.ext4"
    w = "\n".join(load(d).warnings)
    for key in ("Disks[0].Artifacts", "Disks[0].MaxSize", "Disks[0].RawBinaries", "Partitions[2].Artifacts",
                "PartitionSettings[2].OverlayBaseImage", "SystemConfigs[0].IsIsoInstall"):
        assert f"{key}: " in w and "image-build setting" in w, key


@pytest.mark.parametrize(("key", "value", "needle"), [
    ("IsKickStartBoot", True, "give the kickstart file itself"),
    ("EnableGrubMkconfig", False, "grub2-mkconfig"),
    ("RemoveRpmDb", True, "keeps its RPM database"),
    ("PreserveTdnfCache", True, "package cache"),
    ("ReadOnlyVerityRoot", {"Enable": True, "Name": "verity"}, "dm-verity"),
])
def test_switches_refused_with_a_reason(key: str, value: Any, needle: str) -> None:
    out = errors(cfg(**{key: value}))
    assert any(f": SystemConfigs[0].{key}: " in o and needle in o and o.split(":")[1].isdigit() for o in out), out


@pytest.mark.parametrize(("key", "value"), [("EnableGrubMkconfig", True), ("RemoveRpmDb", False),
                                            ("PreserveTdnfCache", False), ("IsKickStartBoot", False),
                                            ("ReadOnlyVerityRoot", {"Enable": False})])
def test_switches_at_their_default_are_accepted(key: str, value: Any) -> None:
    load(cfg(**{key: value}))


def test_systemd_firstboot_and_hidepid() -> None:
    c = load(cfg(EnableSystemdFirstboot=True, EnableHidepid=True)).config
    body = c.scripts.post[-1].body
    assert "printf 'uninitialized\\n' > /etc/machine-id" in body
    assert "hidepid=2" in body and ">> /etc/fstab" in body


@pytest.mark.parametrize(("disabled", "hidepid"), [(False, True), (True, False)])
def test_hidepid_disabled_the_2_0_key(disabled: bool, hidepid: bool) -> None:
    loaded = load(cfg(HidepidDisabled=disabled))
    assert any("HidepidDisabled" in w and "EnableHidepid" in w for w in loaded.warnings)
    assert any("hidepid=2" in s.body for s in loaded.config.scripts.post) == hidepid


def test_rpm_docs_and_locales() -> None:
    c = load(cfg(DisableRpmDocs=True, OverrideRpmLocales="NONE")).config
    assert c.packages.excludedocs and c.packages.install_langs == "NONE"


def test_groups_users_typed() -> None:
    c = load(cfg(Groups=[{"Name": "devs", "GID": "2001"}], Users=[
        {"Name": "ann", "UID": "1600", "PrimaryGroup": "devs", "HomeDirectory": "/srv/ann",
         "PasswordExpiresDays": 30, "SecondaryGroups": ["wheel"]}])).config
    u = c.users[0]
    assert (u.uid, u.primary_group, u.home, u.password_max_days, u.admin) == (1600, "devs", "/srv/ann", 30, True)
    assert [(g.name, g.gid) for g in c.groups] == [("devs", 2001)]


def test_container_refused() -> None:
    d = {"Disks": [{"Artifacts": [{"Name": "c", "Compression": "tar.gz"}]}],
         "SystemConfigs": [{"Name": "S", "PackageLists": ["packagelists/ssh-server.json"]}]}
    (issue,) = [o for o in errors(d)]
    assert issue.startswith("k.json:") and "an image for a container, not an installable system" in issue
    d2 = {"SystemConfigs": [{"Name": "S", "PackageLists": ["packagelists/ssh-server.json"]}]}
    assert any("no kernel (KernelOptions.default) and no bootloader" in o for o in errors(d2))


def test_cvm_like_systemd_boot_warns() -> None:
    loaded = load(cfg(Packages=["systemd-boot", "kernel-uki"]))
    assert any("kernel-uki and systemd-boot" in w and "GRUB2" in w for w in loaded.warnings)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "cfg"
    shutil.copytree(AZURE, d)
    (tmp_path / "outside.json").write_text('{"packages": ["vim"]}\n')
    os.symlink(tmp_path / "outside.json", d / "link-out.json")
    return d


@pytest.mark.parametrize(("rel", "needle"), [("../outside.json", "goes up ('..')"),
                                             ("link-out.json", "through a symlink"),
                                             ("/etc/hostname", "absolute path outside")])
def test_files_outside_the_config_folder_refused(folder: Path, rel: str, needle: str) -> None:
    for key, value in (("PackageLists", [rel]), ("PostInstallScripts", [{"Path": rel}]),
                       ("AdditionalFiles", {rel: "/etc/x"}), ("Users", [{"Name": "a", "SSHPubKeyPaths": [rel]}])):
        with pytest.raises(InvalidInput) as ei:
            load_azure(json.dumps(cfg(**{key: value})), "k.json", base_dir=folder)
        out = [i.format() for i in ei.value.issues]
        assert any(f"SystemConfigs[0].{key}" in o and needle in o for o in out), (key, out)
        # an escape never falls back to the installer's shipped lists
        assert all("ships no list" not in o for o in out)
