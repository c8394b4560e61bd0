"""BlivetEngine against the parted engine inside QEMU (``@pytest.mark.vm``: AZL_VM=1, make smoke).

One guest boots the installer medium's live root (Debian 13, blivet 3.14) with two virtio disks
and runs every case with both engines (tests/blivet/guest_job.py); these tests compare what was
read back: partition starts, sizes, types, names and flags (sfdisk --json), the device stack
with filesystems and labels (lsblk --json), LUKS parameters (cryptsetup luksDump), that
teardown left nothing open, and that the passphrase is in no log and no event. The existing-
install cases remove an old LVM-on-LUKS stack and refuse a volume group that spans a disk that
was not selected.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.blivet import cases
from tests.blivet.guest import by_id, run_job
from tests.vm.conftest import ARTIFACTS
from tests.vm.qemu import Medium

pytestmark = pytest.mark.vm


@pytest.fixture(scope="module")
def result(medium: Medium) -> dict[str, dict[str, Any]]:
    work = ARTIFACTS / "blivet"
    r = run_job(medium, work, cases.CONFORMANCE + cases.EXISTING)
    (work / "result.json").write_text(json.dumps(r, indent=1))
    return by_id(r)


@pytest.fixture(scope="session")
def medium() -> Medium:
    from tests.vm.qemu import REPO

    info = REPO / "build" / "iso-info.json"
    if not info.exists():
        pytest.skip("no ISO: run make iso first")
    return Medium.load(info)


def sfdisk_view(table: dict[str, Any] | None) -> dict[str, Any] | None:
    if table is None:
        return None
    return {"label": table["label"], "parts": [
        {"node": p["node"], "start": p["start"], "size": p["size"], "type": p["type"].upper(),
         "name": p.get("name"), "bootable": p.get("bootable", False)} for p in table.get("partitions", [])]}


def lsblk_view(tree: dict[str, Any]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []

    def walk(n: dict[str, Any], depth: int) -> None:
        out.append((depth, n["name"], n["type"], n["size"], n.get("fstype"), n.get("label")))
        for c in sorted(n.get("children") or [], key=lambda c: c["name"]):  # siblings: creation order differs
            walk(c, depth + 1)

    for n in tree.get("blockdevices", []):
        walk(n, 0)
    return out


LUKS_KEYS = [r"Version:\s*(\S+)", r"cipher:\s*(\S+)", r"Cipher name:\s*(\S+)", r"Cipher mode:\s*(\S+)",
             r"Cipher key:\s*(\d+)", r"MK bits:\s*(\d+)", r"PBKDF:\s*(\S+)", r"Iterations:\s*(\d+)",
             r"offset:\s*(\d+) \[bytes\]", r"Payload offset:\s*(\d+)", r"sector:\s*(\d+)"]


def luks_view(dump: str) -> dict[str, list[str]]:
    return {k: re.findall(k, dump) for k in LUKS_KEYS if re.findall(k, dump)}


def runs(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    assert "crash" not in case, case.get("crash")
    return {r["engine"]: r for r in case["runs"]}


@pytest.mark.parametrize("cid", [c["id"] for c in cases.CONFORMANCE])
def test_blivet_matches_parted(result: dict[str, dict[str, Any]], cid: str) -> None:
    r = runs(result[cid])
    p, b = r["parted"], r["blivet"]
    for run in (p, b):
        assert run.get("ok"), (run["engine"], run.get("error") or run.get("plan_error"))
        assert run["final_event"]["storage_engine"] == run["engine"]
        assert run["engine_log"] == [f"storage engine: {run['engine']} (requested)"]
        assert run["left_dm"] in ("", "No devices found"), run["left_dm"]
        assert run["left_mounts"] == ""
        assert run.get("secret_hits", []) == []
    pr, br = p["readback"], b["readback"]
    for disk in pr["sfdisk"]:
        assert sfdisk_view(br["sfdisk"][disk]) == sfdisk_view(pr["sfdisk"][disk]), disk
    assert lsblk_view(br["lsblk"]) == lsblk_view(pr["lsblk"])
    assert br["blkid"] == pr["blkid"]
    assert set(br["luks"]) == set(pr["luks"])
    differs = next(c for c in cases.CONFORMANCE if c["id"] == cid).get("luks_differs", [])
    for dev in pr["luks"]:
        want, got = luks_view(pr["luks"][dev]), luks_view(br["luks"][dev])
        for key in [k for k in LUKS_KEYS if any(k.startswith(d) for d in differs)]:
            want.pop(key, None)
            got.pop(key, None)
        assert got == want, dev
    assert br["findmnt"].split() == pr["findmnt"].split()
    # every blivet action was a progress event
    assert any(m.startswith("blivet: Create Device partition") or m.startswith("blivet: ") for m in b["progress"])
    assert b["blivet_log_bytes"] > 0 if "secret_hits" in b else True


def test_removes_old_lvm_on_luks_and_touches_no_other_disk(result: dict[str, dict[str, Any]]) -> None:
    b = runs(result["remove-old-lvm-luks"])["blivet"]
    assert b.get("ok"), b.get("error") or b.get("plan_error")
    assert "oldvg" not in b["after_vgs"] and b["left_dm"] in ("", "No devices found")
    assert b["vdb_unchanged"] and b["vdb_blkid"] == "keepme"
    assert any("oldvg" in n for n in b["notes"]["/dev/vda"]), b["notes"]
    assert b.get("secret_hits", []) == []


def test_removes_locked_old_install(result: dict[str, dict[str, Any]]) -> None:
    b = runs(result["remove-old-locked"])["blivet"]
    assert b.get("ok"), b.get("error") or b.get("plan_error")
    assert any("locked LUKS2" in n for n in b["notes"]["/dev/vda"]), b["notes"]
    assert b["vdb_unchanged"] and b["vdb_blkid"] == "keepme"
    parts = b["readback"]["sfdisk"]["/dev/vda"]["partitions"]
    assert parts and all("crypto" not in (v.get("TYPE") or "") for v in b["readback"]["blkid"].values())


def test_spanning_volume_group_is_refused(result: dict[str, dict[str, Any]]) -> None:
    b = runs(result["span-refused"])["blivet"]
    assert b["rc"] == 3, b["stderr"]
    assert "/dev/vda" in b["stderr"] and "/dev/vdb" in b["stderr"] and "spanvg" in b["stderr"]
    assert "spanvg" in b["after_vgs"], "nothing was touched"

