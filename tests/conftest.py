import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
MACHINES = FIXTURES / "machines"
EXAMPLES = ROOT / "examples"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def machines_dir() -> Path:
    return MACHINES


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


sys.path.insert(0, str(ROOT))
