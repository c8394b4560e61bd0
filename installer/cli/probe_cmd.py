"""`azl-installer probe [--json]`: what the installer sees on this machine (read-only).

`--json` prints the same Machine model the recorded fixtures use, so users can record their own
machine and pass it back with `--machine FILE`.
"""

from __future__ import annotations

import argparse
import json

from installer.backend.sizes import format_size
from installer.cli.common import EXIT_OK


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("probe", help="show this machine's firmware and disks (read-only)")
    p.add_argument("--json", action="store_true", help="print the Machine model as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from installer.backend.probe import probe_machine

    m = probe_machine()
    if args.json:
        print(json.dumps(m.model_dump(mode="json"), indent=2))
        return EXIT_OK
    print(f"firmware {m.firmware}, {m.arch}, memory {format_size(m.memory)}, virtualization {m.virtualization}")
    for d in m.disks:
        flags = [f for f, on in (("installer medium", d.is_installer_medium), ("running system", d.holds_running_root),
                                 ("read-only", d.read_only), ("removable", d.removable)) if on]
        print(f"{d.describe()}{' (' + ', '.join(flags) + ')' if flags else ''}: {d.contents()}")
    return EXIT_OK
