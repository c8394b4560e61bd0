"""azl-installer: the operating-system installer for Azure Linux."""

__version__ = "0.1.0"
