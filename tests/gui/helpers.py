"""Helpers for the graphical installer's tests: typing, Next, every text a widget shows."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from installer.gui.window import InstallerWindow


def type_into(qtbot, edit: QLineEdit, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type as a user does (textEdited fires), replacing what was there."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    if text:
        qtbot.keyClicks(edit, text)


def next_page(qtbot, win: InstallerWindow, expect: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(win.next_btn, Qt.MouseButton.LeftButton)
    assert win.page_id == expect, visible_messages(win)


def visible_messages(win: InstallerWindow) -> list[str]:
    return [m.text() for m in win.current.messages.values() if m.isVisible()]


def _model_texts(view: QAbstractItemView) -> list[str]:
    model = view.model()
    out: list[str] = []
    if model is None:
        return out

    def walk(parent: QModelIndex) -> None:
        try:
            cols = max(model.columnCount(parent), 1)
        except TypeError:  # list models keep columnCount private
            cols = 1
        for r in range(model.rowCount(parent)):
            for c in range(cols):
                idx = model.index(r, c, parent)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                             Qt.ItemDataRole.AccessibleTextRole):
                    v = model.data(idx, role)
                    if v:
                        out.append(str(v))

    walk(QModelIndex())
    return out


def all_texts(root: QWidget) -> list[str]:
    """Every string the window shows or exposes to assistive technology, except what a user
    types into password fields (which never echo)."""
    out = [root.windowTitle()]
    for w in [root, *root.findChildren(QWidget)]:
        out += [w.toolTip(), w.accessibleName(), w.accessibleDescription(), w.statusTip(), w.whatsThis()]
        if isinstance(w, QLabel | QAbstractButton):
            out.append(w.text())
        elif isinstance(w, QLineEdit):
            if w.echoMode() == QLineEdit.EchoMode.Normal:
                out += [w.text(), w.placeholderText()]
            else:
                out.append(w.placeholderText())
        elif isinstance(w, QPlainTextEdit):
            out.append(w.toPlainText())
        elif isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QAbstractItemView):
            out += _model_texts(w)
    return [t for t in out if t]
