"""The dependency direction: the backend and the non-UI CLI never load textual or PySide6."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
import installer.backend.config, installer.backend.plan, installer.backend.engine
import installer.backend.flow, installer.backend.answers.load, installer.backend.validate
import installer.backend.steps.registry as r
list(iter(r.PLANNERS))
import installer.cli.main
from installer.cli.main import main
for argv in (["schema"], ["validate", "examples/core-luks-uefi.yaml"]):
    main(argv)
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "PySide6", "shiboken6"))
print("LOADED:", bad)
"""


def test_backend_and_cli_do_not_import_ui_toolkits() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "LOADED: []"
