"""The probe's parsing half: lsblk JSON -> Machine disks (running root, medium, holders, swap)."""

from __future__ import annotations

import json

from installer.backend.machine import Machine
from installer.backend.probe import parse_lsblk

LSBLK = {
    "blockdevices": [
        {"name": "loop0", "kname": "loop0", "path": "/dev/loop0", "type": "loop", "size": 1000},
        {"name": "sr0", "kname": "sr0", "path": "/dev/sr0", "type": "rom", "size": 900000000,
         "fstype": "iso9660", "label": "AZL-INSTALLER", "mountpoints": ["/run/initramfs/live"]},
        {"name": "nvme0n1", "kname": "nvme0n1", "path": "/dev/nvme0n1", "type": "disk", "size": 512110190592,
         "log-sec": 512, "phy-sec": 4096, "model": "SAMSUNG MZVL2512HCJQ ", "serial": "S675", "tran": "nvme",
         "rota": False, "rm": False, "ro": False, "pttype": "gpt", "mountpoints": [None],
         "children": [
             {"name": "nvme0n1p1", "kname": "nvme0n1p1", "path": "/dev/nvme0n1p1", "type": "part", "partn": 1,
              "start": 2048, "size": 629145600, "fstype": "vfat", "label": "EFI", "parttypename": "EFI System",
              "mountpoints": ["/boot/efi"]},
             {"name": "nvme0n1p2", "kname": "nvme0n1p2", "path": "/dev/nvme0n1p2", "type": "part", "partn": 2,
              "start": 1230848, "size": 4294967296, "fstype": "swap", "mountpoints": ["[SWAP]"]},
             {"name": "nvme0n1p3", "kname": "nvme0n1p3", "path": "/dev/nvme0n1p3", "type": "part", "partn": 3,
              "start": 9619456, "size": 500000000000, "fstype": "crypto_LUKS", "uuid": "0e8f",
              "mountpoints": [None],
              "children": [{"name": "luks-0e8f", "kname": "dm-0", "path": "/dev/mapper/luks-0e8f", "type": "crypt",
                            "fstype": "ext4", "mountpoints": ["/"]}]},
         ]},
        {"name": "sda", "kname": "sda", "path": "/dev/sda", "type": "disk", "size": 17179869184, "tran": "usb",
         "rm": True, "rota": False, "ro": False, "pttype": "dos", "model": "DataTraveler 3.0",
         "children": [{"name": "sda1", "kname": "sda1", "path": "/dev/sda1", "type": "part", "partn": 1,
                       "start": 64, "size": 943718400, "fstype": "iso9660", "label": "AZL-INSTALLER",
                       "mountpoints": [None]}]},
    ]
}


def test_parse_lsblk() -> None:
    disks = parse_lsblk(LSBLK, swaps=set(), ids={"/dev/nvme0n1": ["nvme-SAMSUNG_S675"]}, root={"nvme0n1"})
    assert [d.path for d in disks] == ["/dev/nvme0n1", "/dev/sda"]
    nv, usb = disks
    assert nv.model == "SAMSUNG MZVL2512HCJQ" and nv.by_id == ["nvme-SAMSUNG_S675"]
    assert nv.physical_sector_size == 4096 and nv.table == "gpt" and nv.transport == "nvme"
    assert [p.number for p in nv.partitions] == [1, 2, 3]
    assert nv.partitions[0].start == 2048 * 512 and nv.partitions[0].fs.mountpoints == ["/boot/efi"]
    assert nv.partitions[1].fs.swap_active and nv.partitions[1].fs.mountpoints == []
    assert nv.partitions[2].holders == ["luks-0e8f"] and nv.partitions[2].holder_mountpoints == ["/"]
    assert nv.holds_running_root and not nv.is_installer_medium
    assert usb.is_installer_medium and usb.table == "msdos" and usb.removable
    m = Machine(disks=disks)
    json.dumps(m.model_dump(mode="json"))  # round-trips as a recorded machine
    assert Machine.model_validate(m.model_dump(mode="json")) == m


def test_probe_cli_json(capsys) -> None:  # type: ignore[no-untyped-def]
    from installer.cli.main import main

    assert main(["probe", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    Machine.model_validate(data)
