"""A tiny signed RPM repository for payload tests when the fixture repository is not built.

One base package carries /etc/passwd & co, a working /bin/sh (the host's dash and its libc),
systemd unit stubs and stand-ins for dracut and grub2-mkconfig, and Provides every name of the
core and full sets, so a directory install runs end to end in a few seconds. Signed with a
throw-away key (ENVIRONMENT.md "RPM tooling": ``__gpg`` and ``_gpg_name`` defines).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from installer.backend.payload import sets

KEY_NAME = "RPM-GPG-KEY-azl-fixture"
GPG_NAME = "AZL Tiny Fixture"

PASSWD = """root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin
"""
GROUP = """root:x:0:
bin:x:1:
daemon:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
wheel:x:10:
audio:x:63:
video:x:39:
users:x:100:
nobody:x:65534:
"""
SHADOW = "".join(f"{u}:*:19000:0:99999:7:::\n" for u in ("root", "bin", "daemon", "nobody"))
GSHADOW = "".join(f"{line.split(':')[0]}:::\n" for line in GROUP.splitlines())
LOGIN_DEFS = """MAIL_DIR /var/spool/mail
PASS_MAX_DAYS 99999
PASS_MIN_DAYS 0
UID_MIN 1000
UID_MAX 60000
SYS_UID_MIN 201
SYS_UID_MAX 999
GID_MIN 1000
GID_MAX 60000
SYS_GID_MIN 201
SYS_GID_MAX 999
CREATE_HOME yes
UMASK 077
USERGROUPS_ENAB yes
ENCRYPT_METHOD SHA512
"""
DRACUT = """#!/bin/sh
# stand-in for dracut: write the image named by the last argument
for a in "$@"; do out="$a"; done
echo "tiny initramfs $*" > "$out"
"""
MKCONFIG = """#!/bin/sh
# stand-in for grub2-mkconfig -o FILE
[ "$1" = "-o" ] || exit 1
echo "# tiny grub.cfg" > "$2"
. /etc/default/grub
echo "linux /vmlinuz $GRUB_CMDLINE_LINUX" >> "$2"
"""
UNIT = """[Unit]
Description={name}
[Service]
ExecStart=/bin/true
[Install]
WantedBy=multi-user.target
"""


def _write(root: Path, rel: str, text: str | bytes, mode: int = 0o644) -> None:
    p = root / rel.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        p.write_text(text)
    else:
        p.write_bytes(text)
    os.chmod(p, mode)


def _tree(root: Path) -> None:
    _write(root, "/etc/passwd", PASSWD)
    _write(root, "/etc/group", GROUP)
    _write(root, "/etc/shadow", SHADOW, 0o000)
    _write(root, "/etc/gshadow", GSHADOW, 0o000)
    _write(root, "/etc/login.defs", LOGIN_DEFS)
    _write(root, "/etc/os-release", 'NAME="Tiny Fixture"\nID=azurelinux\nVERSION_ID="3.0"\n')
    _write(root, "/etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n")
    _write(root, "/usr/bin/sh", Path("/usr/bin/dash").read_bytes(), 0o755)
    _write(root, "/usr/lib/x86_64-linux-gnu/libc.so.6", Path("/lib/x86_64-linux-gnu/libc.so.6").read_bytes(), 0o755)
    _write(root, "/usr/lib64/ld-linux-x86-64.so.2", Path("/lib64/ld-linux-x86-64.so.2").read_bytes(), 0o755)
    for link, target in (("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"), ("lib64", "usr/lib64")):
        os.symlink(target, root / link)
    os.symlink("../lib/x86_64-linux-gnu", root / "usr/lib64/x86_64-linux-gnu")
    _write(root, "/usr/bin/dracut", DRACUT, 0o755)
    _write(root, "/usr/sbin/grub2-mkconfig", MKCONFIG, 0o755)
    for unit in ("sshd", "nftables", "systemd-networkd", "chronyd"):
        _write(root, f"/usr/lib/systemd/system/{unit}.service", UNIT.format(name=unit))
    (root / "usr/lib/modules/6.6.0-tiny").mkdir(parents=True)
    _write(root, "/usr/lib/modules/6.6.0-tiny/vmlinuz", b"not a kernel", 0o755)
    _write(root, "/usr/lib/modules/6.6.0-tiny/modules.dep", "")
    (root / "boot").mkdir()
    (root / "root").mkdir(mode=0o550)
    (root / "home").mkdir()
    (root / "tmp").mkdir(mode=0o1777)
    os.chmod(root / "tmp", 0o1777)
    for d in ("proc", "sys", "dev", "run", "var/log", "etc/systemd/network", "usr/share/zoneinfo"):
        (root / d).mkdir(parents=True, exist_ok=True)


def _all_names() -> list[str]:
    names: list[str] = []
    for s in ("core", "full"):
        for lst in sets.set_lists(s):  # type: ignore[arg-type]
            names += sets.package_list(lst)
    return sorted({*names, "kernel"})


SPEC = """Name: {name}
Version: 1.0
Release: 1
Summary: {name}
License: MIT
BuildArch: {arch}
AutoReqProv: no
{provides}
{requires}
%description
{name} (tiny fixture)
%install
{install}
%files
{files}
"""


def _spec(name: str, arch: str, provides: list[str], files: str, install: str, requires: list[str] = ()) -> str:
    return SPEC.format(
        name=name,
        arch=arch,
        provides="\n".join(f"Provides: {p}" for p in provides),
        requires="\n".join(f"Requires: {r}" for r in requires),
        install=install,
        files=files,
    )


def build(dest: Path) -> Path:
    """Build the repository into dest (created); returns dest."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="azl-tiny-") as tmp:
        t = Path(tmp)
        gnupg = t / "gnupg"
        gnupg.mkdir(mode=0o700)
        env = {**os.environ, "GNUPGHOME": str(gnupg)}
        (t / "keyparams").write_text(
            f"Key-Type: RSA\nKey-Length: 2048\nName-Real: {GPG_NAME}\nName-Email: tiny@fixture.invalid\n"
            "Expire-Date: 0\n%no-protection\n%commit\n"
        )
        subprocess.run(["gpg", "--batch", "--gen-key", str(t / "keyparams")], env=env, check=True,
                       capture_output=True)
        key = subprocess.run(["gpg", "--armor", "--export", GPG_NAME], env=env, check=True,
                             capture_output=True).stdout
        (dest / KEY_NAME).write_bytes(key)
        src = t / "src"
        src.mkdir()
        _tree(src)
        top = t / "top"
        specs = {
            "azl-tiny-base": _spec(
                "azl-tiny-base", "x86_64", _all_names(), '%defattr(-,root,root)\n"/*"',
                f"cp -a {src}/. %{{buildroot}}/",
            ),
            "hello-extra": _spec("hello-extra", "noarch", [], '"/usr/share/hello-extra"',
                                 "mkdir -p %{buildroot}/usr/share/hello-extra", ["azl-tiny-base"]),
            "clashing-extra": _spec("clashing-extra", "noarch", [], '"/usr/share/clashing-extra"',
                                    "mkdir -p %{buildroot}/usr/share/clashing-extra").replace(
                                        "AutoReqProv: no", "AutoReqProv: no\nConflicts: azl-tiny-base"),
        }
        defines = [
            "--define", f"_topdir {top}",
            "--define", "__os_install_post %{nil}",
            "--define", "debug_package %{nil}",
            "--define", "_build_id_links none",
            "--define", "_binary_payload w2.gzdio",
        ]
        for name, text in specs.items():
            spec = t / f"{name}.spec"
            spec.write_text(text)
            subprocess.run(["rpmbuild", "-bb", *defines, str(spec)], check=True, capture_output=True)
        rpms = sorted(top.glob("RPMS/*/*.rpm"))
        subprocess.run(
            ["rpmsign", "--addsign", "--define", "__gpg /usr/bin/gpg", "--define", f"_gpg_name {GPG_NAME}",
             *map(str, rpms)],
            env=env, check=True, capture_output=True,
        )
        for r in rpms:
            shutil.copy2(r, dest / r.name)
    subprocess.run(["createrepo_c", "--quiet", str(dest)], check=True, capture_output=True)
    return dest
