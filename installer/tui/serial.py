"""Deciding whether we run on a serial console, where every byte on the wire is latency."""

from __future__ import annotations

import os

SERIAL_TERMS = frozenset({"vt100", "vt102", "vt220", "vt320", "linux", "ansi", "dumb"})
SERIAL_TTYS = ("/dev/ttyS", "/dev/ttyAMA", "/dev/ttyUSB", "/dev/hvc", "/dev/ttysclp")


def is_serial_console(term: str | None = None, tty: str | None = None) -> bool:
    """True on a serial line: a plain terminal type on a serial tty device.

    ``term`` and ``tty`` default to $TERM and the controlling terminal of stdin."""
    if term is None:
        term = os.environ.get("TERM", "")
    if tty is None:
        try:
            tty = os.ttyname(0)
        except OSError:
            tty = ""
    return term in SERIAL_TERMS and tty.startswith(SERIAL_TTYS)
