"""The install: one transaction with --installroot, per-package progress parsed from the output."""

from __future__ import annotations

import time

from installer.backend.errors import StepFailed
from installer.backend.payload import tool as pm
from installer.backend.payload.parse import ProgressParser, transaction_error
from installer.backend.payload.preflight import PreflightResult
from installer.backend.payload.repos import RPMMACROS, WORK_BASE, local_path
from installer.backend.payload.spec import PayloadSpec
from installer.backend.steps.base import StepContext

TARGET_MACROS_DIR = "/usr/lib/rpm/macros.d"
PREP_SHARE = 0.03  # key import etc., before the first package


def import_keys(ctx: StepContext, spec: PayloadSpec, pre: PreflightResult) -> None:
    """The distribution keys go into the target's rpm database (/var/lib/rpm)."""
    for r in spec.repos:
        if not r.gpgcheck:
            continue
        for k in r.gpgkeys:
            key = local_path(k) or k
            ctx.system.run([*pm.rpm_argv(ctx.target_root), "--import", key], env=pre.work.env())


# rpm itself checks the digests and signature of every package it installs (in-process, with the
# keys just imported into the target's database) and refuses unsigned ones
VERIFY_MACRO = "%_pkgverify_level signature\n"


def verification_args(ctx: StepContext, spec: PayloadSpec, pre: PreflightResult) -> list[str]:
    """Signature checking for the transaction without checking every package twice more.

    dnf's gpgcheck runs ``rpmkeys --checksig`` once per package (a process and a full read of the
    package each: minutes for 250 packages under emulation) although the preflight already ran
    ``rpm -K`` on every one of them from a local repository (the medium: read-only). For those
    repositories dnf's own check is skipped; instead, when every repository has gpgcheck on, rpm
    verifies digests and signatures in the transaction itself (``_pkgverify_level signature``), so a
    package that changed after the preflight still fails. Network repositories keep dnf's check.
    """
    if pre.tool != "dnf" or not pre.verified_repos:
        return []
    if not all(r.gpgcheck for r in spec.repos):
        return []
    ctx.system.write_file(f"{pre.work.home}/.rpmmacros", RPMMACROS + spec.rpm_macros() + VERIFY_MACRO)
    return [f"--setopt={name}.gpgcheck=0" for name in pre.verified_repos]


def install(ctx: StepContext, spec: PayloadSpec, pre: PreflightResult) -> list[str]:
    """Install the selection into the target root; returns the installed NEVRAs."""
    ctx.system.makedirs(ctx.target_root)
    import_keys(ctx, spec, pre)
    argv = [
        *pm.base_argv(pre.tool, pre.work, ctx.target_root, spec.releasever, excludedocs=spec.excludedocs,
                      exclude=spec.selection.exclude),
        *verification_args(ctx, spec, pre),
        "-y", "install", *spec.selection.names,
    ]
    parser = ProgressParser(pre.count)
    last = [0.0]
    installed: list[str] = []

    def on_line(line: str) -> None:
        p = parser.feed(line)
        if p is None:
            if line.strip():
                ctx.log(f"[{pre.tool}] {line.rstrip()}", "debug")
            return
        if p.message.startswith("installing"):
            installed.append(p.message.split()[1])
            ctx.log(f"[{pre.tool}] {line.strip()}", "debug")
        now = time.monotonic()
        if now - last[0] > 0.1 or p.current == p.count:  # at most ~10 events a second
            last[0] = now
            ctx.progress(PREP_SHARE + (1 - PREP_SHARE) * p.fraction, p.message, p.current, p.count)

    ctx.progress(PREP_SHARE, f"installing {pre.count} packages with {pre.tool}", 0, pre.count)
    res = ctx.system.run(argv, check=False, env=pre.work.env(), on_line=on_line)
    if res.returncode != 0:
        ctx.check_cancel()  # interrupted by the user (SIGINT reaches the package manager too)
        raise StepFailed(ctx.step_id, "package transaction", transaction_error(res.stdout, res.stderr))
    # dnf leaves an empty copy of its host work paths inside the installroot
    ctx.system.remove(ctx.path(WORK_BASE))
    if spec.rpm_macros():  # later installs in the running system honour them too (as the toolkit does)
        ctx.system.makedirs(ctx.path(TARGET_MACROS_DIR))
        ctx.system.write_file(ctx.path(TARGET_MACROS_DIR, "macros.azl-installer-locales"),
                              "# written by azl-installer (packages.install_langs)\n" + spec.rpm_macros())
    return installed
