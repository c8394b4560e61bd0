import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import MACHINES  # noqa: E402

from installer.backend.machine import Machine, load_machine  # noqa: E402


@pytest.fixture
def machine() -> Machine:
    return load_machine(MACHINES / "two-disks.json")
