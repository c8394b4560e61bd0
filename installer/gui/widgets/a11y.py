"""Accessible names: every control gets one (screen readers, and tests find widgets by it)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QComboBox, QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, description: str = "") -> W:
    widget.setAccessibleName(name)
    widget.setObjectName(name.lower().replace(" ", "-").replace("/", ""))
    if isinstance(widget, QComboBox):
        widget.view().setAccessibleName(f"{name} choices")
    if description:
        widget.setAccessibleDescription(description)
        widget.setToolTip(description)
    return widget
