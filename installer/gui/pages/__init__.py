"""One page per file, in the order of installer.backend.flow.PAGES (imported lazily)."""

from __future__ import annotations

import importlib

from installer.gui.pages.base import Page

_CLASSES = {
    "welcome": ("welcome", "WelcomePage"),
    "install_type": ("install_type", "InstallTypePage"),
    "disk": ("disk", "DiskPage"),
    "encryption": ("encryption", "EncryptionPage"),
    "hostname": ("hostname", "HostnamePage"),
    "user": ("user", "UserPage"),
    "summary": ("summary", "SummaryPage"),
    "progress": ("progress", "ProgressPage"),
    "finish": ("finish", "FinishPage"),
}

SIDEBAR_TITLES = {
    "welcome": "Welcome", "install_type": "Installation type", "disk": "Destination",
    "encryption": "Encryption", "hostname": "Computer name", "user": "Your account",
    "summary": "Review", "progress": "Install", "finish": "Finish",
}


def page_class(page_id: str) -> type[Page]:
    module, cls = _CLASSES[page_id]
    mod = importlib.import_module(f"installer.gui.pages.{module}")
    return getattr(mod, cls)
