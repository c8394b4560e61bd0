"""Write a partition table and its partitions with pyparted, in one commit.

Run as ``python -S parted_apply.py DISK SPEC_JSON`` (PYTHONPATH: pyparted) by the reference
engine, through the System seam: the seam checks DISK against the plan's allow-list, dry-run
records the command, and this process is the only place pyparted opens a device for writing.
SPEC_JSON: {"table": "gpt"|"msdos", "partitions": [{"number", "start", "size", "hint", "flags",
"name"}]} with byte offsets (1 MiB aligned). Only the table is written (commitToDevice); the
caller makes the kernel see the partitions (partx -u) and waits for their nodes.
"""

from __future__ import annotations

import json
import sys
from typing import Any

MiB = 1024 * 1024
FS_TYPES = {
    "ext4": "ext4",
    "xfs": "xfs",
    "btrfs": "btrfs",
    "vfat": "fat32",
    "swap": "linux-swap(v1)",
}


def write_table(disk_path: str, spec: dict[str, Any]) -> list[tuple[int, int, int]]:
    import _ped
    import parted

    device = parted.getDevice(disk_path)
    ss = device.sectorSize
    disk = parted.freshDisk(device, spec["table"])
    for p in spec["partitions"]:
        if p["start"] % MiB or p["size"] % MiB:
            raise ValueError(f"partition {p['number']} is not aligned to 1 MiB")
        geom = parted.Geometry(device=device, start=p["start"] // ss, length=p["size"] // ss)
        fs_type = FS_TYPES.get(p["hint"])
        fs = parted.FileSystem(type=fs_type, geometry=geom) if fs_type else None
        part = parted.Partition(disk=disk, type=parted.PARTITION_NORMAL, fs=fs, geometry=geom)
        disk.addPartition(part, constraint=parted.Constraint(exactGeom=geom))
        if part.number != p["number"]:
            raise ValueError(f"parted numbered partition {part.number}, the plan expected {p['number']}")
        for flag in p["flags"]:
            part.setFlag(_ped.partition_flag_get_by_name(flag))
        if p.get("name") and disk.supportsFeature(parted.DISK_TYPE_PARTITION_NAME):
            part.getPedPartition().set_name(p["name"])
    disk.commitToDevice()
    return [(q.number, q.geometry.start * ss, q.geometry.length * ss) for q in disk.partitions]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: parted_apply DISK SPEC_JSON", file=sys.stderr)
        return 2
    try:
        written = write_table(argv[0], json.loads(argv[1]))
    except Exception as exc:  # report to the engine as a failed command with a reason
        print(f"parted: {argv[0]}: {exc}", file=sys.stderr)
        return 1
    for number, start, size in written:
        print(f"{number} {start} {size}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
