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


@pytest.fixture(autouse=True)
def _restore_medium_repo_env():  # type: ignore[no-untyped-def]
    """The CLI's dry run sets AZL_MEDIUM_REPO in its process; tests that call main() in-process
    must not leak it into later tests (plans depend on it)."""
    before = os.environ.get("AZL_MEDIUM_REPO")
    yield
    if before is None:
        os.environ.pop("AZL_MEDIUM_REPO", None)
    else:
        os.environ["AZL_MEDIUM_REPO"] = before
