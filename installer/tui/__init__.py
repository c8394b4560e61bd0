"""The Textual text installer: keyboard-first, 80x24, and lean enough for a serial console."""
