"""Minimum sizes, in one place.

The root minimum per package set is a floor used until the payload step can estimate the
installed size from the repository: :func:`min_root_bytes` takes that estimate when given and
keeps the larger of the two, so the payload engineer only has to pass ``estimate``.
"""

from __future__ import annotations

from installer.backend.sizes import GiB, MiB

# The root filesystem must hold the package set plus room for logs, updates and the initramfs.
ROOT_MIN_BYTES: dict[str, int] = {
    "core": 2 * GiB,
    "full": 4 * GiB,
    # a custom list may be far smaller than core (Azure Linux's minimal-os image is 500 MiB in all,
    # swuvm's root 2038 MiB): until the payload estimate is known, the floor is 1 GiB
    "custom": 1 * GiB,
}
# Headroom added on top of a payload estimate (package caches, logs, a kernel update).
ESTIMATE_HEADROOM = 1.25
ESTIMATE_EXTRA_BYTES = 512 * MiB

ESP_MIN_BYTES = 512 * MiB  # FAT32 wants >= 260 MiB on 4Kn disks; 512 MiB is Anaconda's default
ESP_MAX_BYTES = 1 * GiB
BOOT_MIN_BYTES = 512 * MiB  # room for two kernels and their initramfs images
BIOS_GRUB_BYTES = 1 * MiB
HOME_MIN_BYTES = 256 * MiB
SWAP_MIN_BYTES = 64 * MiB
FS_MIN_BYTES: dict[str, int] = {  # smallest size each mkfs accepts comfortably
    "ext4": 16 * MiB,
    "xfs": 300 * MiB,
    "btrfs": 128 * MiB,
    "vfat": 33 * MiB,
    "swap": SWAP_MIN_BYTES,
}


def min_root_bytes(package_set: str, estimate: int | None = None) -> int:
    """The smallest root filesystem for ``package_set``; ``estimate`` (bytes the payload will
    occupy, from the repository metadata) raises the floor when it is larger."""
    floor = ROOT_MIN_BYTES.get(package_set, ROOT_MIN_BYTES["core"])
    if estimate is None:
        return floor
    return max(floor, int(estimate * ESTIMATE_HEADROOM) + ESTIMATE_EXTRA_BYTES)
