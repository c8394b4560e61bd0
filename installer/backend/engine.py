"""apply(plan, system, emit, cancel) -> Result: the one place a plan is carried out.

Steps run in order; each emits typed events. Cancellation is honoured between units of work
(steps call ``ctx.check_cancel()``). Teardown registered by any step runs in reverse order on
every exit path: success, failure and cancellation.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import traceback
from dataclasses import dataclass

from installer.backend.config import InstallConfig
from installer.backend.errors import Cancelled, InstallerError, RefusedForSafety
from installer.backend.events import (
    Emit,
    Event,
    Failed,
    Finished,
    LogLine,
    PlanReady,
    StepFinished,
    StepStarted,
)
from installer.backend.machine import Machine
from installer.backend.plan import Plan
from installer.backend.secrets import redact
from installer.backend.steps.base import StepContext
from installer.backend.system import System


@dataclass(frozen=True)
class Result:
    ok: bool
    cancelled: bool = False
    failed_step: str | None = None
    error: str | None = None
    duration_s: float = 0.0
    refused: bool = False
    """A safety refusal (a disk in use now, a device the plan does not name): exit code 3."""

    @property
    def exit_code(self) -> int:
        if self.ok:
            return 0
        if self.cancelled:
            return 130
        return 3 if self.refused else 1


def apply(
    plan: Plan,
    config: InstallConfig,
    machine: Machine,
    system: System,
    emit: Emit,
    cancel: threading.Event | None = None,
    *,
    log_path: str | None = None,
) -> Result:
    cancel = cancel or threading.Event()
    start = time.monotonic()
    recorded: list[Event] = []  # the event stream so far, for the records step (events.jsonl)
    emit = _recording(emit, recorded)

    ctx = StepContext(
        system=system,
        config=config,
        machine=machine,
        target_root=plan.target_root,
        emit=emit,
        cancel=cancel,
    )
    ctx.state["plan"] = plan
    ctx.state["log_path"] = log_path
    ctx.state["events"] = recorded
    system.logger = lambda line: emit(LogLine(step_id=ctx.step_id, level="debug", message=line))
    system.allow_devices(plan.allowed_devices)
    emit(PlanReady(steps=[{"id": s.id, "title": s.title, "weight": s.weight} for s in plan.steps],
                   summary=plan.summary))
    total = sum(s.weight for s in plan.steps) or 1.0
    done = 0.0
    current = ""
    result: Result
    try:
        current = ctx.step_id = "check"
        for check in plan.checks:  # live re-checks before anything runs (pre-scripts included)
            check.run(ctx)
        for i, step in enumerate(plan.steps):
            ctx.check_cancel()
            current = step.id
            ctx.step_id = step.id
            ctx._weights = (done, step.weight, total)
            emit(StepStarted(step_id=step.id, title=step.title, index=i, total=len(plan.steps),
                             weight=step.weight))
            t0 = time.monotonic()
            step.action.run(ctx)
            ctx.progress(1.0, f"{step.title}: done")
            emit(StepFinished(step_id=step.id, ok=True, duration_s=round(time.monotonic() - t0, 3)))
            done += step.weight
        result = Result(ok=True, duration_s=time.monotonic() - start)
    except Cancelled:
        emit(StepFinished(step_id=current, ok=False, duration_s=0.0))
        result = Result(ok=False, cancelled=True, failed_step=current, error="cancelled by the user")
    except InstallerError as exc:
        emit(StepFinished(step_id=current, ok=False, duration_s=0.0))
        result = Result(ok=False, failed_step=current, error=redact(str(exc)),
                        refused=isinstance(exc, RefusedForSafety))
    except Exception as exc:  # a bug: keep the traceback in the log, not on the user's screen
        emit(LogLine(step_id=current, level="error", message=redact(traceback.format_exc())))
        emit(StepFinished(step_id=current, ok=False, duration_s=0.0))
        result = Result(ok=False, failed_step=current,
                        error=redact(f"internal error: {type(exc).__name__}: {exc}"))
    finally:
        teardown_errors = _teardown(ctx, emit)
    if result.ok and teardown_errors:
        result = Result(ok=False, failed_step="teardown", error="; ".join(teardown_errors))
    duration = round(time.monotonic() - start, 3)
    if result.ok:
        emit(Finished(ok=True, duration_s=duration, finish=config.finish,
                      storage_engine=ctx.state.get("storage_engine")))
    else:
        emit(Failed(step_id=result.failed_step or "", error=result.error or "",
                    cancelled=result.cancelled, log_path=log_path, storage_engine=ctx.state.get("storage_engine")))
    return dataclasses.replace(result, duration_s=duration)


def _recording(emit: Emit, into: list[Event]) -> Emit:
    def fn(e: Event) -> None:
        into.append(e)
        emit(e)

    return fn


def _teardown(ctx: StepContext, emit: Emit) -> list[str]:
    errors: list[str] = []
    ctx.step_id = "teardown"
    while ctx.teardowns:
        td = ctx.teardowns.pop()
        try:
            td.fn()
            emit(LogLine(step_id="teardown", level="info", message=f"teardown: {td.name}"))
        except Exception as exc:  # keep going: every later teardown must still run
            msg = redact(f"teardown {td.name} failed: {exc}")
            errors.append(msg)
            emit(LogLine(step_id="teardown", level="error", message=msg))
    return errors
