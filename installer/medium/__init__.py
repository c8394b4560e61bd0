"""The installer medium's boot glue: kernel command line, answer-file retrieval, console launcher.

Standard library only: this package runs first on the live system and must not fail on a
missing third-party import before it can print a clear message on the console.
"""

MARKER_PREFIX = "AZL-INSTALLER:"
"""Start of every machine-readable line the launcher writes to the serial console."""

MEDIUM_REPO = "/run/install/repo"
"""Where the live medium exposes its own package repository (a link to the ISO's ``/repo``)."""
