"""The value grammars (installer/backend/grammar.py): what passes and what is refused."""

from __future__ import annotations

import pytest

from installer.backend import grammar as g


@pytest.mark.parametrize("name", ["kernel", "python3-pip", "gcc-c++", "kernel-6.6.1-1.azl3", "python3-*",
                                  "_x", "lib[xy]z", "foo-1:2.3~rc1^git"])
def test_package_names_ok(name: str) -> None:
    assert g.package_problem(name) is None


@pytest.mark.parametrize("name", ["--nogpgcheck", "--installroot=/", "-x", "a b", "a\nb", "", "a;b", "$(id)",
                                  "a/b", "pkgconfig(x)", "é", "a\tb", "x" * 256])
def test_package_names_refused(name: str) -> None:
    assert g.package_problem(name)


@pytest.mark.parametrize("url", ["https://packages.microsoft.com/azurelinux/$releasever/prod/base/$basearch",
                                 "file:///srv/repo", "http://10.0.0.1:8080/r", "ftp://mirror/x", "file://localhost/r"])
def test_urls_ok(url: str) -> None:
    assert g.url_problem(url) is None


@pytest.mark.parametrize("url", ["http://x/\nsslverify=0", "http://x/\r", "http://x/ y", "gopher://x", "javascript:x",
                                 "file://host/r", "file:relative", "http:///nohost", "http://x:99999/", 'http://x/"',
                                 "http://x/\u2028", "http://x/\x00", "https://x/{a}", ""])
def test_urls_refused(url: str) -> None:
    assert g.url_problem(url)


@pytest.mark.parametrize("args", ["", "console=ttyS0,115200n8 quiet", "rd.luks.options=discard ima_policy=tcb",
                                  "systemd.unit=multi-user.target video=1024x768@60", "acpi_osi=!Linux", "a=b=c"])
def test_kernel_args_ok(args: str) -> None:
    assert g.kernel_args_problem(args) is None


@pytest.mark.parametrize("args", ["$(cmd)", "`id`", 'a"b', "a'b'", "x;reboot", "a=$x", "a\nb", "a\\b", "--",
                                  "a|b", "a&b", "a>b", "#x", "a*", "{a}", "x=(1)", "a" * 2049])
def test_kernel_args_refused(args: str) -> None:
    assert g.kernel_args_problem(args)


@pytest.mark.parametrize("name", ["eth0", "en*", "enp0s3", "bond0.100", "wlan[01]", "x" * 15])
def test_interfaces_ok(name: str) -> None:
    assert g.interface_problem(name) is None


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "a:b", "a b", "eth0\n[Network]", "x" * 16, "!eth0",
                                  "eth\x000", "é"])
def test_interfaces_refused(name: str) -> None:
    assert g.interface_problem(name)


@pytest.mark.parametrize("port", ["1/tcp", "65535/udp", "6000-6010/tcp"])
def test_ports_ok(port: str) -> None:
    assert g.port_problem(port) is None


@pytest.mark.parametrize("port", ["0/tcp", "65536/tcp", "\u0668\u0660/tcp", "\uff18\uff10/tcp", "80", "10-5/tcp",
                                  "80/sctp", "80/tcp\n", " 80/tcp"])
def test_ports_refused(port: str) -> None:
    assert g.port_problem(port)


@pytest.mark.parametrize(("fn", "value"), [
    (g.path_problem, "/home"), (g.path_problem, "/var/lib/x-y_z.1"), (g.group_problem, "docker"),
    (g.unit_problem, "sshd.service"), (g.unit_problem, "getty@tty1.service"), (g.timezone_problem, "Europe/Berlin"),
    (g.locale_problem, "en_US.UTF-8"), (g.keymap_problem, "de-latin1"), (g.cipher_problem, "aes-xts-plain64"),
    (g.mount_options_problem, "defaults,noatime"), (g.hash_problem, "$6$abc$def/.x"), (g.label_problem, "EFI System"),
    (g.releasever_problem, "3.0"), (g.gecos_problem, "Ada Lovelace, Room 1"),
])
def test_ok(fn: object, value: str) -> None:
    assert fn(value) is None  # type: ignore[operator]


@pytest.mark.parametrize(("fn", "value"), [
    (g.path_problem, "relative"), (g.path_problem, "/a/../etc"), (g.path_problem, "/a b"), (g.path_problem, "/a\nb"),
    (g.path_problem, "/a//b"), (g.group_problem, "wheel,root"), (g.group_problem, "-x"), (g.group_problem, "a\n"),
    (g.unit_problem, "--global"), (g.unit_problem, "a b"), (g.timezone_problem, "../../etc/shadow"),
    (g.locale_problem, "en_US\nLC_ALL=x"), (g.keymap_problem, "us\nFONT=x"), (g.cipher_problem, "--x"),
    (g.mount_options_problem, "defaults 0 0"), (g.hash_problem, "$6$x\nroot:$6$y"), (g.hash_problem, "$6$a:b"),
    (g.label_problem, "-L"), (g.releasever_problem, "--x"), (g.gecos_problem, "a:b"), (g.gecos_problem, "a\nb"),
    (g.ssh_key_problem, "ssh-ed25519 AAAA\nssh-rsa BBBB"),
])
def test_refused(fn: object, value: str) -> None:
    assert fn(value)  # type: ignore[operator]


def test_messages_escape_control_characters() -> None:
    msg = g.package_problem("a\nb\x1b[31m")
    assert msg is not None and "\n" not in msg and "\x1b" not in msg and "\\n" in msg


def test_require_safe() -> None:
    assert g.require_safe("eth0", "an interface name") == "eth0"
    with pytest.raises(g.UnsafeValue):
        g.require_safe("eth0\nDNS=1", "an interface name")
    with pytest.raises(g.UnsafeValue):
        g.require_safe('a"b', "a kernel argument", extra='"')


def test_ui_flow_pages_use_the_same_rules() -> None:
    """Both UIs validate through the flow: the user page refuses what the config refuses."""
    from installer.backend.flow_state import FlowState, ManualPartition
    from installer.backend.flow_validate import validate_page, validate_partition
    from installer.backend.machine import Machine

    state = FlowState()
    state.full_name, state.username = "x:0:0::/:/bin/sh", "ada"
    issues = validate_page("user", state, Machine())
    assert any(i.field == "full_name" and i.blocking for i in issues)
    state.full_name = "Ada Lovelace"
    assert not any(i.field == "full_name" for i in validate_page("user", state, Machine()))
    assert validate_partition(ManualPartition(mount="/a b", size="1GiB", fs="ext4"))
