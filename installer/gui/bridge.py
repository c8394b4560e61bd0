"""Backend events -> a Qt signal. The engine runs in a worker thread; the UI never blocks.

``events`` carries every installer.backend.events.Event (queued to the GUI thread, since the
bridge lives there); ``done`` carries the engine's Result once apply() returned and teardown ran.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:  # the engine and events are imported when an install starts, not at start-up
    from installer.backend.config import InstallConfig
    from installer.backend.events import Event
    from installer.backend.machine import Machine
    from installer.backend.plan import Plan
    from installer.backend.system import System


class EngineBridge(QObject):
    events = Signal(object)
    done = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cancel_event = threading.Event()
        self.worker: threading.Thread | None = None
        self._log: IO[str] | None = None

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.is_alive()

    def start(self, plan: Plan, config: InstallConfig, machine: Machine, system: System,
              log_path: str | None = None) -> None:
        """Run apply() in a worker thread; events arrive on the GUI thread through ``events``."""
        from installer.backend.engine import Result, apply
        from installer.backend.events import Failed
        from installer.backend.secrets import redact

        self.cancel_event.clear()
        sinks = [self.events.emit]
        if log_path:
            from installer.cli.render import LogFile

            Path(log_path).parent.mkdir(parents=True, exist_ok=True)
            self._log = open(log_path, "w")  # noqa: SIM115 - closed when the worker ends
            sinks.append(LogFile(self._log))

        def emit(ev: Event) -> None:
            for s in sinks:
                s(ev)

        def work() -> None:
            try:
                result = apply(plan, config, machine, system, emit, self.cancel_event, log_path=log_path)
            except Exception as exc:  # apply() catches step errors; this is a last resort
                msg = redact(f"internal error: {type(exc).__name__}: {exc}")
                emit(Failed(step_id="", error=msg, log_path=log_path))
                result = Result(ok=False, error=msg)
            finally:
                if self._log is not None:
                    self._log.close()
                    self._log = None
            self.done.emit(result)

        self.worker = threading.Thread(target=work, name="azl-install", daemon=True)
        self.worker.start()

    def cancel(self) -> None:
        self.cancel_event.set()

    def wait(self, timeout: float | None = None) -> None:
        if self.worker is not None:
            self.worker.join(timeout)

    def replay(self, events: Iterable[Event], interval_ms: int = 0) -> None:
        """Emit a recorded stream (demos, screenshots, tests): one event per timer tick, so the
        GUI paints between events as it does in a real install; ``done`` follows the last."""
        from installer.backend.engine import Result
        from installer.backend.events import Failed, Finished

        queue = list(events)

        def tick() -> None:
            if self.cancel_event.is_set():
                self.events.emit(Failed(step_id="", error="cancelled by the user", cancelled=True))
                self.done.emit(Result(ok=False, cancelled=True, error="cancelled by the user"))
                return
            if not queue:
                return
            ev = queue.pop(0)
            self.events.emit(ev)
            if isinstance(ev, Finished | Failed):
                ok = isinstance(ev, Finished)
                self.done.emit(Result(ok=ok, cancelled=isinstance(ev, Failed) and ev.cancelled,
                                      error=None if ok else getattr(ev, "error", None)))
                return
            QTimer.singleShot(interval_ms, tick)

        self.cancel_event.clear()
        QTimer.singleShot(0, tick)
