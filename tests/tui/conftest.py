import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import MACHINES

from installer.backend.machine import Machine, load_machine


@pytest.fixture
def machine() -> Machine:
    return load_machine(MACHINES / "two-disks.json")
