"""Runs INSIDE a QEMU guest booted from the installer medium's live root (Debian 13, blivet).

``python3 -m tests.blivet.guest_job JOB.json`` with the current source tree on PYTHONPATH. For
each case it applies the same storage plan with each engine named in the job (parted, blivet)
to the guest's virtio disks, reads the result back while it is mounted (sfdisk --json,
lsblk --json, cryptsetup luksDump, blkid), checks that teardown left nothing open, scans our
log, blivet's log and the events for the passphrase, and prints one JSON result line on the
serial console: ``AZL-BLIVET: RESULT <base64>``. Stdlib and the installer only (no pytest).
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

TARGET = "/mnt/blivet-target"
LOGDIR = Path("/var/log/azl-blivet")


def sh(cmd: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, shell=True, capture_output=True, text=True, check=check)


def out(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, check=False).stdout


def say(msg: str) -> None:
    print(f"AZL-BLIVET: {msg}", flush=True)


def partitions_of(disk: str) -> list[str]:
    data = json.loads(out(["lsblk", "-J", "-p", "-o", "NAME,TYPE", disk]) or "{}")
    nodes = data.get("blockdevices") or []
    return [c["name"] for n in nodes for c in (n.get("children") or []) if c.get("type") == "part"]


def reset_disks(disks: list[str]) -> None:
    """Close every dm device, then wipe the disks (between cases and engines)."""
    sh("umount -R " + TARGET)
    sh("swapoff -a")
    sh("vgchange -an")
    sh("dmsetup remove_all --force")
    for d in disks:
        for p in partitions_of(d):
            sh(f"wipefs -a -f {p}")
        sh(f"wipefs -a -f {d}")
        sh(f"dd if=/dev/zero of={d} bs=1M count=4 conv=fsync")
        sh(f"blockdev --rereadpt {d}")
    sh("udevadm settle")


def readback(disks: list[str], plan: Any) -> dict[str, Any]:
    from installer.backend.storage.actions import LuksFormat, Mkfs

    r: dict[str, Any] = {"sfdisk": {}, "luks": {}, "blkid": {}}
    sh("udevadm settle")  # lsblk reads the udev database: let the last mkfs's change events land
    for d in disks:
        r["sfdisk"][d] = json.loads(out(["sfdisk", "--json", d]) or "{}").get("partitiontable")
    r["lsblk"] = json.loads(out(["lsblk", "-J", "-b", "-p", "-o", "NAME,TYPE,SIZE,FSTYPE,LABEL,MOUNTPOINT", *disks])
                            or "{}")
    for a in plan.actions:
        if isinstance(a, LuksFormat):
            r["luks"][a.device] = out(["cryptsetup", "luksDump", a.device])
        if isinstance(a, Mkfs):
            r["blkid"][a.device] = {t: out(["blkid", "-p", "-s", t, "-o", "value", a.device]).strip()
                                    for t in ("TYPE", "LABEL")}
    r["findmnt"] = out(["findmnt", "-R", "-n", "-o", "TARGET,SOURCE,FSTYPE", TARGET])
    return r


def apply(storage: dict[str, Any], engine: str, disks: list[str], pw: str | None) -> dict[str, Any]:
    from installer.backend import engine as backend_engine
    from installer.backend.config import InstallConfig
    from installer.backend.events import Event
    from installer.backend.plan import Plan
    from installer.backend.probe import probe_machine
    from installer.backend.steps.base import Step
    from installer.backend.steps.storage import StorageAction
    from installer.backend.storage.build import plan_storage
    from installer.backend.system import HostSystem

    res: dict[str, Any] = {"engine": engine}
    t0 = time.monotonic()
    machine = probe_machine()
    res["probe_s"] = round(time.monotonic() - t0, 2)
    res["notes"] = {d.path: list(d.notes) for d in machine.disks}
    cfg = InstallConfig.model_validate({"storage": storage})
    try:
        sp = plan_storage(cfg, machine)
    except Exception as exc:
        res["plan_error"] = f"{type(exc).__name__}: {exc}"
        return res
    state: dict[str, Any] = {}

    class Capture:
        def run(self, ctx: Any) -> None:
            state["readback"] = readback(disks, sp)
            state["engine_state"] = ctx.state.get("storage_engine")
            state["blivet_log"] = ctx.state.get("blivet_log")

        def describe(self) -> dict[str, Any]:
            return {}

    LOGDIR.mkdir(parents=True, exist_ok=True)
    log_path = str(LOGDIR / f"install-{engine}.log")
    blog = LOGDIR / "blivet.log"
    if blog.exists():
        blog.unlink()
    plan = Plan(steps=[Step("storage", "storage", 10, [], StorageAction(sp)), Step("capture", "capture", 0, [],
                                                                                  Capture())],
                summary=[], erase=list(sp.disks), allowed_devices=list(sp.disks), target_root=TARGET,
                storage_engine=engine)
    events: list[Event] = []
    t1 = time.monotonic()
    result = backend_engine.apply(plan, cfg, machine, HostSystem(), events.append, threading.Event(),
                                  log_path=log_path)
    res["ok"] = result.ok
    res["error"] = result.error
    stor = [e for e in events if getattr(e, "step_id", None) == "storage" and e.kind == "step_finished"]
    res["storage_s"] = stor[0].duration_s if stor else None  # type: ignore[attr-defined]
    res["total_s"] = round(time.monotonic() - t1, 2)
    res.update(state)
    lines = [e.to_json() for e in events]
    res["final_event"] = json.loads(lines[-1]) if lines else None
    evs = [json.loads(x) for x in lines]
    res["engine_log"] = [m for m in (e.get("message", "") for e in evs) if m.startswith("storage engine:")]
    res["warnings"] = [e["message"] for e in evs if e.get("level") == "warning"]
    res["blivet_debug"] = [e["message"] for e in evs if e.get("event") == "log" and e["message"].startswith("blivet:")]
    res["progress"] = [e["message"] for e in evs if e.get("event") == "progress"][:80]
    t_0 = evs[0]["ts"] if evs else 0.0
    res["timeline"] = [(round(e["ts"] - t_0, 2), e.get("message", e.get("event"))[:100]) for e in evs
                       if e.get("event") in ("progress", "step_started", "step_finished")][:120]
    # what teardown left behind
    res["left_dm"] = out(["dmsetup", "ls"]).strip()
    res["left_mounts"] = out(["findmnt", "-R", "-n", "-o", "TARGET", TARGET]).strip()
    if pw:
        hits = []
        if pw in "\n".join(lines):
            hits.append("events")
        for f in (Path(log_path), blog):
            if f.exists() and pw in f.read_text(errors="replace"):
                hits.append(str(f))
        res["secret_hits"] = hits
        res["blivet_log_bytes"] = blog.stat().st_size if blog.exists() else 0
        if blog.exists():  # the commands blivet ran, with timestamps (where its time goes)
            res["blivet_commands"] = [x[:160] for x in blog.read_text(errors="replace").splitlines()
                                      if "program:" in x and "Running" in x][:200]
    return res


def make_old_install(kind: str, pw: str) -> None:
    """Existing contents for the removal and refusal cases (made with plain tools)."""
    if kind == "lvm-luks":
        sh("sgdisk -Z /dev/vda; sgdisk -n1:1M:+512M -t1:ef00 -n2:0:+4G -t2:8309 /dev/vda; partprobe /dev/vda; "
           "udevadm settle", check=True)
        subprocess.run(["cryptsetup", "luksFormat", "--batch-mode", "--type", "luks2", "--pbkdf", "pbkdf2",
                        "--pbkdf-force-iterations", "1000", "--key-file=-", "/dev/vda2"], input=pw, text=True,
                       check=True, capture_output=True)
        subprocess.run(["cryptsetup", "open", "--key-file=-", "/dev/vda2", "luks-old"], input=pw, text=True,
                       check=True, capture_output=True)
        sh("pvcreate -y /dev/mapper/luks-old && vgcreate oldvg /dev/mapper/luks-old && "
           "lvcreate -y -n root -L 1G oldvg && lvcreate -y -n home -L 512M oldvg && lvcreate -y -n swap -L 256M oldvg"
           " && mkfs.ext4 -q /dev/oldvg/root && udevadm settle", check=True)
    elif kind == "span":
        for d in ("/dev/vda", "/dev/vdb"):
            sh(f"sgdisk -Z {d}; sgdisk -n1:1M:+1G -t1:8e00 {d}; partprobe {d}", check=True)
        sh("udevadm settle; pvcreate -y /dev/vda1 /dev/vdb1 && vgcreate spanvg /dev/vda1 /dev/vdb1 && "
           "lvcreate -y -n data -L 1500M spanvg && mkfs.ext4 -q /dev/spanvg/data && vgchange -an spanvg", check=True)
    elif kind == "keep-vdb":
        sh("sgdisk -Z /dev/vdb; sgdisk -n1:1M:+256M /dev/vdb; partprobe /dev/vdb; udevadm settle; "
           "mkfs.ext4 -q -L keepme /dev/vdb1", check=True)


def fingerprint(disk: str) -> str:
    return out(["sh", "-c", f"dd if={disk} bs=1M count=300 status=none | sha256sum"]).split()[0]


def run_case(case: dict[str, Any], disks: list[str], pw: str) -> dict[str, Any]:
    cid = case["id"]
    r: dict[str, Any] = {"id": cid, "runs": []}
    for engine in case.get("engines", ["parted", "blivet"]):
        reset_disks(disks)
        for kind in case.get("before", []):
            make_old_install(kind, pw)
        if case.get("activate"):
            sh(case["activate"])
        fp = fingerprint("/dev/vdb") if case.get("keep") else None
        r["before_lsblk"] = out(["lsblk", "-p", "-o", "NAME,TYPE,FSTYPE,LABEL", *disks])
        if case.get("cli"):
            r["runs"].append(run_cli(case, engine))
            continue
        run = apply(case["storage"], engine, disks, pw)
        if fp is not None:
            run["vdb_unchanged"] = fingerprint("/dev/vdb") == fp
            run["vdb_blkid"] = out(["blkid", "-p", "-s", "LABEL", "-o", "value", "/dev/vdb1"]).strip()
        run["after_vgs"] = out(["vgs", "--noheadings", "-o", "vg_name"]).split()
        r["runs"].append(run)
        say(f"CASE {cid} {engine} ok={run.get('ok')} storage_s={run.get('storage_s')} "
            f"err={run.get('error') or run.get('plan_error')}")
    return r


def run_cli(case: dict[str, Any], engine: str) -> dict[str, Any]:
    import yaml

    f = Path("/tmp/answers.yaml")
    f.write_text(yaml.safe_dump({"version": 1, "storage": case["storage"]}))
    p = subprocess.run([sys.executable, "-m", "installer", "install", str(f), "--yes", "--storage-engine", engine,
                        "--log", "/tmp/cli.log"], capture_output=True, text=True, check=False)
    say(f"CASE {case['id']} {engine} cli rc={p.returncode}")
    return {"engine": engine, "rc": p.returncode, "stderr": p.stderr[-3000:],
            "after_vgs": out(["vgs", "--noheadings", "-o", "vg_name"]).split()}


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[0]).read_text())
    disks = job["disks"]
    pw = job["pw"]
    say("JOB " + " ".join(shlex.quote(c["id"]) for c in job["cases"]))
    results: dict[str, Any] = {"cases": [], "uname": os.uname().release}
    from installer.backend.storage.blivet_engine import available

    results["blivet"] = available()
    say(f"blivet available: {results['blivet']}")
    for case in job["cases"]:
        try:
            results["cases"].append(run_case(case, disks, pw))
        except Exception:
            results["cases"].append({"id": case["id"], "crash": traceback.format_exc()})
            say(f"CASE {case['id']} crashed: {traceback.format_exc()[-400:]!r}")
    reset_disks(disks)
    blob = base64.b64encode(json.dumps(results).encode()).decode()
    say("RESULT " + blob)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
