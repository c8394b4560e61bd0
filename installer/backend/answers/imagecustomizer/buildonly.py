"""Image Customizer keys that shape the image build, not the system: ``input`` (the base image;
an installer installs the core set instead), ``iso``, ``pxe``, ``output`` and ``previewFeatures``
are accepted with a warning that says so; ``baseConfigs`` (config inheritance) is refused."""

from __future__ import annotations

from typing import Any

from installer.backend.answers.imagecustomizer.common import Ic

BUILD_ONLY = {
    "input": "the base image to customize: azl-installer installs Azure Linux's core package set instead",
    "iso": "a live ISO of the image",
    "pxe": "PXE boot artifacts of the image",
    "output": "the image file's path, format and artifacts",
}
PREVIEW = {"uki", "output-artifacts", "inject-files", "reinitialize-verity", "package-snapshot-time",
           "kdump-boot-files", "fedora-42", "base-configs", "input-image-oci", "btrfs", "output-selinux-policy",
           "cosi-compression", "remove-package-manager", "ubuntu-22.04", "ubuntu-24.04"}


def map_build_only(ic: Ic, data: dict[str, Any]) -> None:
    for key, what in BUILD_ONLY.items():
        if data.get(key) not in (None, {}, []):
            if not isinstance(data[key], dict):
                ic.err((key,), "must be a mapping (key: value)")
            else:
                ic.warn((key,), f"{what}: an image-build setting, not used when installing")
    if data.get("baseConfigs") not in (None, []):
        ic.err(("baseConfigs",), "base configs (a preview feature that merges other config files) are not read "
                                 "by azl-installer: merge them into one file")


def preview_features(ic: Ic, data: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for i, f in enumerate(ic.get(data, "previewFeatures", list, (), []) or []):
        if not isinstance(f, str) or f not in PREVIEW:
            ic.err(("previewFeatures", i), f"'{f}' is not a preview feature of the Image Customizer")
        else:
            out.add(f)
    return out
