#!/usr/bin/env python3
"""Build the fixture distribution: a signed RPM repository made from Debian packages that
installs like Azure Linux 3.0 (see docs/fixture-repo.md).

    python3 scripts/fixture-repo/build.py [--force] [--link build/fixture-repo] [--print-path]

Output: ${AZL_CACHE:-/var/cache/azl-installer}/fixture-repo/<hash of inputs>/ with the RPMs,
repodata/, RPM-GPG-KEY-azl-fixture and manifest.json; build/fixture-repo links to it.
Steps (cold): debootstrap a Debian root on tmpfs, install the packages in a chroot, configure it
(configure.sh), split it by dpkg ownership into RPMs without scriptlets, sign them with a key
made for this build, index them with createrepo_c, resolve core and full for the manifest.
The configured root is cached as a tarball (keyed by the Debian-side inputs), so changes to the
mapping only redo the RPM half. Needs root, debootstrap, rpmbuild, rpmsign, createrepo_c, gpg.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import fcntl
import hashlib
import inspect
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
PAYLOAD_DATA = REPO_ROOT / "installer" / "backend" / "payload" / "data"
KEY_NAME = "RPM-GPG-KEY-azl-fixture"
KEY_UID = "Azure Linux installer fixture (test key, made at build time) <fixture@azl-installer.invalid>"
TOPLINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
BASE_PKG = "azl-fixture-base"
FS_PKG = "filesystem"
FORMAT = 1  # bump when the layout of the output changes


def log(msg: str) -> None:
    print(f"[fixture-repo {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(argv: list[str], **kw) -> subprocess.CompletedProcess:
    kw.setdefault("check", True)
    return subprocess.run(argv, **kw)


def load_data() -> dict:
    return json.loads((HERE / "packages.json").read_text())


# ----------------------------------------------------------------------------- inputs and cache


def package_sets() -> dict[str, list[str]]:
    """Azure Linux names of core and full (from the installer's payload data) and of the lists
    that are not part of either (every list the installer ships must resolve too)."""
    sets = json.loads((PAYLOAD_DATA / "sets.json").read_text())
    out: dict[str, list[str]] = {}
    for name in ("core", "full"):
        names: list[str] = []
        for lst in sets[name]["lists"]:
            names += json.loads((PAYLOAD_DATA / f"{lst}.json").read_text())["packages"]
        names.append(sets[name].get("kernel", "kernel"))
        out[name] = sorted(set(names))
    others: list[str] = []
    for p in sorted(PAYLOAD_DATA.glob("*.json")):
        if p.name == "sets.json" or p.stem == "cloud-init-packages":
            continue
        others += json.loads(p.read_text()).get("packages", [])
    meta = json.loads((HERE / "core-packages-meta.json").read_text())
    for k, v in meta.items():
        if not k.startswith("_"):
            others += [k, *v["requires"]]
    out["all"] = sorted(set(others) | set(out["full"]))
    return out


def _hash_files(paths: list[Path], extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for p in paths:
        h.update(str(p.relative_to(REPO_ROOT)).encode() + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def root_key(data: dict) -> str:
    """Cache key of the configured Debian root: the Debian side only."""
    deb = json.dumps([data["suite"], data["debian_packages"]], sort_keys=True)
    return _hash_files([HERE / "configure.sh"], deb + inspect.getsource(build_root))


def repo_key() -> str:
    files = [HERE / n for n in ("build.py", "resolve.py", "configure.sh", "packages.json", "core-packages-meta.json")]
    files += sorted(PAYLOAD_DATA.glob("*.json"))
    return _hash_files(files, f"format{FORMAT}")


def cache_root() -> Path:
    return Path(os.environ.get("AZL_CACHE", "/var/cache/azl-installer")) / "fixture-repo"


def update_link(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.with_name(f".{link.name}.{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(target)
    os.replace(tmp, link)


def prune(cache: Path, keep: set[str], pattern: str, n: int = 2) -> None:
    """Keep the n newest cache entries matching pattern (and everything in keep)."""
    entries = sorted(cache.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for p in entries[n:]:
        if p.name in keep:
            continue
        log(f"pruning old cache entry {p}")
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- the Debian root


@contextlib.contextmanager
def mounted(target: Path, *argv_sets: list[str]) -> Iterator[None]:
    done: list[Path] = []
    try:
        for argv in argv_sets:
            mp = Path(argv[-1])
            mp.mkdir(parents=True, exist_ok=True)
            run(argv)
            done.append(mp)
        yield
    finally:
        for mp in reversed(done):
            subprocess.run(["umount", "-l", str(mp)], check=False)


def chroot_mounts(root: Path, archives: Path) -> list[list[str]]:
    return [
        ["mount", "-t", "proc", "proc", str(root / "proc")],
        ["mount", "--bind", "/sys", str(root / "sys")],
        ["mount", "--bind", "/dev", str(root / "dev")],
        ["mount", "--bind", "/dev/pts", str(root / "dev/pts")],
        ["mount", "--bind", str(archives), str(root / "var/cache/apt/archives")],
    ]


def build_root(data: dict, root: Path, cache: Path) -> None:
    mirror = os.environ.get("AZL_FIXTURE_MIRROR", data["mirror"])
    security = os.environ.get("AZL_FIXTURE_SECURITY_MIRROR", data["security_mirror"])
    suite = data["suite"]
    debs = cache / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    run(["debootstrap", "--variant=minbase", f"--cache-dir={debs}", suite, str(root), mirror],
        stdout=subprocess.DEVNULL)
    log(f"debootstrap {suite}: {time.monotonic() - t0:.0f} s")
    (root / "etc/apt/sources.list").write_text(
        f"deb {mirror} {suite} main\ndeb {mirror} {suite}-updates main\n"
        f"deb {security} {suite}-security main\n")
    prc = root / "usr/sbin/policy-rc.d"
    prc.write_text("#!/bin/sh\nexit 101\n")
    prc.chmod(0o755)
    shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf", follow_symlinks=True)
    pkgs = data["debian_packages"]["core"] + data["debian_packages"]["full"]
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive",
           "INITRD": "No", "LC_ALL": "C.UTF-8", "HOME": "/root"}
    t0 = time.monotonic()
    with mounted(root, *chroot_mounts(root, debs)):
        run(["chroot", str(root), "apt-get", "-q", "update"], env=env, stdout=subprocess.DEVNULL)
        run(["chroot", str(root), "apt-get", "install", "-y", "-q", "--no-install-recommends",
             "-o", "Dpkg::Options::=--force-unsafe-io", "-o", "Dpkg::Use-Pty=0", *pkgs],
            env=env, stdout=subprocess.DEVNULL)
        log(f"apt-get install ({len(pkgs)} requested): {time.monotonic() - t0:.0f} s")
        shutil.copy(HERE / "configure.sh", root / "tmp/configure.sh")
        run(["chroot", str(root), "/bin/sh", "/tmp/configure.sh"], env=env)
        (root / "tmp/configure.sh").unlink()
    prc.unlink()
    for f in (root / "var/cache/apt").glob("*.bin"):
        f.unlink()
    # Drop what no RPM carries (docs but copyright, man/info pages, translations, apt lists):
    # a smaller tarball and a faster split.
    for d in ("usr/share/man", "usr/share/info", "usr/share/lintian", "var/lib/apt/lists"):
        shutil.rmtree(root / d, ignore_errors=True)
    for sub in ("usr/share/locale", "usr/share/doc"):
        for entry in (root / sub).iterdir():
            if entry.is_dir() and not entry.is_symlink():
                if sub.endswith("doc"):
                    for x in entry.iterdir():
                        if x.name != "copyright":
                            shutil.rmtree(x) if x.is_dir() and not x.is_symlink() else x.unlink()
                else:
                    shutil.rmtree(entry)


# ----------------------------------------------------------------------------- dpkg -> packages


@dataclass
class Pkg:
    name: str
    version: str = "0"
    release: str = "1"
    epoch: str = ""
    arch: str = "x86_64"
    summary: str = ""
    description: str = ""
    url: str = ""
    requires: list[str] = field(default_factory=list)
    provides: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # path -> flags ("", "config", "doc")
    kind: str = "debian"  # debian | base | meta | stand-in | fixture
    debian: str = ""
    essential: bool = False


def parse_status(root: Path) -> list[dict[str, str]]:
    out = []
    text = (root / "var/lib/dpkg/status").read_text()
    for para in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in para.splitlines():
            if line.startswith((" ", "\t")) and key:
                fields[key] += "\n" + line[1:]
            elif ":" in line:
                key, _, val = line.partition(":")
                fields[key] = val.strip()
        if fields.get("Status", "").endswith(" installed"):
            out.append(fields)
    return out


def rpm_evr(debver: str) -> tuple[str, str, str]:
    epoch, _, rest = debver.rpartition(":") if ":" in debver else ("", "", debver)
    if "-" in rest:
        ver, _, rel = rest.rpartition("-")
    else:
        ver, rel = rest, "0"
    clean = lambda s: re.sub(r"[^A-Za-z0-9._+~^]", "_", s)  # noqa: E731
    return epoch, clean(ver), clean(rel)


def dep_groups(value: str) -> list[list[str]]:
    groups = []
    for grp in value.split(","):
        alts = []
        for alt in grp.split("|"):
            alt = re.sub(r"\(.*?\)|\[.*?\]|<.*?>", "", alt).strip()
            alt = alt.split(":")[0].strip()
            if alt:
                alts.append(alt)
        if alts:
            groups.append(alts)
    return groups


class Root:
    """Read-only view of the configured Debian root, with paths resolved inside it."""

    def __init__(self, root: Path):
        self.root = root
        self._dirs: dict[str, str] = {}

    def resolve_dir(self, d: str) -> str:
        """Resolve symlinks of a directory path inside the root."""
        if d in self._dirs:
            return self._dirs[d]
        parts = [p for p in d.split("/") if p]
        cur = ""
        for i, part in enumerate(parts):
            nxt = f"{cur}/{part}"
            full = self.root / nxt.lstrip("/")
            hops = 0
            while full.is_symlink() and hops < 40:
                tgt = os.readlink(full)
                nxt = os.path.normpath(os.path.join(os.path.dirname(nxt), tgt))
                full = self.root / nxt.lstrip("/")
                hops += 1
            cur = nxt if nxt != "/" else ""
            del i
        res = cur or "/"
        self._dirs[d] = res
        return res

    def norm(self, path: str) -> str:
        d, b = os.path.split(path)
        return os.path.join(self.resolve_dir(d), b)

    def lexists(self, path: str) -> bool:
        return os.path.lexists(self.root / path.lstrip("/"))

    def lstat(self, path: str) -> os.stat_result:
        return os.lstat(self.root / path.lstrip("/"))

    def chain(self, path: str) -> list[str]:
        """The paths a symlink goes through (existing or not), inside the root."""
        out, cur = [], path
        for _ in range(40):
            full = self.root / cur.lstrip("/")
            if not full.is_symlink():
                break
            tgt = os.readlink(full)
            cur = self.norm(os.path.normpath(os.path.join(os.path.dirname(cur), tgt)))
            out.append(cur)
        return out

    def final_target(self, path: str) -> str | None:
        """Where a symlink finally points (inside the root), or None if it leaves or dangles."""
        cur = path
        for _ in range(40):
            full = self.root / cur.lstrip("/")
            if not full.is_symlink():
                return cur if full.exists() else None
            tgt = os.readlink(full)
            cur = self.norm(os.path.normpath(os.path.join(os.path.dirname(cur), tgt)))
        return None


def collect(data: dict, root: Path) -> dict[str, Pkg]:
    """Split the root by dpkg ownership (plus packages.json's rules) into packages."""
    r = Root(root)
    status = parse_status(root)
    rules = [(re.compile(x[0]), x[1], x[2] if len(x) > 2 else "") for x in data["file_rules"]]
    info = root / "var/lib/dpkg/info"
    diversions: dict[str, tuple[str, str]] = {}
    lines = (info.parent / "diversions").read_text().splitlines() if (info.parent / "diversions").exists() else []
    for i in range(0, len(lines) - 2, 3):
        diversions[lines[i]] = (lines[i + 1], lines[i + 2])

    pkgs: dict[str, Pkg] = {}
    owners: dict[str, list[str]] = {}
    for st in status:
        name = st["Package"]
        e, v, rel = rpm_evr(st["Version"])
        desc = st.get("Description", "").split("\n")
        p = Pkg(name=name, epoch=e, version=v, release=rel,
                arch="noarch" if st.get("Architecture") == "all" else "x86_64",
                summary=desc[0] or name, description="\n".join(x for x in desc[1:] if x != ".") or desc[0],
                url=st.get("Homepage", ""), debian=f"{name} {st['Version']}",
                essential=st.get("Essential") == "yes")
        for key in ("Pre-Depends", "Depends"):
            for g in dep_groups(st.get(key, "")):
                p.requires.append(g)  # type: ignore[arg-type]
        p.provides = [g[0] for g in dep_groups(st.get("Provides", ""))]
        conffiles = {ln.split()[0] for ln in st.get("Conffiles", "").splitlines() if ln.strip()}
        lst = info / f"{name}.list"
        if not lst.exists():
            lst = info / f"{name}:{st.get('Architecture', 'amd64')}.list"
        for path in (lst.read_text().splitlines() if lst.exists() else []):
            if path in ("/.", "") or path in TOPLINKS:
                continue
            if path in diversions and diversions[path][1] != name:
                path = diversions[path][0]
            path = r.norm(path)
            if not r.lexists(path) or path in TOPLINKS:
                continue
            owners.setdefault(path, []).append(name)
            p.files[path] = "config" if path in conffiles else ""
        pkgs[name] = p

    def rule_for(path: str):
        for rx, target, flag in rules:
            if rx.search(path):
                return True, target, flag
        return False, None, ""

    # Drop excluded paths from the dpkg-owned lists; mark copyright files as %doc.
    for p in pkgs.values():
        for path in list(p.files):
            hit, target, flag = rule_for(path)
            if hit and target is None and flag != "unowned":
                del p.files[path]
            elif path.startswith("/usr/share/doc/") and path.endswith("/copyright"):
                p.files[path] = "doc"

    # Extra (non-Debian) packages.
    meta = json.loads((HERE / "core-packages-meta.json").read_text())
    for name, spec in data["extra_packages"].items():
        req = [[x] for x in spec.get("requires", [])]
        if spec.get("requires_from_meta"):
            req = [[x] for x in meta[spec["requires_from_meta"]]["requires"]] + req
        pkgs[name] = Pkg(name=name, version="3.0", release="1.fixture", arch="noarch",
                         summary=spec["summary"], description=spec["summary"], kind=spec["kind"],
                         requires=req, provides=list(spec.get("provides", [])))  # type: ignore[arg-type]
    pkgs[FS_PKG] = Pkg(name=FS_PKG, version="3.0", release="1.fixture", arch="noarch", kind="base",
                       summary="Fixture base layout: /etc/passwd, /etc/group, merged-/usr links, top directories",
                       description="Installs first (every package has Requires(pre) on it).")
    pkgs[BASE_PKG] = Pkg(name=BASE_PKG, version="3.0", release="1.fixture", arch="x86_64", kind="base",
                         summary="Fixture base: configuration no Debian package owns, and the Essential set",
                         description="Files the Debian maintainer scripts made (shadow, ld.so.cache, ...); "
                                     "requires Debian's Essential packages, on which Debian never "
                                     "declares dependencies.")

    # Unowned files: rules, then symlinks to owned files, then __pycache__, then the base packages.
    for link in TOPLINKS:
        if (root / link.lstrip("/")).is_symlink():
            pkgs[FS_PKG].files[link] = ""
    by_module_dir = {}
    for p in pkgs.values():
        for path in p.files:
            m = re.match(r"^/usr/lib/modules/([^/]+)$", path)
            if m:
                by_module_dir[path] = p.name
    pyc = re.compile(r"^(.*)/__pycache__/([^/.]+)\.cpython-\d+(\.opt-\d)?\.pyc$")
    unowned: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = "" if dirpath == str(root) else "/" + os.path.relpath(dirpath, root)
        keep = []
        for n in sorted(dirnames) + sorted(filenames):
            path = f"{rel}/{n}"
            hit, target, flag = rule_for(path)
            if hit and target is None:
                continue  # left out, with everything below it
            if n in dirnames:
                keep.append(n)
            if path in owners or path in TOPLINKS:
                continue
            if hit and target in pkgs:
                pkgs[target].files[path] = flag
            else:
                unowned.append(path)
        dirnames[:] = keep
    placed: dict[str, str] = {}  # path -> package, dpkg-owned and rule-assigned
    for p in pkgs.values():
        for path in p.files:
            placed.setdefault(path, p.name)
    for path, names in owners.items():
        placed[path] = names[0]
    for path in unowned:
        full = root / path.lstrip("/")
        owner = None
        m = re.match(r"^(/usr/lib/modules/[^/]+)/", path)
        if m and m.group(1) in by_module_dir:
            owner = by_module_dir[m.group(1)]
        elif os.path.islink(full):
            if any(rule_for(hop)[0] and rule_for(hop)[1] is None for hop in r.chain(path)):
                continue  # points into something left out (man pages, docs)
            tgt = r.final_target(path)
            if tgt is not None:
                hit, target, _ = rule_for(tgt)
                if hit and target is None:
                    continue  # points into something left out (man pages, docs)
                owner = placed.get(tgt)
        else:
            mm = pyc.match(path)
            if mm:
                src = f"{mm.group(1)}/{mm.group(2)}.py"
                if src in owners:
                    owner = owners[src][0]
                else:
                    continue  # a stale byte-code file
            elif path.endswith("/__pycache__") and os.path.isdir(full):
                cands = [o for f in os.listdir(full) for o in [pyc.match(f"{path}/{f}")] if o]
                srcs = [f"{c.group(1)}/{c.group(2)}.py" for c in cands]
                own = sorted({owners[s][0] for s in srcs if s in owners})
                for o in own:
                    pkgs[o].files[path] = ""
                if own:
                    continue
        if owner is None:
            st = os.lstat(full)
            top = path.count("/") == 1
            if stat.S_ISDIR(st.st_mode) and st.st_uid == 0 and st.st_gid == 0 and top:
                owner = FS_PKG
            else:
                owner = BASE_PKG
        pkgs[owner].files[path] = ""
    return pkgs


def finish_deps(data: dict, pkgs: dict[str, Pkg]) -> None:
    """Turn Debian dependency groups into RPM requires; add the fixture's provides."""
    for key, names in data["al_provides"].items():
        targets = [n for n in pkgs if re.search(key[3:], n)] if key.startswith("re:") else [key]
        if not any(t in pkgs for t in targets):
            raise SystemExit(f"fixture-repo: al_provides: no package {key} in the root")
        for t in targets:
            if t in pkgs:
                pkgs[t].provides += names
    provided: dict[str, str] = {}
    for p in pkgs.values():
        provided.setdefault(p.name, p.name)
        for x in p.provides:
            provided.setdefault(x.split()[0], p.name)
    for name, extra in data["extra_requires"].items():
        if name in pkgs:
            pkgs[name].requires += [[x] for x in extra]  # type: ignore[list-item]
    essential = [*sorted(n for n, p in pkgs.items() if p.essential), "mawk"]
    pkgs[BASE_PKG].requires = [[x] for x in essential]  # type: ignore[misc]
    drop = data["drop_requires"]
    for p in pkgs.values():
        out: list[str] = []
        for grp in p.requires:  # type: ignore[assignment]
            if p.kind != "debian" and not any(x in provided for x in grp):
                raise SystemExit(f"fixture-repo: {p.name} requires {grp}, which nothing provides")
            grp = [x for x in grp if x in provided and x not in drop.get(p.name, []) and x != p.name]
            if not grp:
                continue
            grp = list(dict.fromkeys(grp))
            out.append(grp[0] if len(grp) == 1 else "(" + " or ".join(grp) + ")")
        p.requires = list(dict.fromkeys(out))


# ----------------------------------------------------------------------------- rpmbuild


def q(path: str) -> str:
    return '"' + path.replace("%", "%%") + '"'


def spec_text(p: Pkg, r: Root, users: dict[int, str], groups: dict[int, str], caps: dict[str, str]) -> str:
    lines = [f"Name: {p.name}", f"Version: {p.version}", f"Release: {p.release}"]
    if p.epoch:
        lines.append(f"Epoch: {p.epoch}")
    summary = p.summary.replace("%", "%%").strip() or p.name
    lines += [f"Summary: {summary}", "License: see /usr/share/doc/*/copyright (Debian)",
              f"BuildArch: {p.arch}", "AutoReqProv: no"]
    if p.url:
        lines.append(f"URL: {p.url.replace('%', '%%')}")
    if p.name != FS_PKG:
        lines.append(f"Requires(pre): {FS_PKG}")
        if p.kind == "debian" and not p.essential:
            lines.append(f"Requires: {BASE_PKG}")
    for req in p.requires:
        lines.append(f"Requires: {req}")
    for prov in dict.fromkeys(p.provides):
        lines.append(f"Provides: {prov}")
    desc = p.description.replace("%", "%%")
    if p.debian:
        desc += f"\n\nFixture package made from the Debian package {p.debian} (no maintainer scripts)."
    lines += ["", "%description", desc, "", "%files", "%defattr(-,root,root,-)"]
    for path in sorted(p.files):
        st = r.lstat(path)
        attr = ""
        if st.st_uid or st.st_gid:
            attr = f"%attr(-,{users.get(st.st_uid, 'root')},{groups.get(st.st_gid, 'root')}) "
        flag = p.files[path]
        if stat.S_ISDIR(st.st_mode):
            lines.append(f"{attr}%dir {q(path)}")
            continue
        pre = ""
        if flag == "config" and stat.S_ISREG(st.st_mode):
            pre = "%config(noreplace) "
        elif flag == "doc":
            pre = "%doc "
        if path in caps:
            pre += f"%caps({caps[path]}) "
        lines.append(f"{attr}{pre}{q(path)}")
    return "\n".join(lines) + "\n"


def read_ids(root: Path, name: str) -> dict[int, str]:
    out = {}
    for line in (root / "etc" / name).read_text().splitlines():
        f = line.split(":")
        if len(f) > 2:
            out[int(f[2])] = f[0]
    return out


def read_caps(root: Path) -> dict[str, str]:
    res = run(["getcap", "-r", str(root)], capture_output=True, text=True, check=False)
    out = {}
    for line in res.stdout.splitlines():
        path, _, caps = line.rpartition(" ")
        if path.startswith(str(root)):
            out["/" + os.path.relpath(path.strip(), root)] = caps.replace("+", "=")
    return out


def rpmbuild(specs: list[Path], root: Path, topdir: Path, outdir: Path) -> None:
    defines = {
        "_topdir": str(topdir), "_rpmdir": str(outdir),
        "_build_name_fmt": "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm",
        "__spec_install_pre": "%{___build_pre}", "__spec_clean_body": "%{nil}",
        "__os_install_post": "%{nil}", "__arch_install_post": "%{nil}",
        "_build_id_links": "none", "debug_package": "%{nil}", "__check_files": "%{nil}",
        "_binary_payload": "w3.zstdio", "_binary_filedigest_algorithm": "8",
        "_unpackaged_files_terminate_build": "0", "__debug_install_post": "%{nil}",
        "_dbpath": str(topdir / "rpmdb"), "source_date_epoch_from_changelog": "0",
        "use_source_date_epoch_as_buildtime": "0",
        # two rpmbuilds run side by side: rpm's own thread pool only costs time here
        "_smp_build_nthreads": "1",
    }
    argv = ["rpmbuild", "-bb", "--quiet", "--noclean", "--nodeps", "--buildroot", str(root)]
    for k, v in defines.items():
        argv += ["--define", f"{k} {v}"]
    run([*argv, *map(str, specs)], stdout=subprocess.DEVNULL)


# ----------------------------------------------------------------------------- sign, index, resolve


def make_key(gnupghome: Path, out: Path) -> None:
    gnupghome.mkdir(mode=0o700, parents=True)
    params = ("Key-Type: RSA\nKey-Length: 3072\nKey-Usage: sign\n"
              f"Name-Real: {KEY_UID.split(' <')[0]}\nName-Email: fixture@azl-installer.invalid\n"
              "Expire-Date: 0\n%no-protection\n%commit\n")
    env = {**os.environ, "GNUPGHOME": str(gnupghome)}
    run(["gpg", "--batch", "--quiet", "--gen-key"], input=params.encode(), env=env)
    pub = run(["gpg", "--batch", "--armor", "--export"], env=env, capture_output=True).stdout
    out.write_bytes(pub)


def sign(rpms: list[Path], gnupghome: Path, jobs: int) -> None:
    env = {**os.environ, "GNUPGHOME": str(gnupghome)}
    name = KEY_UID.split(" <")[0]
    chunks = [rpms[i::jobs] for i in range(jobs)]
    argv = ["rpmsign", "--addsign", "--define", "__gpg /usr/bin/gpg", "--define", f"_gpg_name {name}"]
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        list(ex.map(lambda c: run([*argv, *map(str, c)], env=env, stdout=subprocess.DEVNULL), [c for c in chunks if c]))


def resolve(repo: Path, names: list[str], work: Path) -> dict:
    """Resolve names against the repository with dnf's Python API (Debian's python3)."""
    res = run(["/usr/bin/python3", str(HERE / "resolve.py"), str(repo), str(work), *names],
              capture_output=True, text=True)
    return json.loads(res.stdout)


# ----------------------------------------------------------------------------- main


def build(out: Path, data: dict, cache: Path, jobs: int) -> None:
    t_start = time.monotonic()
    timings: dict[str, float] = {}
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=cache))
    root = work / "root"
    root.mkdir()
    rkey = root_key(data)
    tarball = cache / f"root-{rkey}.tar.zst"
    try:
        with mounted(root, ["mount", "-t", "tmpfs", "-o", "mode=755,size=8g", "tmpfs", str(root)]):
            t0 = time.monotonic()
            if tarball.exists():
                log(f"configured Debian root from cache {tarball.name}")
                run(["tar", "--zstd", "-xpf", str(tarball), "--xattrs", "--xattrs-include=*",
                     "--numeric-owner", "-C", str(root)])
            else:
                log("building the Debian root (debootstrap + apt-get in a chroot)")
                build_root(data, root, cache)
                tmp = tarball.with_suffix(".tmp")
                run(["tar", "-I", "zstd -1 -T0", "-cpf", str(tmp), "--xattrs", "--xattrs-include=*",
                     "--numeric-owner", "--one-file-system", "-C", str(root), "."])
                os.replace(tmp, tarball)
            timings["root"] = time.monotonic() - t0

            t0 = time.monotonic()
            pkgs = collect(data, root)
            finish_deps(data, pkgs)
            r = Root(root)
            users, groups, caps = read_ids(root, "passwd"), read_ids(root, "group"), read_caps(root)
            specdir = work / "specs"
            specdir.mkdir()
            specs = []
            for p in pkgs.values():
                sp = specdir / f"{p.name}.spec"
                sp.write_text(spec_text(p, r, users, groups, caps))
                specs.append((sum(r.lstat(f).st_size for f in p.files), sp))
            timings["split"] = time.monotonic() - t0
            log(f"{len(pkgs)} packages split from the root in {timings['split']:.1f} s; building RPMs")

            t0 = time.monotonic()
            out.mkdir(parents=True)
            specs.sort(reverse=True)
            chunks: list[list[Path]] = [[] for _ in range(jobs)]
            sizes = [0] * jobs
            for size, sp in specs:  # balance by bytes
                i = sizes.index(min(sizes))
                chunks[i].append(sp)
                sizes[i] += size + 20000
            with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
                list(ex.map(lambda ic: rpmbuild(ic[1], root, work / f"top{ic[0]}", out),
                            [(i, c) for i, c in enumerate(chunks) if c]))
            timings["rpmbuild"] = time.monotonic() - t0
        rpms = sorted(out.rglob("*.rpm"))
        for rp in rpms:  # flat layout: <repo>/<name>.rpm
            if rp.parent != out:
                os.replace(rp, out / rp.name)
        for d in [d for d in out.iterdir() if d.is_dir()]:
            shutil.rmtree(d)
        rpms = sorted(out.glob("*.rpm"))
        log(f"{len(rpms)} RPMs in {timings['rpmbuild']:.0f} s; signing and indexing")

        t0 = time.monotonic()
        make_key(work / "gnupg", out / KEY_NAME)
        sign(rpms, work / "gnupg", jobs)
        timings["sign"] = time.monotonic() - t0
        t0 = time.monotonic()
        run(["createrepo_c", "--quiet", "--workers", str(jobs), "--no-database", str(out)])
        timings["createrepo"] = time.monotonic() - t0

        t0 = time.monotonic()
        sets = package_sets()
        core = resolve(out, sets["core"], work / "resolve-core")
        full = resolve(out, sets["full"], work / "resolve-full")
        every = resolve(out, sets["all"], work / "resolve-all")
        timings["resolve"] = time.monotonic() - t0
        problems = [x for x in (core, full, every) if x.get("error")]
        if problems:
            raise SystemExit(f"fixture-repo: names do not resolve: {problems}")
        providers = every["providers"]
        manifest = {
            "format": FORMAT,
            "key": out.name,
            "suite": data["suite"],
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "gpg_key": KEY_NAME,
            "releasever": "3.0",
            "kernel": sorted(p.name for p in pkgs.values() if p.name.startswith("linux-image-")
                             and "kernel" in p.provides),
            "packages": {
                p.name: {
                    "evr": (f"{p.epoch}:" if p.epoch else "") + f"{p.version}-{p.release}",
                    "arch": p.arch, "kind": p.kind, "debian": p.debian,
                    "provides": sorted(set(p.provides)), "files": len(p.files),
                } for p in sorted(pkgs.values(), key=lambda x: x.name)
            },
            "al_names": providers,
            "sets": {
                name: {"names": sets[name], "packages": res["packages"], "count": len(res["packages"]),
                       "installed_size": res["installed_size"], "download_size": res["download_size"]}
                for name, res in (("core", core), ("full", full))
            },
            "repo_size": sum(f.stat().st_size for f in out.rglob("*") if f.is_file()),
            "timings": {k: round(v, 1) for k, v in timings.items()},
        }
        manifest["timings"]["total"] = round(time.monotonic() - t_start, 1)
        (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    finally:
        with contextlib.suppress(Exception):
            subprocess.run(["umount", "-l", str(root)], check=False, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--force", action="store_true", help="rebuild the repository (reuses the cached root)")
    ap.add_argument("--force-root", action="store_true", help="rebuild the Debian root too")
    ap.add_argument("--link", default=str(REPO_ROOT / "build" / "fixture-repo"),
                    help="symlink to the built repository (default build/fixture-repo; '' for none)")
    ap.add_argument("--print-path", action="store_true", help="print the repository path on stdout")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)

    data = load_data()
    cache = cache_root()
    key = repo_key()
    out = cache / key
    if not args.force and (out / "manifest.json").exists():
        if args.link:
            update_link(Path(args.link), out)
        if args.print_path:
            print(out)
        return 0
    if os.geteuid() != 0:
        print("fixture-repo: building needs root (debootstrap, chroot, tmpfs)", file=sys.stderr)
        return 1
    for tool in ("debootstrap", "rpmbuild", "rpmsign", "createrepo_c", "gpg", "getcap", "zstd"):
        if not shutil.which(tool):
            print(f"fixture-repo: {tool} is missing (run scripts/setup.sh)", file=sys.stderr)
            return 1
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if args.force or not (out / "manifest.json").exists():
            t0 = time.monotonic()
            if args.force_root:
                (cache / f"root-{root_key(data)}.tar.zst").unlink(missing_ok=True)
            if out.exists():
                shutil.rmtree(out)
            tmp_out = cache / f".{key}.tmp"
            shutil.rmtree(tmp_out, ignore_errors=True)
            try:
                build(tmp_out, data, cache, max(1, args.jobs))
                os.replace(tmp_out, out)
            finally:
                shutil.rmtree(tmp_out, ignore_errors=True)
            m = json.loads((out / "manifest.json").read_text())
            log(f"done in {time.monotonic() - t0:.0f} s: {out} ({len(m['packages'])} packages, "
                f"{m['repo_size'] / 2**20:.0f} MiB; core {m['sets']['core']['count']} packages "
                f"{m['sets']['core']['installed_size'] / 2**20:.0f} MiB installed, full "
                f"{m['sets']['full']['count']} packages {m['sets']['full']['installed_size'] / 2**20:.0f} MiB)")
            prune(cache, {out.name}, "[0-9a-f]" * 16, 2)
            prune(cache, {f"root-{root_key(data)}.tar.zst"}, "root-*.tar.zst", 2)
    if args.link:
        update_link(Path(args.link), out)
    if args.print_path:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
