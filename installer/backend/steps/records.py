"""Step 'records': the install log, the event stream and the answer file that reproduces this
install (secrets as hashes only) are copied to /var/log/installer/ in the target."""

from __future__ import annotations

from typing import Any

from installer.backend.steps.base import Step, StepContext
from installer.backend.steps.registry import PlanInfo, Planned

LOG_DIR = "/var/log/installer"


class Records:
    def run(self, ctx: StepContext) -> None:
        from installer.backend.answers.native import dump_yaml

        ctx.system.makedirs(ctx.path(LOG_DIR), mode=0o700)
        ctx.system.chmod(ctx.path(LOG_DIR), 0o700)  # it may exist already (script logs)
        ctx.system.write_file(ctx.path(LOG_DIR, "answers.yaml"), dump_yaml(ctx.config), mode=0o600)
        events = ctx.state.get("events")
        if isinstance(events, list) and events:
            ctx.system.write_file(ctx.path(LOG_DIR, "events.jsonl"),
                                  "".join(e.to_json() + "\n" for e in list(events)), mode=0o600)
        for key, name in (("log_path", "install.log"), ("events_path", "events.jsonl")):
            src = ctx.state.get(key)
            if src and src != "-":
                ctx.system.copy(str(src), ctx.path(LOG_DIR, name), mode=0o600)

    def describe(self) -> dict[str, Any]:
        return {"dir": LOG_DIR}


def plan(info: PlanInfo) -> Planned | None:
    return Planned(
        Step(
            "records",
            "Save the install log and answer file",
            0.5,
            [f"log, events and answers.yaml (no secrets) to {LOG_DIR}"],
            Records(),
        )
    )
