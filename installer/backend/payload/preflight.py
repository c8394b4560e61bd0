"""Preflight: resolve the whole transaction before any disk is touched.

Missing packages, conflicts, unreachable repositories, bad keys and unsigned or tampered packages
(for local repositories) all stop the install here, with the download and installed size known.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from installer.backend.errors import StepFailed
from installer.backend.payload import tool as pm
from installer.backend.payload.parse import Resolution, parse_resolution
from installer.backend.payload.repos import RPMMACROS, WorkDir, local_path, pm_config, repo_file
from installer.backend.payload.spec import PayloadSpec
from installer.backend.sizes import format_size
from installer.backend.steps.base import StepContext


@dataclass(frozen=True)
class PreflightResult:
    tool: str
    work: WorkDir
    resolution: Resolution
    verified_repos: tuple[str, ...] = ()
    """Repositories (gpgcheck on, local) whose every resolved package passed ``rpm -K`` here."""

    @property
    def count(self) -> int:
        return self.resolution.count


def _exists(ctx: StepContext, path: str) -> bool:
    # through run(), so that dry-run (RecordingSystem) answers yes and records the check
    return ctx.system.run(["test", "-e", path], check=False).returncode == 0


def prepare_workdir(ctx: StepContext, spec: PayloadSpec, tool: str) -> WorkDir:
    work = WorkDir.for_target(ctx.target_root)
    if ctx.state.get("payload_workdir") == work.path:
        return work
    s = ctx.system
    s.remove(work.path)
    for d in (work.path, work.reposdir, work.home, work.cache, work.preflight_root, work.keydb):
        s.makedirs(d, mode=0o700)
    s.write_file(f"{work.reposdir}/azl-installer.repo", repo_file(spec.repos))
    s.write_file(f"{work.home}/.rpmmacros", RPMMACROS + spec.rpm_macros())
    s.write_file(work.config, pm_config(tool, work))
    ctx.state["payload_workdir"] = work.path
    ctx.push_teardown(f"remove {work.path}", lambda: s.remove(work.path))
    return work


def check_repos(ctx: StepContext, spec: PayloadSpec) -> None:
    if not spec.repos:
        raise StepFailed(ctx.step_id, "repositories",
                         "no package repository: set packages.repositories or run from the installer medium "
                         "(AZL_MEDIUM_REPO)")
    for r in spec.repos:
        if not r.gpgcheck:
            ctx.log(f"!!! gpgcheck is OFF for repository '{r.name}' ({r.baseurl}): its packages will be "
                    "installed WITHOUT signature verification !!!", "warning")
        d = r.local_dir
        if d is not None and not _exists(ctx, f"{d}/repodata/repomd.xml"):
            raise StepFailed(ctx.step_id, f"repository '{r.name}'",
                             f"unreachable: {d}/repodata/repomd.xml does not exist")
        if r.gpgcheck and not r.gpgkeys:
            raise StepFailed(ctx.step_id, f"repository '{r.name}'", "gpgcheck is on but no gpgkey is given")
        for k in r.gpgkeys:
            kp = local_path(k)
            if kp is not None and not _exists(ctx, kp):
                raise StepFailed(ctx.step_id, f"repository '{r.name}'", f"gpg key {kp} does not exist")


def _import_keys(ctx: StepContext, spec: PayloadSpec, work: WorkDir) -> None:
    for r in spec.repos:
        if not r.gpgcheck:
            continue
        for k in r.gpgkeys:
            key = local_path(k) or k
            res = ctx.system.run(["rpm", "--dbpath", work.keydb, "--import", key], check=False, env=work.env())
            if res.returncode != 0:
                detail = (res.stderr.strip().splitlines() or ["rpm --import failed"])[-1]
                raise StepFailed(ctx.step_id, f"repository '{r.name}'", f"bad gpg key {key}: {detail}")


def _fail_resolution(ctx: StepContext, res: Resolution, rc: int, stdout: str, stderr: str) -> None:
    if res.unreachable:
        raise StepFailed(ctx.step_id, "resolve packages",
                         f"repository unreachable: {', '.join(res.unreachable)} (cannot download its metadata)")
    if res.missing:
        raise StepFailed(ctx.step_id, "resolve packages",
                         f"packages not found in the repositories: {', '.join(res.missing)}")
    if res.problems:
        raise StepFailed(ctx.step_id, "resolve packages", "dependency problems: " + "; ".join(res.problems[:6]))
    if rc != 0 and res.count == 0:
        tail = [ln.strip() for ln in (stderr or stdout).splitlines() if ln.strip()][-3:]
        raise StepFailed(ctx.step_id, "resolve packages", " | ".join(tail) or f"the package manager exited {rc}")


_DECOMPRESS = {".gz": "gzip", ".zst": "zstd", ".xz": "xz", ".bz2": "bzip2"}


def local_locations(ctx: StepContext, repo_dir: str) -> dict[str, str]:
    """NEVRA -> RPM path for a local repository, from its primary metadata (no second dnf run)."""
    try:
        repomd = ctx.system.read_file(f"{repo_dir}/repodata/repomd.xml")
    except OSError:
        return {}
    root = ET.fromstring(repomd)
    href = None
    for data in root.iter():
        if data.tag.endswith("}data") and data.get("type") == "primary":
            loc = next((c for c in data if c.tag.endswith("}location")), None)
            href = loc.get("href") if loc is not None else None
    if not href:
        return {}
    path = f"{repo_dir}/{href}"
    tool = next((t for ext, t in _DECOMPRESS.items() if href.endswith(ext)), None)
    if tool is None:
        text = ctx.system.read_file(path)
    else:
        text = ctx.system.run([tool, "-dc", path]).stdout
    out: dict[str, str] = {}
    for pkg in ET.fromstring(text):
        if not pkg.tag.endswith("}package"):
            continue
        f = {c.tag.rsplit("}", 1)[-1]: c for c in pkg}
        v, loc = f.get("version"), f.get("location")
        if v is None or loc is None or "name" not in f or "arch" not in f:
            continue
        epoch = v.get("epoch") or "0"
        evr = ("" if epoch == "0" else f"{epoch}:") + f"{v.get('ver')}-{v.get('rel')}"
        out[f"{f['name'].text}-{evr}.{f['arch'].text}"] = f"{repo_dir}/{loc.get('href')}"
    return out


def _check_signatures(ctx: StepContext, spec: PayloadSpec, res: Resolution, work: WorkDir) -> tuple[str, ...]:
    """rpm -K every resolved package of a local repository with gpgcheck; return those repositories."""
    checked = {r.name: r for r in spec.repos if r.gpgcheck}
    local: list[str] = []
    remote = 0
    maps: dict[str, dict[str, str]] = {}
    for p in res.packages:
        repo = checked.get(p.repo)
        if repo is None:
            continue
        if repo.local_dir is None:
            remote += 1
            continue
        if repo.name not in maps:
            maps[repo.name] = local_locations(ctx, repo.local_dir)
        path = maps[repo.name].get(p.nevra)
        if path is None:
            raise StepFailed(ctx.step_id, "signature check", f"{p.nevra} is not in the metadata of '{repo.name}'")
        local.append(path)
    if remote > 0:
        ctx.log(f"{remote} package(s) come from network repositories: their signatures are verified during "
                "the transaction")
    if not local:
        return ()
    # digests and signatures of every package, in parallel batches (hashing is most of the preflight time)
    jobs = str(max(1, min(4, os.cpu_count() or 1)))
    k = ctx.system.run(["xargs", "-0", "-n", "32", "-P", jobs, "rpm", "--dbpath", work.keydb, "-K", "--define",
                        "_pkgverify_level signature"], input="\0".join(local), check=False, env=work.env())
    bad = [ln for ln in k.stdout.splitlines() if "NOT OK" in ln or ln.rstrip().endswith(("BAD", "FAILED"))]
    if k.returncode != 0 or bad:
        names = [ln.split(":", 1)[0].rsplit("/", 1)[-1] + ":" + ln.split(":", 1)[-1] for ln in bad] or [
            k.stderr.strip()]
        raise StepFailed(ctx.step_id, "signature check",
                         "packages fail the signature check (unsigned or tampered): " + "; ".join(names[:5]))
    ctx.log(f"signatures OK for {len(local)} package(s)")
    return tuple(sorted(maps))


def run_preflight(ctx: StepContext, spec: PayloadSpec) -> PreflightResult:
    check_repos(ctx, spec)
    tool = pm.detect(ctx.system)
    work = prepare_workdir(ctx, spec, tool)
    _import_keys(ctx, spec, work)
    ctx.progress(0.2, f"resolving {len(spec.selection.names)} package names with {tool}")
    argv = [
        *pm.base_argv(tool, work, work.preflight_root, spec.releasever, excludedocs=spec.excludedocs,
                      exclude=spec.selection.exclude),
        "--assumeno", "install", *spec.selection.names,
    ]
    out = ctx.system.run(argv, check=False, env=work.env())
    res = parse_resolution(out.stdout, out.stderr)
    _fail_resolution(ctx, res, out.returncode, out.stdout, out.stderr)
    ctx.progress(0.6, f"checking signatures of {res.count} packages")
    verified = _check_signatures(ctx, spec, res, work)
    size = format_size(res.installed_size) if res.installed_size else "unknown"
    dl = format_size(res.download_size) if res.download_size else "unknown"
    ctx.log(f"preflight: {res.count} packages, download {dl}, installed size {size}")
    result = PreflightResult(tool, work, res, verified)
    ctx.state["preflight"] = result
    ctx.state["payload_installed_size"] = res.installed_size
    ctx.state["payload_download_size"] = res.download_size
    return result
