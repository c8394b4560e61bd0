"""Read an Image Customizer configuration (YAML) into InstallConfig.

Keys are matched exactly (the Image Customizer decodes with known fields only); every error names
FILE:LINE:COL and the key path (e.g. ``os.users[0].password.type``). Files it refers to (package
lists, scripts, SSH keys, password files, additional files and folders) are read relative to the
config's folder and never from outside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from installer.backend.answers.imagecustomizer.buildonly import map_build_only, preview_features
from installer.backend.answers.imagecustomizer.common import Ic
from installer.backend.answers.imagecustomizer.os_files import map_files
from installer.backend.answers.imagecustomizer.os_packages import map_packages
from installer.backend.answers.imagecustomizer.os_system import OS_KEYS, map_system, reset_bootloader
from installer.backend.answers.imagecustomizer.os_users import map_users
from installer.backend.answers.imagecustomizer.scripts import map_scripts
from installer.backend.answers.imagecustomizer.storage import map_storage
from installer.backend.answers.mapping import ForeignLoaded
from installer.backend.answers.native import parse_document
from installer.backend.answers.positions import node_positions
from installer.backend.errors import InvalidInput, Issue

TOP_KEYS = {"input", "storage", "iso", "pxe", "os", "scripts", "previewFeatures", "output", "baseConfigs"}
# keys only the native format has: a file with one of them is not an Image Customizer config
NATIVE_ONLY = {"version", "packages", "system", "users", "root", "bootloader", "finish"}


def looks_like_imagecustomizer(data: Any) -> bool:
    return isinstance(data, dict) and bool(set(data) & TOP_KEYS) and not set(data) & NATIVE_ONLY


def load_imagecustomizer(text: str, source: str, *, base_dir: Path | None = None) -> ForeignLoaded:
    data = parse_document(text, source)
    if not isinstance(data, dict):
        raise InvalidInput([Issue("", "an Image Customizer config is a YAML mapping (storage, os, scripts, ...)",
                                  line=1, column=1, source=source)])
    ic = Ic(source, base_dir or Path("."), node_positions(text))
    ic.obj(data, TOP_KEYS, ())
    ic.preview = preview_features(ic, data)
    map_build_only(ic, data)
    os_in = ic.obj(data.get("os"), OS_KEYS, ("os",)) or {}
    try:
        map_storage(ic, data, reset_bootloader(ic, os_in))
        map_packages(ic, os_in)
        map_system(ic, os_in)
        map_users(ic, os_in)
        map_files(ic, os_in)
        post: list[dict[str, Any]] = []
        if ic.post_lines:
            ic.mark(("scripts", "post", 0), ic.post_lines[0][0])
            post.append({"body": "# os settings from the Image Customizer config (files, folders, modules)\nset -e\n"
                                 + "".join(line + "\n" for _, line in ic.post_lines),
                         "interpreter": "/bin/sh", "chroot": True, "error_on_fail": True})
        post += map_scripts(ic, data, len(post))
        if post:
            ic.b.data["scripts"] = {"post": post}
    except InvalidInput:
        raise
    except Exception as exc:  # a mapping bug must still come out as a clean error
        ic.err((), f"could not map this config ({type(exc).__name__}); please report it")
    ic.b.data.setdefault("finish", "reboot")
    config = ic.b.build()
    return ForeignLoaded(config, "imagecustomizer", ic.b.warnings, ic.hints, source=source, origins=ic.b.where)
