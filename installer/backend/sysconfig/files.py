"""Pure generators for the small configuration files the sysconfig step writes."""

from __future__ import annotations

HEADER = "# written by azl-installer\n"


def hostname_file(hostname: str) -> str:
    return hostname + "\n"


def hosts_file(hostname: str, existing: str | None) -> str:
    """/etc/hosts: keep what the distribution ships, map the hostname to 127.0.1.1 once."""
    short = hostname.split(".", 1)[0]
    names = hostname if short == hostname else f"{hostname} {short}"
    lines = [ln for ln in (existing or "").splitlines() if not ln.startswith("127.0.1.1")]
    if not any(ln.split()[:1] == ["127.0.0.1"] for ln in lines if ln.strip()):
        lines.insert(0, "127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4")
    if not any(ln.split()[:1] == ["::1"] for ln in lines if ln.strip()):
        lines.insert(1, "::1         localhost localhost.localdomain localhost6 localhost6.localdomain6")
    lines.append(f"127.0.1.1   {names}")
    return "\n".join(lines) + "\n"


def locale_conf(locale: str) -> str:
    return f"LANG={locale}\n"


def vconsole_conf(keymap: str) -> str:
    return f"KEYMAP={keymap}\n"


def selinux_config(mode: str, existing: str | None) -> str:
    """/etc/selinux/config with SELINUX= set; everything else as shipped."""
    if not existing:
        return f"SELINUX={mode}\nSELINUXTYPE=targeted\n"
    out, seen = [], False
    for ln in existing.splitlines():
        if ln.strip().startswith("SELINUX="):
            out.append(f"SELINUX={mode}")
            seen = True
        else:
            out.append(ln)
    if not seen:
        out.insert(0, f"SELINUX={mode}")
    return "\n".join(out) + "\n"


def selinux_kernel_args(mode: str | None) -> list[str]:
    """Kernel arguments for the SELinux mode, as Azure Linux's image tools set them."""
    if mode is None:
        return []
    if mode == "disabled":
        return ["selinux=0"]
    return ["security=selinux", "selinux=1", "enforcing=1" if mode == "enforcing" else "enforcing=0"]


def sshd_root_login() -> str:
    return HEADER + "PermitRootLogin yes\n"
