"""VM tests boot the installer ISO in QEMU (slow): they run only with AZL_VM=1 (make smoke)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.vm.qemu import REPO, Medium

ARTIFACTS = REPO / "build" / "vm-artifacts"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("AZL_VM") == "1":
        return
    skip = pytest.mark.skip(reason="VM test: run with AZL_VM=1 (make smoke)")
    for item in items:
        if "vm" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def medium() -> Medium:
    info = REPO / "build" / "iso-info.json"
    if not info.exists():
        pytest.skip("no ISO: run make iso first")
    return Medium.load(info)


@pytest.fixture
def vmdir(request: pytest.FixtureRequest) -> Iterator[Path]:
    """Per-test directory: serial logs stay in build/vm-artifacts/<test>/, disks are removed."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    d = ARTIFACTS / name
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    yield d
    for p in d.iterdir():
        if p.suffix in (".qcow2", ".img", ".fd", ".sock"):
            p.unlink()
