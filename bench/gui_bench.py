#!/usr/bin/env python3
"""Graphical installer start-up: process start -> first page painted, and its RSS, side by side
with a bare PySide6 window (one QLabel) started the same way in the same run.

    python bench/gui_bench.py              # 7 runs of each, offscreen
    python bench/gui_bench.py --runs 3 --platform offscreen

Both are children of this script, run with the same interpreter and environment: the bare one
shows a QLabel; the installer one calls the CLI entry point (`azl-installer --ui gui --dry-run
--machine tests/fixtures/machines/two-disks.json`). A child prints one line once its first paint
has happened (an application-wide event filter, then one more turn of the event loop); the
parent times from just before spawning it to that line.
Targets (issue 7): at most 3x the bare window's time, at most 150 MB RSS.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MACHINE = ROOT / "tests" / "fixtures" / "machines" / "two-disks.json"
TIME_RATIO_TARGET = 3.0
RSS_TARGET_MB = 150.0


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def child(kind: str) -> None:
    """One measured start: the bare window, or the installer exactly as `azl-installer --ui gui
    --dry-run --machine two-disks.json` starts it (the CLI entry point, in this process)."""
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QWidget

    app = QApplication(sys.argv[:1])  # the installer's run() reuses the running QApplication

    class FirstPaint(QObject):
        """Application-wide filter (both children pay for it): the first paint of a window."""

        done = False

        def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
            if not self.done and ev.type() == QEvent.Type.Paint and isinstance(obj, QWidget):
                self.done = True
                app.removeEventFilter(self)
                QTimer.singleShot(0, report)
            return False

    def report() -> None:
        import time

        cpu = time.process_time()  # CPU seconds since the process started: steadier under load
        print(f"SHOWN {_status_kb('VmRSS')} {_status_kb('VmHWM')} {cpu:.4f}", flush=True)
        for w in QApplication.topLevelWidgets():
            w.close()
        app.quit()

    spy = FirstPaint()
    app.installEventFilter(spy)
    if kind == "bare":
        label = QLabel("Hello from a bare PySide6 window")
        label.show()
        app.exec()
        return
    from installer.cli.main import main

    main(["--ui", "gui", "--dry-run", "--machine", str(MACHINE)])


def measure(kind: str, env: dict[str, str]) -> tuple[float, float, float]:
    import subprocess
    import time

    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", kind], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = ""
    for line in proc.stdout:
        if line.startswith("SHOWN"):
            break
    elapsed = time.perf_counter() - t0
    proc.wait(timeout=60)
    if not line.startswith("SHOWN"):
        raise SystemExit(f"{kind}: the child did not report its first paint (exit {proc.returncode})")
    _, rss_kb, hwm_kb, cpu = line.split()
    return elapsed, max(int(rss_kb), int(hwm_kb)) / 1024, float(cpu)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    ap.add_argument("--child", choices=["bare", "gui"], help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child)
        return 0
    import statistics

    env = {**os.environ, "QT_QPA_PLATFORM": a.platform}
    measure("bare", env)  # warm the page cache for both, untimed
    measure("gui", env)
    res: dict[str, list[tuple[float, float, float]]] = {"bare": [], "gui": []}
    for _ in range(a.runs):  # interleaved, so both see the same machine load
        for kind in ("bare", "gui"):
            res[kind].append(measure(kind, env))
    t = {k: statistics.median(x[0] for x in v) for k, v in res.items()}
    m = {k: statistics.median(x[1] for x in v) for k, v in res.items()}
    c = {k: statistics.median(x[2] for x in v) for k, v in res.items()}
    load = os.getloadavg()[0]
    print(f"GUI start-up, QT_QPA_PLATFORM={a.platform}, {a.runs} interleaved runs each (median; min-max), "
          f"load average {load:.1f} on {os.cpu_count()} CPUs")
    for k, title in (("bare", "bare PySide6 window (one QLabel)"), ("gui", "azl-installer GUI, first page")):
        ts = [x[0] for x in res[k]]
        print(f"  {title:34} {t[k]:6.3f} s ({min(ts):.3f}-{max(ts):.3f})   CPU {c[k]:.3f} s   RSS {m[k]:6.1f} MB")
    ratio = t["gui"] / t["bare"]
    print(f"  ratio (GUI / bare)                 {ratio:6.2f}x{'':16}CPU {c['gui'] / c['bare']:.2f}x   "
          f"RSS {m['gui'] / m['bare']:.2f}x")
    ok_t, ok_m = ratio <= TIME_RATIO_TARGET, m["gui"] <= RSS_TARGET_MB
    print(f"  target time <= {TIME_RATIO_TARGET:.0f}x bare: {'PASS' if ok_t else 'FAIL'};"
          f" target RSS <= {RSS_TARGET_MB:.0f} MB: {'PASS' if ok_m else 'FAIL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
