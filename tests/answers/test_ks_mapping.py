"""Kickstart -> InstallConfig: one test (or parameter) per command and option, plus round trips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from installer.backend.answers.kickstart import load_kickstart
from installer.backend.answers.load import Loaded, detect_format, load_text
from installer.backend.answers.native import dump_json, dump_yaml, load_native
from installer.backend.config import InstallConfig
from installer.backend.passwords import verify_password

HASH = "$6$UMv7iitZq9GPIxaO$QuEnyVHZchm9vw7Q403ZS5AOT42T0K1l71xJXwisKpWeGVvh7P/aErf1KfsjDBFCmOqIfUYPLRnKU/VeBdVpf."
PASS = "Tr0ub4dor-and-3-more"


def ks(text: str, **kw: Any) -> Loaded:
    return load_kickstart(text, "t.ks", base_dir=Path("."), **kw)


def cfg(text: str) -> InstallConfig:
    return ks(text).config


def dumped(c: InstallConfig) -> dict[str, Any]:
    return c.model_dump(mode="json")


# ----------------------------------------------------------------------------- storage
def test_clearpart_drives_and_disklabel() -> None:
    c = cfg("clearpart --all --initlabel --drives=sda,/dev/sdb --disklabel=msdos\nautopart\n")
    assert [d.path for d in c.storage.disks] == ["/dev/sda", "/dev/sdb"]
    assert c.storage.table == "mbr"
    assert cfg("clearpart --all --drives=sda --disklabel=gpt\nautopart\n").storage.table == "gpt"


def test_disk_by_id_and_by_path() -> None:
    c = cfg("clearpart --all --drives=disk/by-id/virtio-x,/dev/disk/by-id/ata-y\nautopart\n")
    assert [d.by_id for d in c.storage.disks] == ["virtio-x", "ata-y"]
    c = cfg("clearpart --all --drives=/dev/disk/by-path/pci-0000:00:04.0\nautopart\n")
    assert c.storage.disks[0].path == "/dev/disk/by-path/pci-0000:00:04.0"


def test_ignoredisk_only_use_selects_disks() -> None:
    c = cfg("ignoredisk --only-use=vdb\nclearpart --all\nautopart\n")
    assert [d.path for d in c.storage.disks] == ["/dev/vdb"]


def test_ignoredisk_drives_with_named_target_ok() -> None:
    c = cfg("ignoredisk --drives=sdb\nclearpart --all --drives=sda\nautopart\n")
    assert [d.path for d in c.storage.disks] == ["/dev/sda"]


def test_zerombr_accepted() -> None:
    c = cfg("zerombr\nclearpart --all --drives=sda\nautopart\n")
    assert c.storage.disks[0].path == "/dev/sda"


def test_no_disk_named_keeps_default_largest_with_warning() -> None:
    loaded = ks("clearpart --all\nautopart\n")
    assert loaded.config.storage.disks[0].match is not None
    assert any("without --drives" in w for w in loaded.warnings)


def test_clearpart_linux_clears_linux_partitions_only() -> None:
    loaded = ks("clearpart --linux --drives=sda\nautopart\n")
    assert [d.clear for d in loaded.config.storage.disks] == ["linux"]


def test_missing_clearpart_keeps_every_partition() -> None:
    """Anaconda: no clearpart removes nothing; new partitions go into free space."""
    loaded = ks("autopart\n")
    assert [d.clear for d in loaded.config.storage.disks] == ["none"]
    assert not any("no clearpart" in w for w in loaded.warnings)


def test_clearpart_drives_clears_only_those_disks() -> None:
    c = cfg("ignoredisk --only-use=sda,sdb\nclearpart --all --drives=sda\npart / --size=100 --ondisk=sdb\n")
    assert [(d.path, d.clear) for d in c.storage.disks] == [("/dev/sda", "all"), ("/dev/sdb", "none")]


def test_onpart_usepart_noformat_and_mount_become_existing() -> None:
    c = cfg("clearpart --none\npart /boot/efi --onpart=vda1 --noformat\npart / --usepart=/dev/vda2 --fstype=xfs\n"
            "part swap --onpart=vda3\n")
    e = c.storage.existing
    assert [(x.device, x.mount, x.format, x.fs) for x in e] == [
        ("/dev/vda1", "/boot/efi", False, None), ("/dev/vda2", "/", True, "xfs"), ("/dev/vda3", None, True, "swap")]
    assert [d.path for d in c.storage.disks] == ["/dev/vda"] and c.storage.partitions == []
    c = cfg("mount /dev/vda2 / --reformat=xfs --mkfsoptions='-m crc=1'\nmount LABEL=home /home "
            "--mountoptions=nodev,nosuid\n")
    e = c.storage.existing
    assert [(x.device, x.mount, x.format, x.fs, x.mkfs_options, x.mount_options) for x in e] == [
        ("/dev/vda2", "/", True, "xfs", "-m crc=1", None), ("LABEL=home", "/home", False, None, None, "nodev,nosuid")]


@pytest.mark.parametrize(("opts", "expect"), [
    ("", {"lvm": True, "root_fs": "ext4", "swap": "1GiB", "separate_home": False}),
    ("--type=lvm", {"lvm": True}),
    ("--type=plain", {"lvm": False}),
    ("--nolvm", {"lvm": False}),
    ("--fstype=xfs", {"root_fs": "xfs"}),
    ("--fstype=ext4", {"root_fs": "ext4"}),
    ("--noswap", {"swap": "0"}),
    ("--nohome", {"separate_home": False}),
])
def test_autopart_options(opts: str, expect: dict[str, Any]) -> None:
    g = cfg(f"clearpart --all --drives=sda\nautopart {opts}\n").storage.guided
    assert g is not None
    for k, v in expect.items():
        assert getattr(g, k) == v, k


@pytest.mark.parametrize(("opts", "field", "value"), [
    ("--luks-version=luks1", "luks_version", "luks1"),
    ("--luks-version=luks2", "luks_version", "luks2"),
    ("--pbkdf=argon2i", "pbkdf", "argon2i"),
    ("--pbkdf=pbkdf2 --pbkdf-iterations=100000", "pbkdf_iterations", 100000),
    ("--pbkdf-memory=65536", "pbkdf_memory_kib", 65536),
    ("--pbkdf-time=2000", "pbkdf_time_ms", 2000),
    ("--cipher=aes-cbc-essiv:sha256", "cipher", "aes-cbc-essiv:sha256"),
])
def test_autopart_encryption(opts: str, field: str, value: object) -> None:
    c = cfg(f"clearpart --all --drives=sda\nautopart --encrypted --passphrase={PASS} {opts}\n")
    enc = c.storage.encryption
    assert enc.enabled and enc.passphrase is not None and enc.passphrase.get_secret_value() == PASS
    assert getattr(enc, field) == value


def test_part_sizes_grow_maxsize_fstype_label_ondisk() -> None:
    c = cfg(
        "clearpart --all --drives=sda,sdb\n"
        "part /boot/efi --size=600 --fstype=efi --ondisk=sda\n"
        "part /boot --size=1024 --fstype=ext4 --label=boot --ondisk=sda\n"
        "part / --size=4096 --grow --maxsize=20480 --fstype=xfs --ondisk=sda --fsoptions=noatime\n"
        "part /data --grow --fstype=btrfs --ondisk=sdb\n"
    )
    p = c.storage.partitions
    assert p is not None
    assert (p[0].mount, p[0].size, p[0].fs) == ("/boot/efi", "600MiB", "vfat")
    assert (p[1].label, p[1].fs, p[1].disk) == ("boot", "ext4", 0)
    assert (p[2].size, p[2].grow, p[2].max_size, p[2].fs, p[2].mount_options) == (
        "4096MiB", True, "20480MiB", "xfs", "noatime")  # --size is the base --grow grows from (Anaconda)
    assert (p[3].size, p[3].grow) == ("500MiB", True)  # no --size: blivet's default 500 MiB
    assert (p[3].mount, p[3].disk, p[3].fs) == ("/data", 1, "btrfs")


def test_part_ondisk_collects_disks_in_order() -> None:
    c = cfg("part / --size=4096 --ondisk=vdb\npart /srv --size=100 --ondisk=vda\n")
    assert [d.path for d in c.storage.disks] == ["/dev/vdb", "/dev/vda"]
    assert [p.disk for p in c.storage.partitions or []] == [0, 1]


def test_part_swap_biosboot_efi_default() -> None:
    c = cfg("clearpart --all --drives=sda\npart biosboot --size=1\npart biosboot --fstype=biosboot\n"
            "part swap --size=2048\npart /boot/efi --size=512\npart / --size=1 --grow\n")
    p = c.storage.partitions or []
    assert [x.fs for x in p] == ["biosboot", "biosboot", "swap", "vfat", "ext4"]
    assert p[0].mount is None and p[2].mount is None
    assert p[1].size == "1MiB"


def test_part_encrypted() -> None:
    c = cfg(f"clearpart --all --drives=sda\npart / --size=5000 --encrypted --passphrase={PASS} --luks-version=luks1\n")
    p = (c.storage.partitions or [])[0]
    assert p.encrypt and c.storage.encryption.enabled and c.storage.encryption.luks_version == "luks1"


def test_reqpart_adds_platform_partitions() -> None:
    c = cfg("clearpart --all --drives=sda\nreqpart --add-boot\npart / --size=1 --grow\n")
    p = c.storage.partitions or []
    assert [(x.mount, x.fs, x.size) for x in p] == [
        ("/boot/efi", "vfat", "600MiB"), (None, "biosboot", "1MiB"), ("/boot", "ext4", "1GiB"), ("/", "ext4", "1MiB")]
    assert p[-1].grow


def test_reqpart_skips_what_is_given_and_biosboot_on_mbr() -> None:
    c = cfg("clearpart --all --drives=sda --disklabel=msdos\nreqpart\n"
            "part /boot/efi --size=700\npart / --size=1 --grow\n")
    p = c.storage.partitions or []
    assert [x.mount for x in p] == ["/boot/efi", "/"]


def test_volgroup_logvol() -> None:
    c = cfg(
        "clearpart --all --drives=sda\npart /boot --size=1024\npart pv.01 --size=1 --grow\npart pv.02 --size=1000\n"
        "volgroup vg0 pv.01 pv.02\n"
        "logvol / --vgname=vg0 --name=root --size=1000 --grow --maxsize=8000 --fstype=xfs --label=r\n"
        "logvol /home --vgname=vg0 --name=home --percent=30\n"
        "logvol swap --vgname=vg0 --name=swap --size=512\n"
    )
    st = c.storage
    assert [v.name for v in st.volume_groups] == ["vg0"]
    pvs = [p for p in st.partitions or [] if p.vg]
    assert [(p.vg, p.fs) for p in pvs] == [("vg0", "none"), ("vg0", "none")]
    lv = {x.name: x for x in st.logical_volumes}
    assert (lv["root"].size, lv["root"].grow, lv["root"].max_size, lv["root"].fs, lv["root"].label) == (
        "1000MiB", True, "8000MiB", "xfs", "r")
    assert lv["home"].size == "30%" and lv["home"].mount == "/home"
    assert lv["swap"].fs == "swap" and lv["swap"].mount is None


# ----------------------------------------------------------------------------- boot, accounts
def test_bootloader() -> None:
    c = cfg('bootloader --timeout=7 --append="console=ttyS0 quiet"\n')
    assert (c.bootloader.timeout, c.bootloader.append, c.bootloader.location) == (7, "console=ttyS0 quiet", "default")
    assert cfg("bootloader --location=none\n").bootloader.location == "none"
    assert cfg("bootloader --location=mbr\n").bootloader.location == "default"


def test_rootpw_iscrypted_lock_allow_ssh() -> None:
    c = cfg(f"rootpw --iscrypted --allow-ssh {HASH}\n")
    assert c.root.password_hash == HASH and c.root.allow_ssh and not c.root.locked
    c = cfg("rootpw --lock\n")
    assert c.root.locked and c.root.password_hash is None
    c = cfg(f"rootpw --lock --iscrypted {HASH}\n")
    assert c.root.locked and c.root.password_hash == HASH


@pytest.mark.parametrize("line", ["rootpw --plaintext S3cret-root-pw", "rootpw S3cret-root-pw"])
def test_rootpw_plaintext_hashed_with_warning(line: str) -> None:
    loaded = ks(line + "\n")
    h = loaded.config.root.password_hash
    assert h and verify_password("S3cret-root-pw", h)
    assert any("line 1: rootpw" in w and "hashed" in w for w in loaded.warnings)
    assert "S3cret-root-pw" not in dump_yaml(loaded.config) + "".join(loaded.warnings)


def test_user_all_options() -> None:
    c = cfg(f'user --name=alice --groups=wheel,adm,video --iscrypted --password={HASH} --gecos="Alice A" '
            "--uid=1500 --shell=/bin/zsh\n")
    u = c.users[0]
    assert (u.name, u.admin, u.groups, u.password_hash, u.full_name, u.uid, u.shell) == (
        "alice", True, ["adm", "video"], HASH, "Alice A", 1500, "/bin/zsh")


def test_user_plaintext_password_hashed() -> None:
    loaded = ks("user --name=bob --password=B0b-pass-word --plaintext\n")
    h = loaded.config.users[0].password_hash
    assert h and verify_password("B0b-pass-word", h) and not loaded.config.users[0].admin
    assert any("user bob" in w for w in loaded.warnings)


def test_sshkey_for_user_and_root() -> None:
    c = cfg('user --name=bob\nsshkey --username=bob "ssh-ed25519 AAAAC3Nza bob@h"\n'
            'sshkey --username=root "ssh-rsa AAAAB3Nza root@h"\n')
    assert c.users[0].ssh_keys == ["ssh-ed25519 AAAAC3Nza bob@h"]
    assert c.root.ssh_keys == ["ssh-rsa AAAAB3Nza root@h"]


# ----------------------------------------------------------------------------- system
def test_network_static() -> None:
    c = cfg("network --device=eth0 --bootproto=static --ip=192.0.2.10 --netmask=255.255.255.0 "
            "--gateway=192.0.2.1 --nameserver=192.0.2.53,192.0.2.54 --onboot=yes --activate --hostname=web1\n")
    i = c.system.network.interfaces[0]
    assert (i.name, i.dhcp, i.addresses, i.gateway, i.dns, i.onboot) == (
        "eth0", False, ["192.0.2.10/24"], "192.0.2.1", ["192.0.2.53", "192.0.2.54"], True)
    assert len(c.system.network.interfaces) == 1
    assert c.system.hostname == "web1"


def test_network_prefix_netmask_and_onboot_no() -> None:
    c = cfg("network --device=ens3 --bootproto=static --ip=10.0.0.2 --netmask=16 --onboot=no\n")
    i = c.system.network.interfaces[0]
    assert i.addresses == ["10.0.0.2/16"] and i.onboot is False


def test_network_dhcp_device_and_hostname_only() -> None:
    c = cfg("network --bootproto=dhcp --device=eth1 --nameserver=1.1.1.1\n")
    assert [(i.name, i.dhcp, i.dns) for i in c.system.network.interfaces] == [("eth1", True, ["1.1.1.1"])]
    c = cfg("network --hostname=only-name\n")
    assert c.system.hostname == "only-name"
    assert [i.name for i in c.system.network.interfaces] == ["en*", "eth*"]  # defaults kept


def test_network_activate_hint() -> None:
    assert ks("network --device=eth0 --activate\n").hints["network_activate"] == "eth0"


def test_timezone_lang_keyboard_selinux_services() -> None:
    c = cfg("timezone America/New_York --utc\nlang fr_FR.UTF-8\nkeyboard fr\nselinux --disabled\n"
            "services --enabled=sshd,chronyd --disabled=cups\n")
    s = c.system
    assert (s.timezone, s.locale, s.keyboard, s.selinux) == ("America/New_York", "fr_FR.UTF-8", "fr", "disabled")
    assert s.services.enable == ["sshd", "chronyd"] and s.services.disable == ["cups"]
    assert cfg("keyboard --vckeymap=de-nodeadkeys --xlayouts='de (nodeadkeys)'\n").system.keyboard == "de-nodeadkeys"
    assert cfg("keyboard --xlayouts='cz (qwerty)'\n").system.keyboard == "cz"
    assert cfg("selinux --enforcing\n").system.selinux == "enforcing"
    assert cfg("selinux --permissive\n").system.selinux == "permissive"


def test_firewall() -> None:
    fw = cfg("firewall --enabled --port=8080:tcp,53:udp,6000-6010:tcp --service=http,https --ssh\n").system.firewall
    assert fw.enabled and fw.ports == ["8080/tcp", "53/udp", "6000-6010/tcp"]
    assert fw.services == ["http", "https", "ssh"]
    assert cfg("firewall --disabled\n").system.firewall.enabled is False


def test_url_and_repo() -> None:
    c = cfg("url --url=https://example.com/azl/3.0/\nrepo --name=extras --baseurl=http://example.com/extras\n")
    r = c.packages.repositories
    assert [(x.name, x.baseurl) for x in r] == [("ks-url", "https://example.com/azl/3.0/"),
                                                ("extras", "http://example.com/extras")]


# ----------------------------------------------------------------------------- packages, scripts, finish
def test_packages_names_exclusions_core() -> None:
    p = cfg("%packages\n@core\nvim\ntmux\n-nano\n%end\n").packages
    assert (p.set, sorted(p.extra), p.exclude, p.excludedocs) == ("core", ["tmux", "vim"], ["nano"], False)


@pytest.mark.parametrize(("env", "expect"), [
    ("@^minimal-environment", "core"), ("@^server-product-environment", "full"),
    ("@^workstation-product-environment", "full"), ("", "core")])
def test_packages_environment_mapping(env: str, expect: str) -> None:
    assert cfg(f"%packages\n{env}\n%end\n").packages.set == expect


def test_packages_nocore_excludedocs() -> None:
    p = cfg("%packages --nocore --excludedocs\nbash\nsystemd\n%end\n").packages
    assert (p.set, p.custom, p.excludedocs) == ("custom", ["bash", "systemd"], True)


def test_pre_post_scripts() -> None:
    c = cfg("%pre --interpreter=/usr/bin/python3 --log=/tmp/pre.log --erroronfail\nprint('pre')\n%end\n"
            "%post\necho in-chroot\n%end\n"
            "%post --nochroot --log=/mnt/sysimage/root/p.log\ncp /etc/resolv.conf /mnt/sysimage/etc/\n%end\n")
    pre, post = c.scripts.pre, c.scripts.post
    assert (pre[0].interpreter, pre[0].log, pre[0].error_on_fail, pre[0].chroot, pre[0].body) == (
        "/usr/bin/python3", "/tmp/pre.log", True, False, "print('pre')\n")
    assert (post[0].chroot, post[0].interpreter, post[0].error_on_fail) == (True, "/bin/sh", False)
    assert (post[1].chroot, post[1].log) == (False, "/mnt/sysimage/root/p.log")


@pytest.mark.parametrize(("cmd", "finish"), [
    ("reboot", "reboot"), ("reboot --eject", "reboot"), ("poweroff", "poweroff"), ("shutdown", "poweroff"),
    ("halt", "none"), ("", "none")])
def test_finish(cmd: str, finish: str) -> None:
    assert cfg(cmd + "\n").finish == finish


@pytest.mark.parametrize(("cmd", "mode"), [("text", "text"), ("graphical", "graphical"), ("cmdline", "cmdline")])
def test_display_mode_hints(cmd: str, mode: str) -> None:
    assert ks(cmd + "\n").hints["display_mode"] == mode
    assert ks("text --non-interactive\n").hints["non_interactive"] == "true"


# ----------------------------------------------------------------------------- includes
def test_include_and_ksappend_relative_to_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "disk.ks").write_text("clearpart --all --drives=vda\n%include more.ks\n")
    (tmp_path / "sub" / "more.ks").write_text("autopart --type=plain\n")
    (tmp_path / "net.ks").write_text("network --hostname=inc-host\n")
    main = tmp_path / "main.ks"
    main.write_text("text\n%include sub/disk.ks\n%ksappend net.ks\n")
    from installer.backend.answers.load import load_file

    c = load_file(main).config
    assert c.storage.disks[0].path == "/dev/vda" and c.storage.guided and not c.storage.guided.lvm
    assert c.system.hostname == "inc-host"


# ----------------------------------------------------------------------------- round trips
ROUND_TRIP = [
    "clearpart --all --drives=vda\nautopart --type=lvm --fstype=xfs --noswap\n",
    f"clearpart --all --drives=vda\nautopart --encrypted --passphrase={PASS} --luks-version=luks1\n",
    "clearpart --all --drives=sda\nreqpart\npart pv.1 --size=1 --grow\nvolgroup v pv.1\n"
    "logvol / --vgname=v --name=r --size=2000 --grow --maxsize=9000\nlogvol swap --vgname=v --name=s --size=100\n",
    f"rootpw --iscrypted {HASH}\nuser --name=u1 --groups=wheel --iscrypted --password={HASH}\n",
    "network --device=eth0 --bootproto=static --ip=192.0.2.2 --netmask=255.255.255.0 --onboot=no\n",
    "timezone Asia/Tokyo\nlang ja_JP.UTF-8\nkeyboard jp\nselinux --permissive\nfirewall --port=22:tcp\n",
    "repo --name=r1 --baseurl=file:///srv/repo\n%packages --excludedocs\n@core\nvim\n-nano\n%end\npoweroff\n",
    "%pre\necho pre\n%end\n%post --nochroot --erroronfail --interpreter=/bin/bash\necho post\n%end\n",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_round_trip_through_native(text: str) -> None:
    c = cfg(text)
    assert detect_format(text) == "kickstart"
    text_back = dump_yaml(c)
    assert PASS not in text_back
    if c.storage.encryption.enabled:  # the passphrase is never written back: give it again
        data = yaml.safe_load(text_back)
        data["storage"]["encryption"]["passphrase"] = PASS
        text_back = yaml.safe_dump(data)
    again = load_native(text_back, "back.yaml")
    a, b = dumped(c), dumped(again)
    a["storage"]["encryption"].pop("passphrase", None)
    b["storage"]["encryption"].pop("passphrase", None)
    assert a == b
    j = load_text(dump_json(c), "back.json").config if not c.storage.encryption.enabled else again
    assert dumped(j)["system"] == a["system"]
