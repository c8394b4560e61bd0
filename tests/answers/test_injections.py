"""Issue 14, item 2: every answer-file value that becomes an argument or a line in a file is
checked at the config boundary. Each injection the issue found is refused from each format the
value can come from (native YAML, native JSON, kickstart, Azure image config) with exit 2 and a
FILE:LINE error naming the value's line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from installer.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
MACHINE = ROOT / "tests" / "fixtures" / "machines" / "two-disks.json"
Cap = pytest.CaptureFixture[str]


def _yaml(obj: Any, indent: str = "") -> str:
    """Block YAML with every string on one line (JSON string syntax is a YAML double-quoted
    scalar), so a value's line is the line of its first character."""
    if isinstance(obj, dict):
        out = ""
        for k, v in obj.items():
            if isinstance(v, dict | list) and v:
                out += f"{indent}{k}:\n{_yaml(v, indent + '  ')}"
            else:
                out += f"{indent}{k}: {json.dumps(v)}\n"
        return out
    out = ""
    for v in obj:
        if isinstance(v, dict):
            body = _yaml(v, indent + "  ")
            out += f"{indent}- {body[len(indent) + 2:]}"
        else:
            out += f"{indent}- {json.dumps(v)}\n"
    return out


def _native(data: dict[str, Any]) -> dict[str, str]:
    doc = {"version": 1, **data}
    text = _yaml(doc)
    assert yaml.safe_load(text) == doc
    return {"yaml": text, "json": json.dumps(doc, indent=2)}


AZ_DISKS = [{"PartitionTableType": "gpt", "MaxSize": 4096, "Partitions": [
    {"ID": "esp", "Flags": ["esp", "boot"], "Start": 1, "End": 9, "FsType": "fat32"},
    {"ID": "r", "Start": 9, "End": 0, "FsType": "ext4"}]}]


def _azure(sc: dict[str, Any]) -> str:
    top: dict[str, Any] = {}
    if "PartitionSettings" in sc:
        top["Disks"] = AZ_DISKS
        sc = {**sc, "PartitionSettings": [{"ID": "esp", "MountPoint": "/boot/efi"}, *sc["PartitionSettings"]]}
    sc = {"KernelOptions": {"default": "kernel"}, **sc}
    return json.dumps({**top, "SystemConfigs": [{"Name": "t", "Hostname": "azl-test", **sc}]}, indent=2)


# (id, native data, kickstart text, azure SystemConfig (None: not expressible there), marker(s) of the
# expected line, message part)
CASES: list[tuple[str, dict[str, Any] | None, str | None, dict[str, Any] | None, Any, str]] = [
    ("package-option", {"packages": {"extra": ["--nogpgcheck", "--installroot=/"]}},
     "rootpw --lock\n%packages\n@core\n--nogpgcheck\n%end\n", {"Packages": ["--nogpgcheck"]},
     "nogpgcheck", "package name"),
    ("package-space", {"packages": {"exclude": ["a b"]}}, None, {"Packages": ["a b"]}, "a b", "package name"),
    ("repo-newline", {"packages": {"repositories": [{"name": "r", "baseurl": "http://x/\nsslverify=0"}]}},
     'rootpw --lock\nrepo --name=r --baseurl="http://x/ sslverify=0"\n',
     {"PackageRepos": [{"Name": "r", "BaseUrl": "http://x/\nsslverify=0"}]}, "sslverify", "URL"),
    ("repo-scheme", {"packages": {"repositories": [{"name": "r", "baseurl": "gopher://x/"}]}},
     "rootpw --lock\nurl --url=gopher://x/\n", {"PackageRepos": [{"Name": "r", "BaseUrl": "gopher://x/"}]},
     "gopher", "URL"),
    ("gpgkey-newline", {"packages": {"repositories": [{"name": "r", "baseurl": "http://x/",
                                                       "gpgkey": ["http://k/\ngpgcheck=0"]}]}},
     None, None, "gpgcheck=0", "URL"),
    ("kargs-subshell", {"bootloader": {"append": "$(touch /tmp/pwned)"}},
     'rootpw --lock\nbootloader --append="$(touch /tmp/pwned)"\n',
     {"KernelCommandLine": {"ExtraCommandLine": "$(touch /tmp/pwned)"}}, "pwned", "kernel argument"),
    ("kargs-backtick", {"bootloader": {"append": "quiet `id`"}}, "rootpw --lock\nbootloader --append='quiet `id`'\n",
     {"KernelCommandLine": {"ExtraCommandLine": "quiet `id`"}}, "`id`", "`"),
    ("kargs-quote", {"bootloader": {"append": 'a"b'}}, "rootpw --lock\nbootloader --append='a\"b'\n",
     {"KernelCommandLine": {"ExtraCommandLine": 'a"b'}}, ('a\\"b', 'a"b'), "kernel argument"),
    ("kargs-semicolon", {"bootloader": {"append": "quiet;reboot"}}, None,
     {"KernelCommandLine": {"ExtraCommandLine": "quiet;reboot"}}, "reboot", "kernel argument"),
    ("iface-newline", {"system": {"network": {"interfaces": [{"name": "eth0\n[Network]\nDNS=1.2.3.4"}]}}},
     "rootpw --lock\nnetwork --device=eth0/../x --bootproto=dhcp\n",
     {"Networks": [{"BootProto": "dhcp", "Device": "eth0\n[Network]\nDNS=1.2.3.4"}]}, "eth0", "interface name"),
    ("iface-too-long", {"system": {"network": {"interfaces": [{"name": "a" * 16}]}}},
     f"rootpw --lock\nnetwork --device={'a' * 16} --bootproto=dhcp\n",
     {"Networks": [{"BootProto": "dhcp", "Device": "a" * 16}]}, "a" * 16, "longer than 15"),
    ("iface-dotdot", {"system": {"network": {"interfaces": [{"name": ".."}]}}},
     "rootpw --lock\nnetwork --device=.. --bootproto=dhcp\n", {"Networks": [{"BootProto": "dhcp", "Device": ".."}]},
     "..", "interface name"),
    ("port-arabic-digits", {"system": {"firewall": {"ports": ["\u0668\u0660/tcp"]}}},
     "rootpw --lock\nfirewall --enabled --port=\u0668\u0660:tcp\n", None, "tcp", "port"),
    ("hostname-newline", {"system": {"hostname": "azl\n"}}, None, {"Hostname": "azl\nx"}, "azl", "label"),
    ("user-newline", {"users": [{"name": "bob\n"}]}, None, {"Users": [{"Name": "bob\n"}]}, "bob", "user name"),
    ("group-comma", {"users": [{"name": "bob", "groups": ["wheel,root"]}]}, None,
     {"Users": [{"Name": "bob", "SecondaryGroups": ["a\nb"]}]}, ("wheel,root", "SecondaryGroups"), "group name"),
    ("gecos-colon", {"users": [{"name": "bob", "full_name": "x:0:0::/:/bin/sh"}]},
     'rootpw --lock\nuser --name=bob --gecos="x:0:0::/:/bin/sh"\n', None, "x:0:0", "full name"),
    ("hash-newline", {"users": [{"name": "bob", "password_hash": "$6$abcdefghijklmnopqrstu\nroot:$6$x"}]}, None,
     {"Users": [{"Name": "bob", "Password": "$6$abcdefghijklmnopqrstu\nroot:$6$x", "PasswordHashed": True}]},
     "root:", "password_hash"),
    ("sshkey-newline", {"users": [{"name": "bob", "ssh_keys": ["ssh-ed25519 AAAA a\nssh-rsa BBBB evil"]}]}, None,
     {"Users": [{"Name": "bob", "SSHPubKeys": ["ssh-ed25519 AAAA a\nssh-rsa BBBB evil"]}]}, "evil", "SSH key"),
    ("shell-relative", {"users": [{"name": "bob", "shell": "../../bin/sh"}]},
     "rootpw --lock\nuser --name=bob --shell=../../bin/sh\n", {"Users": [{"Name": "bob", "StartupCommand": "../sh"}]},
     "sh", "absolute path"),
    ("service-option", {"system": {"services": {"enable": ["--global"]}}},
     "rootpw --lock\nservices --enabled=--global\n", None, "--global", "unit name"),
    ("timezone-traversal", {"system": {"timezone": "../../etc/shadow"}}, "rootpw --lock\ntimezone ../../etc/shadow\n",
     None, "shadow", "timezone"),
    ("locale-newline", {"system": {"locale": "en_US.UTF-8\nLC_ALL=x"}}, None, None, "LC_ALL", "locale"),
    ("mount-dotdot", {"storage": {"partitions": [{"mount": "/", "size": "rest"},
                                                 {"mount": "/var/../etc", "size": "1GiB"}]}},
     None, None, "/var/../etc", "'..'"),  # kickstart: pykickstart normalises the path itself
    ("mount-space", {"storage": {"partitions": [{"mount": "/", "size": "rest"}, {"mount": "/a b", "size": "1GiB"}]}},
     'rootpw --lock\nclearpart --all\npart / --size=1000\npart "/a b" --size=1000\n',
     {"PartitionSettings": [{"ID": "r", "MountPoint": "/a b"}]}, '"/a b', "space"),
    ("mount-options-space", {"storage": {"partitions": [{"mount": "/", "size": "rest",
                                                         "mount_options": "defaults 0 0\n/dev/x"}]}}, None, None,
     "defaults", "mount options"),
    ("releasever-option", {"packages": {"releasever": "--x"}}, None, None, "--x", "release version"),
    ("cipher-option", {"storage": {"encryption": {"enabled": True, "passphrase": "Zq8-long-passphrase",
                                                  "cipher": "--x"}}}, None, None, "--x", "cipher"),
    ("by-id-traversal", {"storage": {"disks": [{"by_id": "../../sda"}]}}, None, None, "../../sda", "by-id"),
]


# Image Customizer (os: ...) variants of the cases it can express
IC: dict[str, dict[str, Any]] = {
    "package-option": {"os": {"packages": {"install": ["--nogpgcheck"]}}},
    "package-space": {"os": {"packages": {"install": ["a b"]}}},
    "kargs-subshell": {"os": {"kernelCommandLine": {"extraCommandLine": ["$(touch /tmp/pwned)"]}}},
    "kargs-backtick": {"os": {"kernelCommandLine": {"extraCommandLine": ["`id`"]}}},
    "hostname-newline": {"os": {"hostname": "azl\n"}},
    "user-newline": {"os": {"users": [{"name": "bob\n"}]}},
    "group-comma": {"os": {"users": [{"name": "bob", "secondaryGroups": ["wheel,root"]}]}},
    "hash-newline": {"os": {"users": [{"name": "bob", "password": {"type": "hashed",
                                                                   "value": "$6$abcdefghijklmnopqrstu\nroot:$6$x"}}]}},
    "sshkey-newline": {"os": {"users": [{"name": "bob", "sshPublicKeys": ["ssh-ed25519 AAAA a\nssh-rsa BBBB evil"]}]}},
    "service-option": {"os": {"services": {"enable": ["--global"]}}},
}


def _files(tmp_path: Path, case: tuple[Any, ...]) -> list[tuple[str, Path, str]]:
    cid, native, ks, az, _marker, _ = case
    out = []
    if cid in IC:
        p = tmp_path / f"{cid}-ic.yaml"
        text = _yaml(IC[cid])
        p.write_text(text)
        out.append(("imagecustomizer", p, text))
    if native is not None:
        for fmt, text in _native(native).items():
            p = tmp_path / f"{cid}.{fmt}"
            p.write_text(text)
            out.append((fmt, p, text))
    if ks is not None:
        p = tmp_path / f"{cid}.ks"
        p.write_text(ks)
        out.append(("kickstart", p, ks))
    if az is not None:
        p = tmp_path / f"{cid}-azure.json"
        text = _azure(az)
        p.write_text(text)
        out.append(("azure", p, text))
    return out


def _line_of(text: str, marker: str | tuple[str, ...], fmt: str) -> int:
    markers = (marker,) if isinstance(marker, str) else marker
    if fmt == "kickstart" and text.startswith("rootpw --lock\n%packages"):
        markers = ("%packages",)  # package lines report at their %packages header
    for n, line in enumerate(text.splitlines(), 1):
        if any(m in line for m in markers):
            return n
    raise AssertionError(f"marker {marker!r} not in {text!r}")


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_injection_refused_with_file_line(case: tuple[Any, ...], tmp_path: Path, capsys: Cap) -> None:
    files = _files(tmp_path, case)
    assert files
    for fmt, path, text in files:
        rc = main(["validate", str(path)])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err and "internal error" not in err
        assert rc == 2, f"{fmt}: {path.name} was accepted: {out}{err}"
        line = _line_of(text, case[4], fmt)
        assert f"{path}:{line}:" in err, f"{fmt}: expected {path.name}:{line}: in {err!r}"
        assert case[5].lower() in err.lower(), f"{fmt}: {err!r}"


def test_quote_in_kernel_args_is_refused_before_the_planner(tmp_path: Path, capsys: Cap) -> None:
    """bootloader.append 'a"b' validated, then crashed the planner (shlex: No closing quotation)."""
    p = tmp_path / "q.yaml"
    p.write_text("version: 1\nbootloader:\n  append: 'a\"b'\n")
    rc = main(["plan", "--machine", str(MACHINE), str(p)])
    _out, err = capsys.readouterr()
    assert rc == 2 and f"{p}:3:" in err and "Traceback" not in err
