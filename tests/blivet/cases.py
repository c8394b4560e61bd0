"""The storage plans the blivet VM suite and the bench apply with both engines (guest disks:
/dev/vda 10 GiB, /dev/vdb 3 GiB)."""

from __future__ import annotations

from typing import Any

from tests.blivet.guest import ENC

VDA = [{"path": "/dev/vda"}]
CONFORMANCE: list[dict[str, Any]] = [
    {"id": "uefi-luks2", "storage": {"disks": VDA, "firmware": "uefi",
                                     "guided": {"swap": "256MiB"}, "encryption": ENC}},
    {"id": "bios-plain", "storage": {"disks": VDA, "firmware": "bios", "guided": {"swap": "256MiB"}}},
    {"id": "lvm-luks", "storage": {"disks": VDA, "firmware": "uefi",
                                   "guided": {"lvm": True, "swap": "256MiB"}, "encryption": ENC}},
    {"id": "manual-home-swap", "storage": {
        "disks": [{"path": "/dev/vda"}, {"path": "/dev/vdb"}], "firmware": "bios", "table": "gpt",
        "partitions": [{"fs": "biosboot", "size": "1MiB"},
                       {"mount": "/", "size": "4GiB", "fs": "xfs", "label": "root"},
                       {"fs": "swap", "size": "256MiB", "label": "swap"},
                       {"mount": "/home", "size": "rest", "disk": 1, "label": "home"}]}},
    {"id": "bios-mbr-luks1", "storage": {"disks": VDA, "firmware": "bios", "table": "mbr",
                                         "guided": {"swap": "256MiB"},
                                         "encryption": {**ENC, "luks_version": "luks1"}},
     # blivet/libblockdev take PBKDF parameters for LUKS2 only: LUKS1 gets cryptsetup's default count
     "luks_differs": ["Iterations"]},
]
EXISTING: list[dict[str, Any]] = [
    # an old LVM-on-LUKS install, unlocked and active, on the selected disk; another disk beside it
    {"id": "remove-old-lvm-luks", "engines": ["blivet"], "before": ["lvm-luks", "keep-vdb"], "keep": True,
     "storage": {"disks": VDA, "firmware": "bios", "wipe_in_use": True, "guided": {"swap": "256MiB"}}},
    # the same install, locked (as found after booting the medium)
    {"id": "remove-old-locked", "engines": ["blivet"], "before": ["lvm-luks", "keep-vdb"], "keep": True,
     "activate": "vgchange -an oldvg; cryptsetup close luks-old",
     "storage": {"disks": VDA, "firmware": "bios", "guided": {}}},
    # a volume group over vda1 and vdb1: selecting vda alone is refused (exit 3), naming both
    {"id": "span-refused", "engines": ["blivet"], "before": ["span"], "cli": True,
     "storage": {"disks": VDA, "firmware": "bios", "guided": {}}},
]
