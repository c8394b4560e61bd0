"""Running one user script through the System seam, with its output in the log."""

from __future__ import annotations

from installer.backend.config import Script
from installer.backend.errors import CommandFailed, StepFailed
from installer.backend.steps.base import StepContext

SCRIPT_DIR = "/tmp"  # inside the target (chroot) or on the installer host
LOG_DIR = "/var/log/installer"


def run_script(ctx: StepContext, script: Script, name: str, *, in_target: bool) -> None:
    """Write the script to a file, run it with its interpreter, log its output. A failing script
    stops the install only with error_on_fail, as Anaconda's --erroronfail does."""
    body = script.body if script.body.endswith("\n") else script.body + "\n"
    rel = f"{SCRIPT_DIR}/azl-{name}.script"
    host_path = ctx.path(rel) if in_target else rel
    ctx.system.write_file(host_path, body, mode=0o700)
    if in_target:
        from installer.backend.steps.chroot import ensure_mounts

        ensure_mounts(ctx)
        argv = ["chroot", ctx.target_root, script.interpreter, rel]
    else:
        argv = [script.interpreter, rel]
    env = {"AZL_TARGET_ROOT": ctx.target_root, "ANA_INSTALL_PATH": ctx.target_root}
    ctx.log(f"running {name} script ({script.interpreter}, {'in target' if in_target else 'on host'})")
    try:
        res = ctx.system.run(argv, check=False, env=env)
    finally:
        ctx.system.remove(host_path)
    output = res.stdout + (("\n" + res.stderr) if res.stderr else "")
    for line in output.splitlines():
        ctx.log(f"[{name}] {line}")
    log_files = [ctx.path(LOG_DIR, f"{name}.log")] if in_target or ctx.state.get("target_ready") else []
    if script.log:
        log_files.append(ctx.path(script.log) if in_target else script.log)
    for lf in log_files:
        ctx.system.write_file(lf, output, mode=0o600)
    if res.returncode != 0:
        msg = f"{name} script exited {res.returncode}"
        if script.error_on_fail:
            tail = [ln.strip() for ln in output.splitlines() if ln.strip()][-2:]
            detail = f"exited {res.returncode} (error_on_fail)" + (": " + " | ".join(tail) if tail else "")
            raise StepFailed(ctx.step_id, f"{name} script", detail) from CommandFailed(
                argv, res.returncode, res.stderr
            )
        ctx.log(msg + " (continuing: error_on_fail is off)", "warning")
