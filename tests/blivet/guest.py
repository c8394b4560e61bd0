"""Boot the installer medium's live root in QEMU and run tests/blivet/guest_job.py inside it.

Reuses the ISO harness (tests/vm/qemu.py: Guest, GuestSpec, answer_drive, live_append): direct
kernel boot of the medium's own kernel and initrd with the ISO as the CD (its live root), blank
qcow2 virtio disks (/dev/vda, /dev/vdb), and a small vfat drive labelled AZLBLV carrying the
current source tree and the job. The medium's launcher is masked for this boot and systemd's
``systemd.run=`` runs the job instead, then powers off. The result comes back as one
base64 line on the serial console. Disks and overlays are removed afterwards.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re
import tarfile
from pathlib import Path
from typing import Any

from tests.vm.qemu import REPO, Guest, GuestSpec, Medium, answer_drive, blank_disk, live_append

JOB_LABEL = "AZLBLV"
PW = "blivet-vm-test-passphrase"
FAST_KDF = {"pbkdf": "pbkdf2", "pbkdf_iterations": 1000}
ENC = {"enabled": True, "passphrase": PW, **FAST_KDF}
SKIP = {"__pycache__", ".mypy_cache", ".pytest_cache"}


def source_tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for top in ("installer", "tests/__init__.py", "tests/blivet/__init__.py", "tests/blivet/guest_job.py"):
            path = REPO / top
            files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
            for f in files:
                rel = f.relative_to(REPO)
                if SKIP & set(rel.parts) or f.suffix == ".pyc":
                    continue
                tar.add(f, arcname=str(rel))
    return buf.getvalue()


RUN_SH = """#!/bin/sh
exec >/dev/ttyS0 2>&1
echo "AZL-BLIVET: START"
mkdir -p /tmp/src && tar -xf /job/src.tar -C /tmp/src
cd /tmp/src
PYTHONPATH=/tmp/src PYTHONDONTWRITEBYTECODE=1 python3 -m tests.blivet.guest_job /job/job.json
echo "AZL-BLIVET: EXIT $?"
sync
"""

SYSTEMD_RUN = ('systemd.run="/bin/sh -c \'udevadm settle; mkdir -p /job; mount -r LABEL=AZLBLV /job '
               '|| sleep 5; mount -r LABEL=AZLBLV /job; exec sh /job/run.sh\'" '
               "systemd.run_success_action=poweroff systemd.run_failure_action=poweroff "
               "systemd.mask=azl-installer@ttyS0.service systemd.mask=azl-installer@tty1.service")


def run_job(medium: Medium, workdir: Path, cases: list[dict[str, Any]], *, disk_sizes: tuple[str, ...] = ("10G", "3G"),
            timeout: float = 2400.0, memory: int = 2048, name: str = "blivet") -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    disks = [blank_disk(workdir / f"{name}-disk{i}.qcow2", s) for i, s in enumerate(disk_sizes)]
    job = {"disks": [f"/dev/vd{chr(ord('a') + i)}" for i in range(len(disks))], "pw": PW, "cases": cases}
    drive = answer_drive(workdir / f"{name}-job.img", JOB_LABEL, {
        "/src.tar": source_tar(), "/job.json": json.dumps(job).encode(), "/run.sh": RUN_SH.encode()}, size_mb=32)
    # an older medium's command line had rd.live.check=0, which dracut reads as "check the medium"
    medium = dataclasses.replace(medium, cmdline=medium.cmdline.replace("rd.live.check=0", "").replace("  ", " "))
    spec = GuestSpec(firmware="bios", memory=memory, cdrom=medium.iso, disks=disks, extra_drives=[drive],
                     kernel=medium.kernel, initrd=medium.initrd, append=live_append(medium, SYSTEMD_RUN))
    guest = Guest(spec, workdir, name)
    try:
        guest.start()
        m = guest.wait_for(re.compile(r"AZL-BLIVET: RESULT ([A-Za-z0-9+/=]+)\r?\n"), timeout)
        result: dict[str, Any] = json.loads(base64.b64decode(m.group(1)))
        result["serial_log"] = str(guest.log_path)
        result["boot_to_job_s"] = _boot_seconds(guest)
        return result
    finally:
        guest.stop()
        for p in [*disks, drive]:
            p.unlink(missing_ok=True)


def _boot_seconds(guest: Guest) -> float | None:
    return None


def by_id(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in result["cases"]}
