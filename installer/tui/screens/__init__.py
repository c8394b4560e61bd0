"""One screen per step of the flow (flow.PAGES), imported when first shown so that start-up
pays only for the first screen."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from installer.tui.screens.base import PageScreen

CLASSES: dict[str, str] = {
    "welcome": "WelcomeScreen",
    "install_type": "InstallTypeScreen",
    "disk": "DiskScreen",
    "encryption": "EncryptionScreen",
    "hostname": "HostnameScreen",
    "user": "UserScreen",
    "summary": "SummaryScreen",
    "progress": "ProgressScreen",
    "finish": "FinishScreen",
}


def screen_class(page: str) -> type[PageScreen]:
    module = importlib.import_module(f"installer.tui.screens.{page}")
    cls: type[PageScreen] = getattr(module, CLASSES[page])
    return cls
