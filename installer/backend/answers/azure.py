"""Azure Linux 3.0 image configs (toolkit/imageconfigs/*.json) -> InstallConfig.

One SystemConfig is installed: the one named by ``system_config``, else the one with
``IsDefault``, else the first (with a warning). Errors name the key path, e.g.
``SystemConfigs[0].Encryption``, with the line and column in the JSON file. File references
(PackageLists, scripts, SSHPubKeyPaths, AdditionalFiles) are resolved relative to the config file;
package lists that are missing there fall back to the copies the installer ships. docs/azure.md
has the field table.

The mapping is split by section: azure_common.py (key paths, messages, file reads),
azure_storage.py, azure_system.py (packages, kernel options, network) and azure_users.py (users,
groups, scripts); the names they define are re-exported here.
"""

from __future__ import annotations

import json
from pathlib import Path

from installer.backend.answers import json_bounded
from installer.backend.answers.azure_common import Path_, _Az, keypath
from installer.backend.answers.azure_image import image_settings, refuse_container
from installer.backend.answers.azure_keys import SYSTEM_CONFIG, TOP, canonical
from installer.backend.answers.azure_storage import (
    BIOS_FLAGS,
    DISK_KEYS,
    ESP_MIN,
    FS_MAP,
    KNOWN_FLAGS,
    PART_KEYS,
    SETTING_KEYS,
    _storage,
)
from installer.backend.answers.azure_system import (
    CMDLINE_KEYS,
    HYPERVISOR_LISTS,
    NET_KEYS,
    REPO_KEYS,
    SET_BASE_LISTS,
    _choose,
    _packages,
    _system,
)
from installer.backend.answers.azure_users import SHELLS, USER_KEYS, _scripts, _users
from installer.backend.answers.mapping import ForeignLoaded
from installer.backend.answers.positions import node_positions
from installer.backend.errors import InvalidInput, Issue

__all__ = [
    "BIOS_FLAGS",
    "CMDLINE_KEYS",
    "DISK_KEYS",
    "ESP_MIN",
    "FS_MAP",
    "HYPERVISOR_LISTS",
    "KNOWN_FLAGS",
    "NET_KEYS",
    "PART_KEYS",
    "REPO_KEYS",
    "SC_KEYS",
    "SETTING_KEYS",
    "SET_BASE_LISTS",
    "SHELLS",
    "TOP_KEYS",
    "USER_KEYS",
    "keypath",
    "load_azure",
]


TOP_KEYS = set(TOP)


SC_KEYS = set(SYSTEM_CONFIG)


def load_azure(text: str, source: str, *, base_dir: Path | None = None,
               system_config: str | None = None) -> ForeignLoaded:
    """Map one SystemConfig of an Azure Linux 3.0 image config onto InstallConfig."""
    try:
        data = json_bounded.loads(text)
    except json_bounded.JSONBoundsError as exc:
        raise InvalidInput([Issue("", exc.message, line=exc.line, column=exc.column, source=source)]) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput([Issue("", f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno,
                                  source=source)]) from None
    if not isinstance(data, dict):
        raise InvalidInput([Issue("", "an Azure Linux image config is a JSON object", line=1, source=source)])
    canon = canonical(data, node_positions(text))
    data = canon.data
    az = _Az(text, source, base_dir or Path("."), canon.positions)
    for where, msg in canon.problems:
        az.err(where, msg)
    if "DefaultSystemConfig" in data:
        az.warn(("DefaultSystemConfig",), "ignored: the toolkit recomputes it (IsDefault, else the first)")
    chosen = _choose(az, data, system_config)
    az.b.raise_if_issues()
    assert chosen is not None
    idx, sc = chosen
    scp: Path_ = ("SystemConfigs", idx)
    try:
        _storage(az, data, idx, sc)
        names = _packages(az, idx, sc)
        refuse_container(az, data, idx, sc, names)
        _system(az, idx, sc)
        image_settings(az, idx, sc)
        _users(az, idx, sc)
        _scripts(az, idx, sc)
    except InvalidInput:
        raise
    except Exception as exc:  # a mapping bug must still come out as a clean error
        az.err(scp, f"could not map this config ({type(exc).__name__}); please report it")
    az.b.data.setdefault("finish", "reboot")
    config = az.b.build()
    return ForeignLoaded(config, "azure", az.b.warnings, az.hints, source=source, origins=az.b.where)
