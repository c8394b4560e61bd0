"""Repositories: from the config, else the installer medium's local repository.

The package manager gets a generated repo config in a work directory of its own (``reposdir``),
so the host's repositories are never used, and an rpm macros file (via ``HOME``) that puts the
target's rpm database at /var/lib/rpm as on Azure Linux (Debian's rpm defaults to ~/.rpmdb).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from installer.backend.config import Packages
from installer.backend.grammar import require_safe

MEDIUM_ENV = "AZL_MEDIUM_REPO"  # a directory with repodata/ and the distribution key
MEDIUM_KEY_ENV = "AZL_MEDIUM_GPGKEY"
MEDIUM_KEY = "RPM-GPG-KEY-azl-fixture"
RPM_DBPATH = "/var/lib/rpm"
WORK_BASE = "/tmp/azl-installer"


@dataclass(frozen=True)
class RepoSpec:
    name: str
    baseurl: str
    gpgkeys: tuple[str, ...]
    gpgcheck: bool
    source: str  # "config" or "medium"

    @property
    def local_dir(self) -> str | None:
        return local_path(self.baseurl)

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "baseurl": self.baseurl, "gpgcheck": self.gpgcheck,
                "gpgkey": list(self.gpgkeys), "source": self.source}


def local_path(url: str) -> str | None:
    """The path of a file:// URL (or a plain absolute path), else None."""
    if url.startswith("/"):
        return url
    u = urlparse(url)
    return unquote(u.path) if u.scheme == "file" else None


def _as_url(path_or_url: str) -> str:
    return "file://" + path_or_url if path_or_url.startswith("/") else path_or_url


def repositories(pkgs: Packages, env: Mapping[str, str]) -> list[RepoSpec]:
    """The repositories of this install (pure: the environment is passed in)."""
    if pkgs.repositories:
        return [
            RepoSpec(r.name, r.baseurl, tuple(_as_url(k) for k in r.gpgkey), r.gpgcheck, "config")
            for r in pkgs.repositories
        ]
    medium = env.get(MEDIUM_ENV)
    if not medium:
        return []
    medium = medium.rstrip("/") or "/"
    key = env.get(MEDIUM_KEY_ENV) or f"{medium}/{MEDIUM_KEY}"
    return [RepoSpec("azl-medium", _as_url(medium), (_as_url(key),), True, "medium")]


def repo_file(repos: list[RepoSpec]) -> str:
    """The .repo file. Every value is checked again (defence in depth behind the config model): a
    line break in a URL would otherwise add options such as sslverify=0 or gpgcheck=0."""
    out = []
    for r in repos:
        require_safe(r.name, "the repository name", extra=" []=")
        for u in (r.baseurl, *r.gpgkeys):
            require_safe(u, "the repository URL", extra=" ")
        out += [
            f"[{r.name}]",
            f"name={r.name}",
            f"baseurl={r.baseurl}",
            "enabled=1",
            f"gpgcheck={int(r.gpgcheck)}",
            "repo_gpgcheck=0",
            "skip_if_unavailable=0",
        ]
        if r.gpgkeys:
            out.append("gpgkey=" + " ".join(r.gpgkeys))
        out.append("")
    return "\n".join(out)


@dataclass(frozen=True)
class WorkDir:
    """The host-side files the package manager runs with (one per target root)."""

    path: str

    @classmethod
    def for_target(cls, target_root: str) -> WorkDir:
        h = hashlib.sha256(target_root.encode()).hexdigest()[:10]
        return cls(f"{WORK_BASE}/payload-{h}")

    @property
    def reposdir(self) -> str:
        return f"{self.path}/repos.d"

    @property
    def home(self) -> str:
        return f"{self.path}/home"

    @property
    def config(self) -> str:
        return f"{self.path}/pm.conf"

    @property
    def cache(self) -> str:
        return f"{self.path}/cache"

    @property
    def preflight_root(self) -> str:
        return f"{self.path}/preflight-root"

    @property
    def keydb(self) -> str:
        return f"{self.path}/keydb"

    def env(self) -> dict[str, str]:
        return {"HOME": self.home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


RPMMACROS = f"%_dbpath {RPM_DBPATH}\n"


def pm_config(tool: str, work: WorkDir) -> str:
    """The package manager's main config: ours only, never the host's."""
    if tool == "tdnf":
        return (
            "[main]\ngpgcheck=1\ninstallonly_limit=3\nclean_requirements_on_remove=0\n"
            f"repodir={work.reposdir}\ncachedir={work.cache}\nkeepcache=0\n"
        )
    return (
        "[main]\ngpgcheck=1\ninstallonly_limit=3\ninstall_weak_deps=0\nskip_if_unavailable=0\n"
        "best=1\nkeepcache=0\nclean_requirements_on_remove=0\n"
    )
