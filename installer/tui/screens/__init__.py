"""One screen per step of the flow (flow.PAGES)."""

from __future__ import annotations

from installer.tui.screens.base import PageScreen
from installer.tui.screens.disk import DiskScreen
from installer.tui.screens.encryption import EncryptionScreen
from installer.tui.screens.finish import FinishScreen
from installer.tui.screens.hostname import HostnameScreen
from installer.tui.screens.install_type import InstallTypeScreen
from installer.tui.screens.progress import ProgressScreen
from installer.tui.screens.summary import SummaryScreen
from installer.tui.screens.user import UserScreen
from installer.tui.screens.welcome import WelcomeScreen

SCREENS: dict[str, type[PageScreen]] = {
    s.PAGE: s
    for s in (WelcomeScreen, InstallTypeScreen, DiskScreen, EncryptionScreen, HostnameScreen, UserScreen,
              SummaryScreen, ProgressScreen, FinishScreen)
}
