"""``make demo-tui``: boot the ISO in QEMU with the text installer on this terminal.

The guest's serial console is this terminal (Ctrl-A x quits QEMU); the live system starts the
text UI on ttyS0 with two blank 10G disks to install to (removed on exit).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.vm.qemu import REPO, Guest, GuestSpec, Medium, blank_disk, live_append


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="demo-tui", description=__doc__)
    ap.add_argument("--firmware", choices=["uefi", "bios"], default="uefi")
    ap.add_argument("--memory", type=int, default=2048)
    ap.add_argument("--disks", type=int, default=2)
    ap.add_argument("--args", default="", help="extra kernel arguments, e.g. inst.ks=...")
    args = ap.parse_args(argv)
    medium = Medium.load()
    work = Path(tempfile.mkdtemp(prefix="demo-tui-", dir=REPO / "build"))
    try:
        disks = [blank_disk(work / f"disk{i}.qcow2", "10G") for i in range(args.disks)]
        spec = GuestSpec(
            firmware=args.firmware,
            memory=args.memory,
            cdrom=medium.iso,
            disks=disks,
            kernel=medium.kernel,
            initrd=medium.initrd,
            append=live_append(medium, "inst.text", args.args),
            network=True,
        )
        argv = Guest(spec, work, "demo").argv()
        i = argv.index("-chardev")
        argv[i + 1] = "stdio,id=ser0,mux=on,signal=off"
        print("demo-tui: the installer appears below in about a minute; Ctrl-A x quits QEMU")
        proc = subprocess.Popen(argv)
        try:
            return proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if sys.stdin.isatty():
                os.system("stty sane")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
