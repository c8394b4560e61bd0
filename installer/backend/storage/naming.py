"""Device names the kernel gives to partitions, and alignment helpers."""

from __future__ import annotations

from installer.backend.sizes import MiB

ALIGN = MiB


def partition_path(disk: str, number: int) -> str:
    """/dev/vda -> /dev/vda1; /dev/nvme0n1, /dev/loop0, /dev/mmcblk0 -> ...p1."""
    sep = "p" if disk[-1:].isdigit() else ""
    return f"{disk}{sep}{number}"


def align_down(n: int, a: int = ALIGN) -> int:
    return n - n % a


def align_up(n: int, a: int = ALIGN) -> int:
    return -(-n // a) * a


def usable_range(disk_size: int, table: str, sector_size: int = 512) -> tuple[int, int]:
    """[start, end) in bytes where aligned partitions may live: the first MiB holds the table;
    GPT keeps a backup header and entry array (16 KiB + one sector) at the end."""
    tail = 16 * 1024 + sector_size if table == "gpt" else 0
    return ALIGN, align_down(disk_size - tail)
