"""Checkbox and radio button that, on a serial console, show their state in text ([x], (*))
rather than by colour alone."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox, RadioButton


def _serial(widget: Checkbox | RadioButton) -> bool:
    return bool(getattr(widget.app, "serial", False))


class Check(Checkbox):
    @property
    def _button(self) -> Content:
        if _serial(self):
            return Content("[x]" if self.value else "[ ]")
        return super()._button


class Radio(RadioButton):
    @property
    def _button(self) -> Content:
        if _serial(self):
            return Content("(*)" if self.value else "( )")
        return super()._button
