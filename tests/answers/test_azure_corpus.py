"""Mutated Azure Linux image configs: values of the wrong type, missing keys, odd numbers. Every
one loads or fails with InvalidInput naming the file; none hits the 'please report it' fallback."""

from __future__ import annotations

import copy
import json
import random
import shutil
from pathlib import Path
from typing import Any

from installer.backend.answers.azure import load_azure
from installer.backend.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]
AZURE = ROOT / "tests" / "fixtures" / "azure" / "imageconfigs"
SECRET = "Azure-Corpus-Secret-5"

RICH: dict[str, Any] = {
    "Disks": [{"PartitionTableType": "gpt", "TargetDisk": {"Type": "path", "Value": "/dev/vda"},
               "Partitions": [{"ID": "esp", "Flags": ["esp"], "Start": 1, "End": 513, "FsType": "fat32"},
                              {"ID": "root", "Flags": ["dmroot"], "Start": 513, "End": 0, "FsType": "ext4",
                               "Name": "r"}]}],
    "SystemConfigs": [{
        "Name": "S", "IsDefault": True, "BootType": "efi", "Hostname": "h",
        "PartitionSettings": [{"ID": "esp", "MountPoint": "/boot/efi"},
                              {"ID": "root", "MountPoint": "/", "MountIdentifier": "partlabel"}],
        "Encryption": {"Enable": True, "Password": SECRET},
        "Users": [{"Name": "root", "Password": SECRET}, {"Name": "a", "UID": 1001, "SecondaryGroups": ["g"],
                                                        "SSHPubKeys": ["ssh-ed25519 AAAA a@b"]}],
        "Groups": [{"Name": "g", "GID": 2001}],
        "Networks": [{"BootProto": "static", "Device": "eth0", "Ip": "192.0.2.1", "NetMask": "255.255.255.0",
                      "NameServers": ["192.0.2.53"]}],
        "PackageRepos": [{"Name": "r", "BaseUrl": "https://e.com/r", "GPGKeys": "file:///k"}],
        "PackageLists": ["packagelists/ssh-server.json"], "Packages": ["vim"], "KernelOptions": {"default": "kernel"},
        "KernelCommandLine": {"SELinux": "enforcing", "ImaPolicy": ["tcb"], "ExtraCommandLine": "quiet"},
        "PostInstallScripts": [{"Path": "scripts/cleanup.sh", "Args": "x"}],
        "AdditionalFiles": {"additionalconfigs/99-dhcp-en.network": "/etc/systemd/network/99.network"},
    }],
}

ODD_VALUES: list[Any] = [None, True, False, 0, -1, 1.5, 10**12, "", "x", "/", "bad_host", [], {}, [1], ["x"],
                         {"a": 1}, [{}], "../../etc/passwd", "\u00e9", "0", "0644", "esp", "gpt"]


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*prefix, i))
    return out


def mutate(doc: Any, rng: random.Random) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(rng.randint(1, 3)):
        ps = paths(doc)
        if not ps:
            break
        path = rng.choice(ps)
        parent: Any = doc
        for p in path[:-1]:
            parent = parent[p]
        key = path[-1]
        op = rng.randrange(4)
        if op == 0:
            parent[key] = rng.choice(ODD_VALUES)
        elif op == 1:
            del parent[key]
        elif op == 2 and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif isinstance(parent, dict):
            parent[key + "x" if isinstance(key, str) else key] = rng.choice(ODD_VALUES)
    return doc


def test_mutated_azure_configs_never_crash(tmp_path: Path) -> None:
    shutil.copytree(AZURE, tmp_path, dirs_exist_ok=True)
    rng = random.Random(20261129)
    bases = [json.loads(p.read_text()) for p in sorted(AZURE.glob("*.json"))] + [RICH]
    load_azure(json.dumps(RICH), "rich.json", base_dir=tmp_path)  # the seed itself is valid
    counts = {"ok": 0, "invalid": 0}
    for i in range(300):
        text = json.dumps(mutate(rng.choice(bases), rng), indent=2)
        try:
            loaded = load_azure(text, f"m{i}.json", base_dir=tmp_path)
            counts["ok"] += 1
            assert SECRET not in "\n".join(loaded.warnings)
        except InvalidInput as exc:
            counts["invalid"] += 1
            for issue in exc.issues:
                formatted = issue.format()
                assert formatted.startswith(f"m{i}.json"), formatted
                assert "please report" not in formatted, (formatted, text)
                assert SECRET not in formatted
    assert counts["invalid"] > 50 and counts["ok"] > 50, counts
