"""Fixtures for the medium's unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.medium.fakes import FakeHost


@pytest.fixture
def host() -> FakeHost:
    return FakeHost()


@pytest.fixture
def drive(tmp_path: Path) -> Path:
    d = tmp_path / "drive"
    d.mkdir()
    return d
