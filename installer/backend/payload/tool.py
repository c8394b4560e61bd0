"""The package manager's command lines: tdnf when present (as on Azure Linux), dnf otherwise."""

from __future__ import annotations

from installer.backend.payload.repos import RPM_DBPATH, WorkDir
from installer.backend.system import System

TDNF_PATHS = ("/usr/bin/tdnf", "/bin/tdnf")


def detect(system: System) -> str:
    return "tdnf" if any(system.exists(p) for p in TDNF_PATHS) else "dnf"


def base_argv(
    tool: str,
    work: WorkDir,
    installroot: str,
    releasever: str,
    *,
    excludedocs: bool = False,
    exclude: list[str] | None = None,
) -> list[str]:
    config = [f"--config={work.config}"] if tool == "dnf" else ["-c", work.config]
    argv = [tool, *config, f"--installroot={installroot}", f"--releasever={releasever}"]
    if tool == "dnf":
        argv += ["--noplugins", f"--setopt=reposdir={work.reposdir}", f"--setopt=cachedir={work.cache}"]
    # tdnf reads repodir and cachedir from the config file given with -c
    if excludedocs:
        argv += ["--nodocs"] if tool == "dnf" else ["--setopt=tsflags=nodocs"]
    for x in exclude or []:
        argv.append(f"--exclude={x}")
    return argv


def rpm_argv(root: str | None = None) -> list[str]:
    """rpm on the target's database at /var/lib/rpm (never Debian's ~/.rpmdb)."""
    argv = ["rpm"]
    if root and root != "/":
        argv += ["--root", root]
    return [*argv, "--dbpath", RPM_DBPATH]
