"""Azure Linux 3.0 image configs: the upstream samples convert and plan; each field maps; bad
configs fail naming the key path with line and column; secrets never leak."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from installer.backend.answers.azure import load_azure
from installer.backend.answers.load import Loaded, detect_format, load_file
from installer.backend.answers.native import dump_json, dump_yaml, load_native
from installer.backend.errors import InvalidInput
from installer.backend.machine import load_machine
from installer.backend.passwords import verify_password
from installer.backend.plan import make_plan

ROOT = Path(__file__).resolve().parents[2]
AZURE = ROOT / "tests" / "fixtures" / "azure" / "imageconfigs"
MACHINES = ROOT / "tests" / "fixtures" / "machines"
SAMPLES = sorted(AZURE.glob("*.json"))
PASS = "Sup3r-Secret-Phrase"
HASH = "$6$UMv7iitZq9GPIxaO$QuEnyVHZchm9vw7Q403ZS5AOT42T0K1l71xJXwisKpWeGVvh7P/aErf1KfsjDBFCmOqIfUYPLRnKU/VeBdVpf."


# ----------------------------------------------------------------------------- samples
def test_samples_present() -> None:
    assert [p.name for p in SAMPLES] == ["baremetal.json", "core-efi.json", "core-legacy.json", "full.json"]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_converts_and_round_trips(path: Path) -> None:
    assert detect_format(path.read_text()) == "azure"
    loaded = load_file(path)
    assert loaded.format == "azure"
    again = load_native(dump_yaml(loaded.config), "back.yaml")
    assert again == loaded.config
    assert load_native(dump_json(loaded.config), "back.json") == loaded.config


def test_core_efi_mapping() -> None:
    c = load_file(AZURE / "core-efi.json").config
    st = c.storage
    assert st.firmware == "uefi" and st.table == "gpt" and st.layout == "manual"
    p = st.partitions or []
    assert [(x.mount, x.fs, x.size, x.mount_options) for x in p] == [
        ("/boot/efi", "vfat", "512MiB", "umask=0077"), ("/", "ext4", "rest", None)]
    assert c.system.hostname == "azurelinux"
    assert c.packages.set == "custom" and "cloud-init" in c.packages.custom and c.packages.excludedocs


def test_core_legacy_bios_grub_partition() -> None:
    c = load_file(AZURE / "core-legacy.json").config
    assert c.storage.firmware == "bios"
    assert [(x.fs, x.mount, x.size) for x in c.storage.partitions or []] == [
        ("biosboot", None, "8MiB"), ("ext4", "/", "rest")]


def test_baremetal_cmdline_selinux_and_finalize_script() -> None:
    c = load_file(AZURE / "baremetal.json").config
    assert c.system.selinux == "enforcing" and c.system.hostname == "azure-linux"
    assert c.bootloader.append == "console=tty0 console=ttyS0 rd.info log_buf_len=1M"
    assert [s.interpreter for s in c.scripts.post] == ["/bin/bash"]
    assert "cleanup" in c.scripts.post[0].body and c.scripts.post[0].chroot
    assert "dracut-megaraid" in c.packages.custom and "selinux-policy" in c.packages.custom


def test_full_json_picks_first_config_with_warning_and_maps_sets() -> None:
    loaded = load_file(AZURE / "full.json")
    assert loaded.hints["system_config"] == "Azure Linux Full"
    assert any("none is IsDefault" in w for w in loaded.warnings)
    c = loaded.config
    assert (c.packages.set, c.packages.hypervisor_packages, c.system.selinux) == ("full", "always", "permissive")
    assert c.storage.layout == "guided"  # no Disks: the installer's own disk choice
    body = c.scripts.post[0].body
    assert "/etc/systemd/network/99-dhcp-en.network" in body and "DHCP=yes" in body


def test_full_json_core_by_name() -> None:
    text = (AZURE / "full.json").read_text()
    loaded = load_azure(text, "full.json", base_dir=AZURE, system_config="Azure Linux Core")
    assert loaded.config.packages.set == "core" and loaded.config.system.selinux is None
    assert not any("IsDefault" in w for w in loaded.warnings)


def test_package_lists_fall_back_to_shipped_copies(tmp_path: Path) -> None:
    shipped = ROOT / "installer" / "backend" / "payload" / "data" / "core-packages-image.json"
    if not shipped.exists():
        pytest.skip("the payload's shipped package lists are not in this tree yet")
    shutil.copy(AZURE / "full.json", tmp_path / "full.json")
    (tmp_path / "additionalconfigs").mkdir()
    shutil.copy(AZURE / "additionalconfigs" / "99-dhcp-en.network", tmp_path / "additionalconfigs")
    assert load_file(tmp_path / "full.json").config.packages.set == "full"


def test_missing_package_list_names_file(tmp_path: Path) -> None:
    data = json.loads((AZURE / "core-efi.json").read_text())
    data["SystemConfigs"][0]["PackageLists"].insert(1, "packagelists/not-shipped-anywhere.json")
    (tmp_path / "core-efi.json").write_text(json.dumps(data, indent=4))
    with pytest.raises(InvalidInput) as ei:
        load_file(tmp_path / "core-efi.json")
    out = str(ei.value)
    assert "SystemConfigs[0].PackageLists[1]" in out and "not-shipped-anywhere.json" in out
    assert f"{tmp_path / 'core-efi.json'}:" in out
    assert "PackageLists[0]" not in out  # hyperv-packages: found among the shipped copies


PLANNABLE = ["two-disks.json", "nvme-laptop.json"]


@pytest.mark.parametrize("machine", PLANNABLE)
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_plans_against_recorded_machines(path: Path, machine: str) -> None:
    config = load_file(path).config
    m = load_machine(MACHINES / machine)
    plan = make_plan(config, m)
    # storage planning is the storage step's: the sample must erase exactly the largest disk
    largest = max(m.disks, key=lambda d: d.size).path
    assert plan.erase == [largest], plan.summary
    assert any(largest in line and "ERASED" in line for line in plan.summary)


def test_sample_too_small_machine_is_invalid_input_not_crash() -> None:
    config = load_file(AZURE / "full.json").config
    try:
        make_plan(config, load_machine(MACHINES / "small-vm.json"))
    except InvalidInput as exc:
        assert "small" in str(exc) or "short" in str(exc)


# ----------------------------------------------------------------------------- field mapping
def base() -> dict[str, Any]:
    return {
        "Disks": [{
            "PartitionTableType": "gpt", "MaxSize": 4096,
            "TargetDisk": {"Type": "path", "Value": "/dev/vda"},
            "Artifacts": [{"Name": "x", "Type": "vhdx"}],
            "Partitions": [
                {"ID": "esp", "Flags": ["esp", "boot"], "Start": 1, "End": 601, "FsType": "fat32"},
                {"ID": "boot", "Start": 601, "End": 1625, "FsType": "ext4", "Name": "boot"},
                {"ID": "swap", "Start": 1625, "End": 2649, "FsType": "linux-swap"},
                {"ID": "root", "Flags": ["dmroot"], "Start": 2649, "End": 0, "FsType": "xfs", "Name": "rootfs"},
            ]}],
        "SystemConfigs": [{
            "Name": "S", "IsDefault": True, "BootType": "efi", "Hostname": "host-1",
            "PartitionSettings": [
                {"ID": "esp", "MountPoint": "/boot/efi", "MountOptions": "umask=0077"},
                {"ID": "boot", "MountPoint": "/boot", "MountIdentifier": "partlabel"},
                {"ID": "root", "MountPoint": "/", "MountIdentifier": "uuid"}],
            "Encryption": {"Enable": True, "Password": PASS},
            "Users": [
                {"Name": "root", "Password": "R00t-password-1"},
                {"Name": "alice", "UID": 1500, "Password": HASH, "PasswordHashed": True,
                 "SSHPubKeys": ["ssh-ed25519 AAAAC3Nza alice@h"], "SecondaryGroups": ["wheel", "audio", "devs"],
                 "StartupCommand": "/bin/zsh"}],
            "Groups": [{"Name": "devs", "GID": 2000}],
            "Networks": [
                {"BootProto": "static", "Device": "eth0", "Ip": "192.0.2.5", "NetMask": "255.255.255.0",
                 "GateWay": "192.0.2.1", "NameServers": ["192.0.2.53"], "OnBoot": True},
                {"BootProto": "dhcp", "Device": "eth1", "NameServer": "1.1.1.1", "OnBoot": False}],
            "PackageRepos": [{"Name": "extras", "BaseUrl": "https://example.com/extras", "GPGCheck": False,
                              "Install": True}],
            "Packages": ["vim", "tmux"],
            "KernelCommandLine": {"SELinux": "force_enforcing", "CGroup": "version_one",
                                  "ImaPolicy": ["tcb"], "ExtraCommandLine": "quiet"},
            "KernelOptions": {"default": "kernel"},
            "DisableRpmDocs": True,
        }],
    }


def az(data: dict[str, Any], base_dir: Path = AZURE, **kw: Any) -> Loaded:
    return load_azure(json.dumps(data, indent=2), "c.json", base_dir=base_dir, **kw)


def az_errors(data: dict[str, Any], **kw: Any) -> list[str]:
    with pytest.raises(InvalidInput) as ei:
        az(data, **kw)
    return [i.format() for i in ei.value.issues]


def test_full_field_mapping() -> None:
    loaded = az(base())
    c = loaded.config
    st = c.storage
    assert st.disks[0].path == "/dev/vda" and st.firmware == "uefi"
    assert [(p.mount, p.fs, p.size, p.label, p.encrypt) for p in st.partitions or []] == [
        ("/boot/efi", "vfat", "600MiB", None, False), ("/boot", "ext4", "1024MiB", "boot", False),
        (None, "swap", "1024MiB", None, False), ("/", "xfs", "rest", "rootfs", True)]
    assert st.encryption.enabled and st.encryption.passphrase is not None
    assert st.encryption.passphrase.get_secret_value() == PASS
    assert c.root.password_hash and verify_password("R00t-password-1", c.root.password_hash)
    u = c.users[0]
    assert (u.name, u.uid, u.password_hash, u.admin, u.groups, u.shell, u.ssh_keys) == (
        "alice", 1500, HASH, True, ["audio", "devs"], "/bin/zsh", ["ssh-ed25519 AAAAC3Nza alice@h"])
    assert [(g.name, g.gid) for g in c.groups] == [("devs", 2000)]  # made before the users
    assert not c.scripts.post
    i0, i1 = c.system.network.interfaces
    assert (i0.name, i0.dhcp, i0.addresses, i0.gateway, i0.dns) == (
        "eth0", False, ["192.0.2.5/24"], "192.0.2.1", ["192.0.2.53"])
    assert (i1.name, i1.dhcp, i1.dns, i1.onboot) == ("eth1", True, ["1.1.1.1"], False)
    r = c.packages.repositories[0]
    assert (r.name, r.baseurl, r.gpgcheck) == ("extras", "https://example.com/extras", False)
    assert c.packages.set == "custom" and c.packages.custom == ["vim", "tmux"] and c.packages.excludedocs
    assert c.system.selinux == "enforcing" and c.system.hostname == "host-1"
    assert c.bootloader.append == "enforcing=1 systemd.unified_cgroup_hierarchy=0 ima_policy=tcb quiet"
    assert any("Users[0].Password" in w and "hashed" in w for w in loaded.warnings)


def test_boot_type_none_and_legacy() -> None:
    d = base()
    d["SystemConfigs"][0]["BootType"] = "none"
    assert az(d).config.bootloader.location == "none"
    d["SystemConfigs"][0]["BootType"] = "legacy"
    assert az(d).config.storage.firmware == "bios"


def test_is_default_picks_second() -> None:
    d = base()
    other = copy.deepcopy(d["SystemConfigs"][0])
    d["SystemConfigs"][0]["IsDefault"] = False
    other.update(Name="T", Hostname="picked")
    d["SystemConfigs"].append(other)
    loaded = az(d)
    assert loaded.hints["system_config"] == "T" and loaded.config.system.hostname == "picked"


def test_scripts_and_additional_files(tmp_path: Path) -> None:
    (tmp_path / "pre.sh").write_text("#!/bin/bash\necho pre \"$1\"\n")
    (tmp_path / "post.py").write_text("#!/usr/bin/env python3\nprint('post')\n")
    (tmp_path / "motd").write_text("hello\n")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01binary")
    (tmp_path / "key.pub").write_text("# comment\nssh-ed25519 AAAAfile k@h\n")
    d = base()
    sc = d["SystemConfigs"][0]
    sc["PreInstallScripts"] = [{"Path": "pre.sh", "Args": "--flag value"}]
    sc["PostInstallScripts"] = [{"Path": "post.py"}]
    sc["AdditionalFiles"] = {"motd": "/etc/motd", "blob.bin": [{"Path": "/opt/blob", "Permissions": "0600"}]}
    sc["Users"][1]["SSHPubKeyPaths"] = ["key.pub"]
    c = az(d, base_dir=tmp_path).config
    pre = c.scripts.pre[0]
    assert (pre.interpreter, pre.chroot) == ("/bin/bash", False)
    assert pre.body.startswith("#!/bin/bash\nset -- --flag value\n")
    files, post = c.scripts.post
    assert "cat > /etc/motd <<'AZL_FILE_EOF'\nhello\nAZL_FILE_EOF" in files.body
    assert "base64 -d > /opt/blob" in files.body and "chmod 0600 /opt/blob" in files.body
    assert post.interpreter == "/usr/bin/python3" and post.chroot
    assert c.users[0].ssh_keys[-1] == "ssh-ed25519 AAAAfile k@h"


def _set(d: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    cur: Any = d
    for p in path[:-1]:
        cur = cur[p]
    if value is _DEL:
        del cur[path[-1]]
    else:
        cur[path[-1]] = value
    return d


_DEL = object()
SC = ("SystemConfigs", 0)
P = ("Disks", 0, "Partitions")


@pytest.mark.parametrize(("path", "value", "key", "needle"), [
    (("SystemConfigs",), [], "SystemConfigs", "no SystemConfig"),
    (("SystemConfigs",), _DEL, "SystemConfigs", "no SystemConfig"),
    ((*P, 1, "ID"), "esp", "Disks[0].Partitions[1].ID", "duplicate partition ID 'esp'"),
    ((*P, 3, "Flags"), [], "SystemConfigs[0].Encryption", "dmroot"),
    ((*P, 1, "Name"), _DEL, "SystemConfigs[0].PartitionSettings[1].MountIdentifier", "partlabel"),
    (("Disks", 0, "PartitionTableType"), "mbr", "SystemConfigs[0].PartitionSettings[1].MountIdentifier",
     "partlabel"),
    ((*SC, "Encryption", "Password"), "short", "SystemConfigs[0].Encryption.Password", "at least 8"),
    ((*SC, "Encryption", "Password"), _DEL, "SystemConfigs[0].Encryption", "Password is needed"),
    ((*SC, "Hostname"), "bad_host", "SystemConfigs[0].Hostname", "bad_host"),
    ((*SC, "Hostnme"), "x", "SystemConfigs[0].Hostnme", "did you mean 'Hostname'"),
    ((*SC, "BootType"), "uefi", "SystemConfigs[0].BootType", "efi, legacy or none"),
    ((*SC, "Users", 1, "UID"), 12, "SystemConfigs[0].Users[1].UID", "1000"),
    ((*SC, "PackageLists"), ["nope/list.json"], "SystemConfigs[0].PackageLists[0]", "list.json"),
    ((*SC, "PostInstallScripts"), [{"Path": "missing.sh"}], "SystemConfigs[0].PostInstallScripts[0].Path",
     "missing.sh"),
    ((*SC, "AdditionalFiles"), {"nofile": "/etc/x"}, "SystemConfigs[0].AdditionalFiles.nofile", "does not exist"),
    ((*SC, "Networks", 0, "NetMask"), "255.0.255.0", "SystemConfigs[0].Networks[0].NetMask", "netmask"),
    ((*SC, "Networks", 0, "Device"), _DEL, "SystemConfigs[0].Networks[0]", "Device"),
    ((*SC, "KernelOptions"), {"default": ""}, "SystemConfigs[0].KernelOptions.default", "empty kernel entry"),
    ((*SC, "KernelOptions"), {"_c": "x", "default": "bad name"}, "SystemConfigs[0].KernelOptions.default",
     "not a package name"),
    ((*SC, "PartitionSettings", 2, "ID"), "nope", "SystemConfigs[0].PartitionSettings[2].ID", "no partition"),
    ((*P, 1, "End"), 100, "Disks[0].Partitions[1].End", "must be after Start"),
    ((*SC, "Users", 0, "Name"), "alice", "SystemConfigs[0].Users[1].Name", "defined twice"),
    ((*P, 1, "FsType"), "ntfs", "Disks[0].Partitions[1].FsType", "not supported"),
    ((*P, 1, "Flags"), ["weird"], "Disks[0].Partitions[1].Flags", "unknown flag"),
    ((*SC, "PackageRepos", 0, "BaseUrl"), "nfs://x", "SystemConfigs[0].PackageRepos[0].BaseUrl", "repository URL"),
])
def test_bad_config_names_key_path(path: tuple[Any, ...], value: Any, key: str, needle: str) -> None:
    out = az_errors(_set(base(), path, value))
    assert any(f": {key}: " in o and needle in o for o in out), out
    assert all(o.startswith("c.json:") for o in out)
    assert any(o.split(":")[1].isdigit() for o in out)  # a line number


def test_kernel_options_required_for_a_custom_set_only() -> None:
    d = base()
    del d["SystemConfigs"][0]["KernelOptions"]
    out = az_errors(d)  # Packages makes a custom set: no kernel would be installed
    assert any(": SystemConfigs[0]: KernelOptions.default is needed" in o for o in out), out
    core = ("grub2-mkconfig", "core-packages-image")
    d["SystemConfigs"][0]["PackageLists"] = [f"packagelists/{n}.json" for n in core]
    del d["SystemConfigs"][0]["Packages"]
    loaded = az(d)  # the core set brings its kernel
    assert loaded.config.packages.set == "core" and any("KernelOptions.default" in w for w in loaded.warnings)
    d["SystemConfigs"][0]["KernelOptions"] = {"default": "kernel-hwe", "hwe2": "kernel-64k"}
    loaded = az(d)
    assert loaded.config.packages.kernel == "kernel-hwe"
    assert any("KernelOptions.hwe2" in w and "installs only KernelOptions.default" in w for w in loaded.warnings)


def test_two_is_default() -> None:
    d = base()
    d["SystemConfigs"].append(dict(copy.deepcopy(d["SystemConfigs"][0]), Name="T"))
    out = az_errors(d)
    assert any("SystemConfigs[1].IsDefault" in o and "more than one" in o for o in out)


def test_unknown_system_config_name() -> None:
    out = az_errors(base(), system_config="Nope")
    assert any("no SystemConfig named 'Nope' (have: S)" in o for o in out)


def test_invalid_json_has_line_and_column() -> None:
    with pytest.raises(InvalidInput) as ei:
        load_azure('{\n  "Disks": [,\n}', "c.json")
    assert str(ei.value).startswith("c.json:2:")


def test_secrets_never_leak() -> None:
    d = base()
    loaded = az(d)
    blob = dump_yaml(loaded.config) + dump_json(loaded.config) + "\n".join(loaded.warnings) + repr(loaded)
    assert PASS not in blob and "R00t-password-1" not in blob
    d["SystemConfigs"][0]["Encryption"]["Password"] = "Sh0rt"
    d["SystemConfigs"][0]["Users"][0]["Password"] = "R00t-password-1"
    d["SystemConfigs"][0]["Hostname"] = "bad_host"
    with pytest.raises(InvalidInput) as ei:
        az(d)
    assert "Sh0rt" not in str(ei.value) and "R00t-password-1" not in str(ei.value)


def test_converted_yaml_reloads_with_passphrase_given_again() -> None:
    c = az(base()).config
    data = yaml.safe_load(dump_yaml(c))
    assert "passphrase" not in data["storage"]["encryption"]
    data["storage"]["encryption"]["passphrase"] = PASS
    again = load_native(yaml.safe_dump(data), "b.yaml")
    assert again.storage.partitions == c.storage.partitions
