"""``make vm-install ANSWERS=ks.cfg DISKS=2 DISK_SIZE=10G FIRMWARE=uefi RESULT=/root/RESULT``.

Boots the ISO in QEMU with blank disks, runs the unattended install of ANSWERS (named with
``inst.ks=`` on a throw-away drive) and leaves in RESULT: the disk images (``disk0.qcow2`` ...),
the serial console log, and ``result.json`` (marker, rc, timings, the QEMU command line). With
``--boot`` it then boots the installed disks alone and records the login prompt's arrival.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.vm import scenarios
from tests.vm.qemu import REPO, Guest, GuestSpec, Medium


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="vm-install", description=__doc__)
    ap.add_argument("--answers", type=Path, required=True)
    ap.add_argument("--disks", type=int, default=1)
    ap.add_argument("--disk-size", default="10G")
    ap.add_argument("--firmware", choices=["uefi", "bios"], default="uefi")
    ap.add_argument("--memory", type=int, default=2048)
    ap.add_argument("--result", type=Path, default=REPO / "build" / "vm-result")
    ap.add_argument("--via", choices=["inst.ks", "oemdrv", "oemdrv-menu"], default="inst.ks")
    ap.add_argument("--boot", action="store_true", help="boot the installed disks afterwards")
    ap.add_argument("--iso-info", type=Path, default=REPO / "build" / "iso-info.json")
    args = ap.parse_args(argv)

    medium = Medium.load(args.iso_info)
    out: Path = args.result.resolve()
    out.mkdir(parents=True, exist_ok=True)
    result = scenarios.install(
        medium,
        out,
        args.answers.resolve(),
        firmware=args.firmware,
        disk_count=args.disks,
        disk_size=args.disk_size,
        memory=args.memory,
        via=args.via,
    )
    summary: dict[str, object] = {
        "marker": result.marker,
        "detail": result.detail,
        "ok": result.ok,
        "seconds_to_ready": round(result.ready_seconds, 1),
        "seconds_total": round(result.seconds, 1),
        "disks": [str(d) for d in result.disks],
        "serial_log": str(result.guest.log_path),
        "qemu_argv": result.guest.argv(),
    }
    print(f"vm-install: {result.marker} {result.detail} after {result.seconds:.0f} s")
    if not result.ok:
        print(result.guest.tail(40), file=sys.stderr)
    elif args.boot:
        spec = GuestSpec(firmware=args.firmware, memory=1024, disks=result.disks, boot_from="disk")
        with Guest(spec, out, "installed") as guest:
            m = guest.wait_for(r"(?i)passphrase|login: ", scenarios.BOOT_TIMEOUT)
            summary["installed_boot_prompt"] = m.group(0)
            summary["installed_boot_seconds"] = round(guest.elapsed(), 1)
    (out / "result.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"vm-install: results in {out}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
