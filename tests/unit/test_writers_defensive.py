"""The .repo, .network and /etc/default/grub writers refuse a control character (or a character
that would be re-read by the shell) even when a value got past the config model."""

from __future__ import annotations

import pytest

from installer.backend.config import Interface
from installer.backend.grammar import UnsafeValue
from installer.backend.payload.repos import RepoSpec, repo_file
from installer.backend.steps.bootloader import default_grub
from installer.backend.sysconfig.network import network_file


def _bypass(iface: Interface, **values: object) -> Interface:
    for k, v in values.items():
        object.__setattr__(iface, k, v)  # as if something skipped validation
    return iface


@pytest.mark.parametrize("url", ["http://x/\nsslverify=0", "http://x/\rgpgcheck=0", "http://x/ y", "http://x/\x85"])
def test_repo_file_refuses(url: str) -> None:
    with pytest.raises(UnsafeValue):
        repo_file([RepoSpec("r", url, (), True, "config")])
    with pytest.raises(UnsafeValue):
        repo_file([RepoSpec("r", "http://x/", (url,), True, "config")])
    assert "baseurl=http://x/\n" in repo_file([RepoSpec("r", "http://x/", (), True, "config")])


@pytest.mark.parametrize(("field", "value"), [("name", "eth0\n[Network]"), ("dns", ["1.1.1.1\nDNS=9.9.9.9"]),
                                              ("gateway", "10.0.0.1\u2028x"), ("addresses", ["10.0.0.2/24\rX"])])
def test_network_file_refuses(field: str, value: object) -> None:
    iface = Interface(name="eth0", dhcp=False, addresses=["10.0.0.2/24"])
    with pytest.raises(UnsafeValue):
        network_file(_bypass(iface, **{field: value}))


@pytest.mark.parametrize("token", ["$(id)", "`id`", 'a"b', "a\\b", "a\nb", "x;y"])
def test_default_grub_refuses(token: str) -> None:
    with pytest.raises(UnsafeValue):
        default_grub(["root=UUID=1", token], 5)


def test_default_grub_quotes() -> None:
    text = default_grub(["root=UUID=abc", "console=ttyS0,115200n8", "rd.lvm.lv=vg/root"], 3)
    assert 'GRUB_CMDLINE_LINUX="root=UUID=abc console=ttyS0,115200n8 rd.lvm.lv=vg/root"\n' in text
