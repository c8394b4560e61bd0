"""Payload benchmark: the installer's one transaction vs one dnf call per package (what Azure
Linux 3.0's installer does: an --assumeno pass to count, then one call per package of the list),
and the installer's overhead over a bare `dnf --installroot install` of the same set.

Same repository, same run, fresh install roots; prints figures and ratios (targets: ours at
least 3x faster than per-package, overhead <= 1.10). Needs root.

    python bench/payload_bench.py [--repo DIR] [--runs N] [--synthetic N]

Repository: --repo, else build/fixture-repo (the fixture distribution, core set), else a
synthetic signed repository of N small packages with a dependency tree (custom set of its leaves),
cached under build/bench-payload-repo-N.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from installer.backend.config import InstallConfig  # noqa: E402
from installer.backend.machine import Machine  # noqa: E402
from installer.backend.payload import tool as pm  # noqa: E402
from installer.backend.payload.preflight import run_preflight  # noqa: E402
from installer.backend.payload.repos import RPMMACROS, WorkDir, pm_config, repo_file  # noqa: E402
from installer.backend.payload.spec import PayloadSpec, make_spec  # noqa: E402
from installer.backend.payload.transaction import install  # noqa: E402
from installer.backend.steps.base import StepContext  # noqa: E402
from installer.backend.system import HostSystem  # noqa: E402

KEY = "RPM-GPG-KEY-azl-fixture"


def synthetic_repo(dest: Path, n: int) -> tuple[Path, list[str]]:
    """n signed packages, pkg-i requires pkg-(i//2); the set is the leaves (the upper half)."""
    from tests.payload import tinyrepo

    base = tinyrepo.build(dest)  # key + base package; add the synthetic ones and re-sign/index
    with tempfile.TemporaryDirectory(prefix="azl-bench-") as tmp:
        t = Path(tmp)
        gnupg = t / "gnupg"
        gnupg.mkdir(mode=0o700)
        env = {**os.environ, "GNUPGHOME": str(gnupg)}
        (t / "p").write_text(f"Key-Type: RSA\nKey-Length: 2048\nName-Real: {tinyrepo.GPG_NAME}\n"
                             "Expire-Date: 0\n%no-protection\n%commit\n")
        subprocess.run(["gpg", "--batch", "--gen-key", str(t / "p")], env=env, check=True, capture_output=True)
        (base / KEY).write_bytes(subprocess.run(["gpg", "--armor", "--export", tinyrepo.GPG_NAME], env=env,
                                                check=True, capture_output=True).stdout)
        top = t / "top"
        for i in range(1, n + 1):
            req = f"Requires: pkg-{i // 2:03d}" if i > 1 else "Requires: azl-tiny-base"
            spec = t / f"pkg-{i:03d}.spec"
            spec.write_text(
                f"Name: pkg-{i:03d}\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
                f"AutoReqProv: no\n{req}\n%description\nsynthetic\n%install\nmkdir -p %{{buildroot}}/usr/share/p\n"
                f"head -c 300000 /dev/urandom > %{{buildroot}}/usr/share/p/{i:03d}\n"
                f"for j in $(seq 1 40); do echo $j > %{{buildroot}}/usr/share/p/{i:03d}-$j; done\n"
                f"%files\n/usr/share/p/{i:03d}*\n%dir /usr/share/p\n")
            subprocess.run(["rpmbuild", "-bb", "--define", f"_topdir {top}", "--define", "__os_install_post %{nil}",
                            "--define", "_build_id_links none", str(spec)], check=True, capture_output=True)
        rpms = [*top.glob("RPMS/*/*.rpm"), *base.glob("*.rpm")]
        subprocess.run(["rpmsign", "--addsign", "--define", "__gpg /usr/bin/gpg", "--define",
                        f"_gpg_name {tinyrepo.GPG_NAME}", *map(str, rpms)], env=env, check=True, capture_output=True)
        for r in top.glob("RPMS/*/*.rpm"):
            shutil.copy2(r, base / r.name)
    shutil.rmtree(base / "repodata")
    subprocess.run(["createrepo_c", "--quiet", str(base)], check=True)
    return base, [f"pkg-{i:03d}" for i in range(n // 2 + 1, n + 1)]


def spec_for(repo: Path, names: list[str] | None) -> PayloadSpec:
    pk: dict[str, object] = {"hypervisor_packages": "always"}
    if names:
        pk.update({"set": "custom", "custom": names})
    cfg = InstallConfig.model_validate({"version": 1, "packages": pk})
    return make_spec(cfg, Machine(virtualization="kvm"), env={"AZL_MEDIUM_REPO": str(repo)})


def bare_env(spec: PayloadSpec, d: Path) -> tuple[WorkDir, dict[str, str]]:
    w = WorkDir(str(d / "work"))
    for p in (w.reposdir, w.home, w.cache):
        os.makedirs(p, exist_ok=True)
    Path(w.reposdir, "r.repo").write_text(repo_file(spec.repos))
    Path(w.home, ".rpmmacros").write_text(RPMMACROS)
    Path(w.config).write_text(pm_config("dnf", w))
    return w, {**os.environ, **w.env()}


def run_bare(spec: PayloadSpec, d: Path, import_key: bool = False) -> float:
    """One dnf call; with import_key the key goes into the target rpmdb first (rpm --import), else dnf
    imports it itself when it meets the first signed package (and checks the packages again)."""
    w, env = bare_env(spec, d)
    argv = [*pm.base_argv("dnf", w, str(d / "root"), spec.releasever), "-y", "install", *spec.selection.names]
    t0 = time.monotonic()
    if import_key:
        for key in spec.repos[0].gpgkeys:
            subprocess.run([*pm.rpm_argv(str(d / "root")), "--import", key.removeprefix("file://")], env=env,
                           check=True)
    subprocess.run(argv, env=env, check=True, capture_output=True)
    return time.monotonic() - t0


def run_per_package(spec: PayloadSpec, d: Path, names: list[str] | None = None) -> float:
    w, env = bare_env(spec, d)
    root = str(d / "root")
    base = pm.base_argv("dnf", w, root, spec.releasever)
    t0 = time.monotonic()
    subprocess.run([*base, "--assumeno", "install", *spec.selection.names], env=env, capture_output=True)
    for name in names or spec.selection.names:
        subprocess.run([*base, "-y", "install", name], env=env, check=True, capture_output=True)
    return time.monotonic() - t0


def run_ours(spec: PayloadSpec, d: Path) -> tuple[float, list[str]]:
    ctx = StepContext(system=HostSystem(), config=InstallConfig(), machine=Machine(), target_root=str(d / "root"),
                      emit=lambda e: None, cancel=threading.Event())
    t0 = time.monotonic()
    try:
        ctx.step_id = "preflight"
        pre = run_preflight(ctx, spec)
        ctx.step_id = "payload"
        install(ctx, spec, pre)
        took = time.monotonic() - t0
    finally:
        while ctx.teardowns:
            ctx.teardowns.pop().fn()
    return took, [p.name for p in pre.resolution.packages]


def fresh(base: Path, name: str) -> Path:
    d = base / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", help="a repository directory with repodata and RPM-GPG-KEY-azl-fixture")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--synthetic", type=int, default=0, help="force a synthetic repo of N packages")
    ap.add_argument("--no-per-resolved", action="store_true",
                    help="skip the (slow) run with one dnf call per resolved package")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("payload_bench needs root (rpm --root, dnf --installroot)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="azl-payload-bench-") as tmp:
        tmpd = Path(tmp)
        fixture = ROOT / "build" / "fixture-repo"
        names: list[str] | None = None
        if args.repo:
            repo, what = Path(args.repo), f"repository {args.repo}, core set"
        elif not args.synthetic and (fixture / "repodata" / "repomd.xml").is_file():
            repo, what = fixture.resolve(), f"fixture repository {fixture.resolve()}, core set"
        else:
            n = args.synthetic or 120
            cached = ROOT / "build" / f"bench-payload-repo-{n}"
            if (cached / "repodata" / "repomd.xml").is_file():
                repo, names = cached, [f"pkg-{i:03d}" for i in range(n // 2 + 1, n + 1)]
            else:
                shutil.rmtree(cached, ignore_errors=True)
                repo, names = synthetic_repo(cached, n)
            what = f"synthetic signed repository ({n} packages + base), custom set of {len(names)} leaves"
        # a private snapshot (hard links where possible): a concurrent `make fixture-repo` may replace files
        snap = tmpd / "repo-snapshot"
        if subprocess.run(["cp", "-al", str(repo), str(snap)], capture_output=True).returncode != 0:
            shutil.rmtree(snap, ignore_errors=True)
            shutil.copytree(repo, snap)
        repo = snap
        spec = spec_for(repo, names)
        print(f"payload bench: {what}; {len(spec.selection.names)} names in the set")
        run_bare(spec, fresh(tmpd, "warmup"))  # page cache and repo metadata warm for everybody
        bare, barek, ours, per = [], [], [], []
        resolved: list[str] = []
        for r in range(args.runs):
            bare.append(run_bare(spec, fresh(tmpd, f"bare{r}")))
            barek.append(run_bare(spec, fresh(tmpd, f"barek{r}"), import_key=True))
            o, resolved = run_ours(spec, fresh(tmpd, f"ours{r}"))
            ours.append(o)
            per.append(run_per_package(spec, fresh(tmpd, f"per{r}")))
            for k in ("bare", "barek", "ours", "per"):
                shutil.rmtree(tmpd / f"{k}{r}", ignore_errors=True)
        b, o, p = statistics.median(bare), statistics.median(ours), statistics.median(per)
        bk = statistics.median(barek)
        n = len(spec.selection.names)
        print(f"  runs: {args.runs} (medians); packages installed: {len(resolved)}")
        print(f"  bare dnf --installroot install (one call):        {b:7.2f} s")
        print(f"  bare rpm --import + dnf install:                  {bk:7.2f} s")
        print(f"  installer payload (preflight + install):          {o:7.2f} s")
        print(f"  one dnf call per listed name (Azure Linux 3.0):   {p:7.2f} s  ({n} calls + --assumeno count)")
        if not args.no_per_resolved:
            pr = run_per_package(spec, fresh(tmpd, "per-resolved"), sorted(resolved))
            print(f"  one dnf call per resolved package (one run):      {pr:7.2f} s  ({len(resolved)} calls"
                  " + --assumeno count)")
        print(f"  per listed name / ours:      {p / o:5.2f}x   (target >= 3x)")
        if not args.no_per_resolved:
            print(f"  per resolved package / ours: {pr / o:5.2f}x   (target >= 3x)")
        print(f"  ours / bare dnf:             {o / b:5.2f}    (target <= 1.10)")
        print(f"  ours / bare import + dnf:    {o / bk:5.2f}    (target <= 1.10)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
