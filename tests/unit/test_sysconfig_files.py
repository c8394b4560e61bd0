"""Golden tests of the generated configuration files (pure generators)."""

from __future__ import annotations

from installer.backend.config import Firewall, Interface
from installer.backend.steps.bootloader import default_grub, dracut_argv, grub_install_argvs, kernel_cmdline
from installer.backend.storage.layout_info import LuksVolume, TargetLayout
from installer.backend.sysconfig import files, firewall, network


def test_hosts_keeps_shipped_lines_and_maps_hostname_once() -> None:
    shipped = "127.0.0.1 localhost\n::1 localhost\n127.0.1.1 old-name\n"
    assert files.hosts_file("box.example.com", shipped) == (
        "127.0.0.1 localhost\n::1 localhost\n127.0.1.1   box.example.com box\n")
    assert files.hosts_file("box", None) == (
        "127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4\n"
        "::1         localhost localhost.localdomain localhost6 localhost6.localdomain6\n"
        "127.0.1.1   box\n")


def test_small_files() -> None:
    assert files.hostname_file("h") == "h\n"
    assert files.locale_conf("de_DE.UTF-8") == "LANG=de_DE.UTF-8\n"
    assert files.vconsole_conf("de") == "KEYMAP=de\n"


def test_selinux_config_and_args() -> None:
    shipped = "# comment\nSELINUX=enforcing\nSELINUXTYPE=targeted\n"
    assert files.selinux_config("permissive", shipped) == "# comment\nSELINUX=permissive\nSELINUXTYPE=targeted\n"
    assert files.selinux_config("disabled", None) == "SELINUX=disabled\nSELINUXTYPE=targeted\n"
    assert files.selinux_kernel_args("permissive") == ["security=selinux", "selinux=1", "enforcing=0"]
    assert files.selinux_kernel_args("enforcing")[-1] == "enforcing=1"
    assert files.selinux_kernel_args("disabled") == ["selinux=0"]
    assert files.selinux_kernel_args(None) == []


def test_networkd_dhcp_and_static() -> None:
    got = network.network_files([
        Interface(name="en*"),
        Interface(name="eth1", dhcp=False, addresses=["192.0.2.10/24", "2001:db8::10/64"], gateway="192.0.2.1",
                  dns=["192.0.2.53", "192.0.2.54"]),
    ])
    assert got == {
        "10-azl-en.network": "# written by azl-installer\n[Match]\nName=en*\n\n[Network]\nDHCP=yes\n\n"
                             "[DHCPv4]\nUseDomains=true\n",
        "11-azl-eth1.network": "# written by azl-installer\n[Match]\nName=eth1\n\n[Network]\nDHCP=no\n"
                               "Address=192.0.2.10/24\nAddress=2001:db8::10/64\nGateway=192.0.2.1\n"
                               "DNS=192.0.2.53\nDNS=192.0.2.54\n",
    }


GOLDEN_RULESET = """#!/usr/sbin/nft -f
# written by azl-installer: inbound traffic is dropped except what is listed here
flush ruleset

table inet filter {
    chain input {
        type filter hook input priority filter; policy drop;
        ct state established,related accept
        ct state invalid drop
        iifname "lo" accept
        meta l4proto { icmp, ipv6-icmp } accept
        ip6 saddr fe80::/10 udp dport 546 accept comment "dhcpv6-client"
        tcp dport 22 accept comment "ssh"
        tcp dport 53 accept comment "dns"
        udp dport 53 accept comment "dns"
        udp dport 6000-6010 accept comment "6000-6010/udp"
    }

    chain forward {
        type filter hook forward priority filter; policy drop;
    }

    chain output {
        type filter hook output priority filter; policy accept;
    }
}
"""


def test_nftables_ruleset() -> None:
    assert firewall.ruleset(Firewall(services=["ssh", "dns"], ports=["6000-6010/udp"])) == GOLDEN_RULESET
    empty = firewall.ruleset(Firewall())
    assert "dport" not in empty.replace("udp dport 546", "") and "policy drop" in empty
    assert firewall.unknown_services(Firewall(services=["ssh", "gopher"])) == ["gopher"]


def test_nftables_path_follows_the_unit() -> None:
    assert firewall.ruleset_path("ExecStart=/sbin/nft -f /etc/sysconfig/nftables.conf\n") == \
        "/etc/sysconfig/nftables.conf"
    assert firewall.ruleset_path("ExecStart=/usr/sbin/nft -f /etc/nftables.conf\n") == "/etc/nftables.conf"
    assert firewall.ruleset_path(None) == "/etc/sysconfig/nftables.conf"


LAYOUT = TargetLayout(
    firmware="uefi", table="gpt", disks=["/dev/vda"], root_device="/dev/mapper/luks-root", root_fs="ext4",
    root_uuid="1111-root", esp_device="/dev/vda1",
    luks=[LuksVolume(name="luks-root", device="/dev/vda3", uuid="2222-luks")], lvm_lvs=["vg0/root"],
)


def test_kernel_cmdline_and_default_grub() -> None:
    args = kernel_cmdline(LAYOUT, "permissive", "console=ttyS0 quiet")
    assert args == ["root=UUID=1111-root", "rd.luks.uuid=2222-luks", "rd.lvm.lv=vg0/root", "security=selinux",
                    "selinux=1", "enforcing=0", "console=ttyS0", "quiet"]
    assert default_grub(args[:2], 3) == (
        "# written by azl-installer\nGRUB_TIMEOUT=3\nGRUB_DISTRIBUTOR=\"Azure Linux\"\nGRUB_DEFAULT=0\n"
        "GRUB_DISABLE_SUBMENU=true\nGRUB_TERMINAL_OUTPUT=\"console\"\n"
        "GRUB_CMDLINE_LINUX=\"root=UUID=1111-root rd.luks.uuid=2222-luks\"\n"
        "GRUB_DISABLE_RECOVERY=\"true\"\nGRUB_DISABLE_OS_PROBER=true\n")


def test_dracut_and_grub_argv() -> None:
    assert dracut_argv("6.6.1", hostonly=False, luks=True, lvm=True) == [
        "dracut", "--force", "--no-hostonly", "--add", "crypt lvm", "--kver", "6.6.1", "/boot/initramfs-6.6.1.img"]
    assert dracut_argv("6.6.1", hostonly=True, luks=False, lvm=False)[2:4] == ["--hostonly", "--kver"]
    assert grub_install_argvs(LAYOUT, efivars=False) == [[
        "grub2-install", "--target=x86_64-efi", "--efi-directory=/boot/efi", "--boot-directory=/boot", "--removable",
        "--no-nvram"]]
    assert len(grub_install_argvs(LAYOUT, efivars=True)) == 2
    bios = TargetLayout(firmware="bios", table="gpt", disks=["/dev/sda"], root_device="/dev/sda2", root_fs="ext4")
    assert grub_install_argvs(bios, efivars=False) == [
        ["grub2-install", "--target=i386-pc", "--boot-directory=/boot", "/dev/sda"]]
