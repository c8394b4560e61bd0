"""The blivet suite: host-side selection tests run everywhere; ``vm`` tests boot the installer
medium in QEMU and run only with AZL_VM=1 (make smoke / make smoke-blivet)."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("AZL_VM") == "1":
        return
    skip = pytest.mark.skip(reason="VM test: run with AZL_VM=1 (make smoke-blivet)")
    for item in items:
        if "vm" in item.keywords and "tests/blivet" in str(item.fspath):
            item.add_marker(skip)
