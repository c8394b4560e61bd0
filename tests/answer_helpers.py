"""Helpers the GUI and TUI walk-through tests share: load a fixture answer file, and turn an
InstallConfig into data that two configs can be compared by (salted hashes verified, then blanked).

A module rather than conftest.py so it can be imported (``from tests.answer_helpers import ...``);
not named ``helpers`` because tests/tui imports its own ``helpers`` as a top-level module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from installer.backend.answers.load import load_file
from installer.backend.config import InstallConfig
from installer.backend.passwords import verify_password

ANSWERS = Path(__file__).resolve().parent / "fixtures" / "answers"


def load_answers(name: str) -> InstallConfig:
    """The InstallConfig of tests/fixtures/answers/NAME, as the loader builds it."""
    return load_file(ANSWERS / name).config


def normalized(cfg: InstallConfig, passwords: dict[str, str]) -> dict[str, Any]:
    """The config as data: each salted hash checked against its password (by account name, root
    for the root account) and then blanked; the LUKS passphrase unwrapped."""
    data = cfg.model_dump()
    for acct in [*data["users"], data["root"]]:
        name = acct.get("name", "root")
        if acct["password_hash"] is not None:
            assert verify_password(passwords[name], acct["password_hash"]), name
            acct["password_hash"] = "<verified>"
    enc = data["storage"]["encryption"]
    if enc["passphrase"] is not None:
        enc["passphrase"] = enc["passphrase"].get_secret_value()
    return data
