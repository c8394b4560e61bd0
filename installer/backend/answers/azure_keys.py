"""The image config's key schema, and key matching as the toolkit's Go decoder does it.

Go's encoding/json matches an object key to a struct field by its exact name first, then without
regard to case (``SSHPubkeyPaths`` fills ``SSHPubKeyPaths``); a ``null`` value leaves the field at
its zero value, as if the key were absent. ``canonical()`` rewrites a decoded config to the
schema's spellings, drops nulls, and carries each key's position along, so every later message
still points at the line and column the author wrote. Where we are stricter than Go, on purpose:
a key Go would silently ignore (unknown, misspelt) is an error with a "did you mean", and two
keys that fold to the same field are an error (Go keeps the last). Keys starting with ``_`` are
comments (``_comment``, as the toolkit's own files use) and are dropped.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

Path_ = tuple[Any, ...]
Pos = tuple[int, int]


@dataclass(frozen=True)
class Map:
    """A JSON object with free-form keys (KernelOptions, AdditionalFiles); values follow ``value``."""

    value: Any = None


@dataclass(frozen=True)
class FileConfigs:
    """AdditionalFiles' value: a path, {Path, Permissions}, or a list of either."""


LEAF = None
ARTIFACT = {"Name": LEAF, "Type": LEAF, "Compression": LEAF}
PARTITION = {"ID": LEAF, "Name": LEAF, "Start": LEAF, "End": LEAF, "FsType": LEAF, "Type": LEAF, "TypeUUID": LEAF,
             "Flags": LEAF, "Artifacts": [ARTIFACT]}
DISK = {"PartitionTableType": LEAF, "MaxSize": LEAF, "TargetDisk": {"Type": LEAF, "Value": LEAF},
        "Artifacts": [ARTIFACT], "Partitions": [PARTITION],
        "RawBinaries": [{"BinPath": LEAF, "BlockSize": LEAF, "Seek": LEAF}]}
SETTING = {"ID": LEAF, "MountPoint": LEAF, "MountOptions": LEAF, "MountIdentifier": LEAF, "RemoveDocs": LEAF,
           "OverlayBaseImage": LEAF, "RdiffBaseImage": LEAF}
CMDLINE = {"SELinux": LEAF, "SELinuxPolicy": LEAF, "EnableFIPS": LEAF, "CGroup": LEAF, "ImaPolicy": LEAF,
           "ExtraCommandLine": LEAF}
USER = {"Name": LEAF, "UID": LEAF, "Password": LEAF, "PasswordHashed": LEAF, "PasswordExpiresDays": LEAF,
        "SSHPubKeys": LEAF, "SSHPubKeyPaths": LEAF, "PrimaryGroup": LEAF, "SecondaryGroups": LEAF,
        "StartupCommand": LEAF, "HomeDirectory": LEAF}
NETWORK = {"BootProto": LEAF, "GateWay": LEAF, "Ip": LEAF, "NetMask": LEAF, "OnBoot": LEAF, "NameServer": LEAF,
           "NameServers": LEAF, "Device": LEAF}
REPO = {"Name": LEAF, "BaseUrl": LEAF, "Install": LEAF, "GPGCheck": LEAF, "RepoGPGCheck": LEAF, "GPGKeys": LEAF}
SCRIPT = {"Path": LEAF, "Args": LEAF}
VERITY = {"Enable": LEAF, "Name": LEAF, "ErrorCorrectionEnable": LEAF, "ErrorCorrectionEncodingRoots": LEAF,
          "RootHashSignatureEnable": LEAF, "ValidateOnBoot": LEAF, "VerityErrorBehavior": LEAF,
          "TmpfsOverlays": LEAF, "TmpfsOverlaySize": LEAF, "TmpfsOverlayDebugEnabled": LEAF}
SYSTEM_CONFIG = {
    "Name": LEAF, "IsDefault": LEAF, "IsKickStartBoot": LEAF, "IsIsoInstall": LEAF, "BootType": LEAF,
    "EnableGrubMkconfig": LEAF, "EnableSystemdFirstboot": LEAF, "Hostname": LEAF, "PackageLists": LEAF,
    "Packages": LEAF, "KernelOptions": Map(), "KernelCommandLine": CMDLINE,
    "AdditionalFiles": Map(FileConfigs()), "PartitionSettings": [SETTING], "PreInstallScripts": [SCRIPT],
    "PostInstallScripts": [SCRIPT], "FinalizeImageScripts": [SCRIPT], "Networks": [NETWORK],
    "PackageRepos": [REPO], "Groups": [{"Name": LEAF, "GID": LEAF}], "Users": [USER],
    "Encryption": {"Enable": LEAF, "Password": LEAF}, "RemoveRpmDb": LEAF, "PreserveTdnfCache": LEAF,
    "EnableHidepid": LEAF, "DisableRpmDocs": LEAF, "OverrideRpmLocales": LEAF,
    # Azure Linux 2.0's spellings, still met in older configs
    "ReadOnlyVerityRoot": VERITY, "HidepidDisabled": LEAF, "KickStart": LEAF,
}
# DefaultSystemConfig: what the toolkit itself writes when it marshals a Config (it recomputes it)
TOP = {"Disks": [DISK], "SystemConfigs": [SYSTEM_CONFIG], "DefaultSystemConfig": LEAF}
FILE_CONFIG = {"Path": LEAF, "Permissions": LEAF}


@dataclass
class Canonical:
    data: Any
    positions: dict[Path_, Pos] = field(default_factory=dict)
    problems: list[tuple[Path_, str]] = field(default_factory=list)  # (canonical path, message)


def canonical(data: Any, positions: dict[Path_, Pos]) -> Canonical:
    out = Canonical(None)
    out.data = _walk(data, TOP, (), (), positions, out)
    if () in positions:
        out.positions[()] = positions[()]
    return out


def _copy_pos(raw: Path_, new: Path_, positions: dict[Path_, Pos], out: Canonical) -> None:
    if raw in positions:
        out.positions[new] = positions[raw]
    if (*raw, "=") in positions:
        out.positions[(*new, "=")] = positions[(*raw, "=")]


def _walk(value: Any, schema: Any, raw: Path_, path: Path_, positions: dict[Path_, Pos], out: Canonical) -> Any:
    if schema is LEAF or value is None:
        _copy_tree(value, raw, path, positions, out)
        return value
    if isinstance(schema, list):
        if not isinstance(value, list):
            return value  # the mapper reports the wrong type
        items = []
        for i, v in enumerate(value):
            _copy_pos((*raw, i), (*path, i), positions, out)
            items.append(_walk(v, schema[0], (*raw, i), (*path, i), positions, out))
        return items
    if isinstance(schema, FileConfigs):
        if not isinstance(value, list):
            return _walk(value, FILE_CONFIG if isinstance(value, dict) else LEAF, raw, path, positions, out)
        configs = []
        for i, v in enumerate(value):
            _copy_pos((*raw, i), (*path, i), positions, out)
            configs.append(_walk(v, FILE_CONFIG if isinstance(v, dict) else LEAF, (*raw, i), (*path, i), positions,
                                 out))
        return configs
    if not isinstance(value, dict):
        return value
    if isinstance(schema, Map):
        obj: dict[str, Any] = {}
        for k, v in value.items():
            _copy_pos((*raw, k), (*path, k), positions, out)
            if v is not None:
                obj[k] = _walk(v, schema.value, (*raw, k), (*path, k), positions, out)
        return obj
    return _struct(value, schema, raw, path, positions, out)


def _struct(value: dict[str, Any], schema: dict[str, Any], raw: Path_, path: Path_,
            positions: dict[Path_, Pos], out: Canonical) -> dict[str, Any]:
    folded = {k.casefold(): k for k in schema}
    obj: dict[str, Any] = {}
    seen: dict[str, str] = {}
    for k, v in value.items():
        if not isinstance(k, str) or k.startswith("_"):
            continue  # a comment key
        name = k if k in schema else folded.get(k.casefold())
        if name is None:
            _copy_pos((*raw, k), (*path, k), positions, out)
            guess = difflib.get_close_matches(k, sorted(schema), n=1, cutoff=0.6)
            out.problems.append(((*path, k), f"unknown key '{k}'" + (f"; did you mean '{guess[0]}'?" if guess else "")))
            continue
        _copy_pos((*raw, k), (*path, name), positions, out)
        if name in seen:
            out.problems.append(((*path, name), f"'{k}' is given twice (also as '{seen[name]}'): keys match "
                                                 "without regard to case, as in the toolkit"))
            continue
        seen[name] = k
        if v is None:
            continue  # Go: null is the zero value
        obj[name] = _walk(v, schema[name], (*raw, k), (*path, name), positions, out)
    return obj


def _copy_tree(value: Any, raw: Path_, path: Path_, positions: dict[Path_, Pos], out: Canonical) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _copy_pos((*raw, k), (*path, k), positions, out)
            _copy_tree(v, (*raw, k), (*path, k), positions, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _copy_pos((*raw, i), (*path, i), positions, out)
            _copy_tree(v, (*raw, i), (*path, i), positions, out)
