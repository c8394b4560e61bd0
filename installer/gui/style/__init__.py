"""Style sheets: the default theme and a high-contrast one."""

from __future__ import annotations

from pathlib import Path

STYLE_DIR = Path(__file__).resolve().parent


def stylesheet(high_contrast: bool = False) -> str:
    name = "high_contrast.qss" if high_contrast else "default.qss"
    return (STYLE_DIR / name).read_text().replace("@STYLE_DIR@", STYLE_DIR.as_posix())
