"""Write a partition table and its partitions with pyparted, in one commit.

Run as ``python -S parted_apply.py DISK SPEC_JSON`` (PYTHONPATH: pyparted) by the reference
engine, through the System seam: the seam checks DISK against the plan's allow-list, dry-run
records the command, and this process is the only place pyparted opens a device for writing.
SPEC_JSON: {"table": "gpt"|"msdos", "partitions": [{"number", "start", "size", "hint", "flags",
"name"}]} with byte offsets (1 MiB aligned). Only the table is written (commitToDevice); the
caller makes the kernel see the partitions (partx -a) and waits for their nodes.

With ``"keep": true`` the disk's existing table is read instead of replaced: the partitions whose
numbers are in ``"remove"`` are deleted, the new ones are added at their exact places, and every
other partition stays as it is (its entry and its bytes); the table type must be the one given.
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
    """pyparted's C layer (``_ped``) directly: the ``parted`` wrapper adds ~30 ms of imports
    (platform, ...) to a helper whose whole job takes ~20 ms."""
    import _ped

    device = _ped.device_get(disk_path)
    ss = device.sector_size
    if spec.get("keep"):
        disk = _ped.disk_new(device)
        if disk.type.name != spec["table"]:
            raise ValueError(f"the disk has a {disk.type.name} table, the plan expected {spec['table']}")
        for number in spec.get("remove", []):
            disk.delete_partition(disk.get_partition(number))
    else:
        disk = _ped.disk_new_fresh(device, _ped.disk_type_get(spec["table"]))
    names = disk.type.check_feature(_ped.DISK_TYPE_PARTITION_NAME)
    out = []
    for p in spec["partitions"]:
        if p["start"] % MiB or p["size"] % MiB:
            raise ValueError(f"partition {p['number']} is not aligned to 1 MiB")
        start, length = p["start"] // ss, p["size"] // ss
        fs_type = FS_TYPES.get(p["hint"])
        if fs_type:
            part = _ped.Partition(disk, _ped.PARTITION_NORMAL, start, start + length - 1,
                                  _ped.file_system_type_get(fs_type))
        else:
            part = _ped.Partition(disk, _ped.PARTITION_NORMAL, start, start + length - 1)
        disk.add_partition(part, _ped.constraint_exact(_ped.Geometry(device, start, length)))
        if part.num != p["number"]:
            raise ValueError(f"parted numbered partition {part.num}, the plan expected {p['number']}")
        for flag in p["flags"]:
            part.set_flag(_ped.partition_flag_get_by_name(flag), 1)
        if p.get("name") and names:
            part.set_name(p["name"])
        out.append((part.num, part.geom.start * ss, part.geom.length * ss))
    disk.commit_to_dev()
    return out


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
