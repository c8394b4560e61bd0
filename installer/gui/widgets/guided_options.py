"""Options of the guided (recommended) layout: root filesystem, LVM, swap, separate /home."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QWidget

from installer.backend.flow import FlowState
from installer.gui.widgets.a11y import named

SWAP_CHOICES = (("No swap", "0"), ("1 GiB", "1GiB"), ("2 GiB", "2GiB"), ("4 GiB", "4GiB"), ("8 GiB", "8GiB"))


class GuidedOptions(QWidget):
    changed = Signal()

    def __init__(self, state: FlowState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.root_fs = named(QComboBox(), "Root filesystem", "The filesystem of /")
        self.root_fs.addItem("ext4 (recommended)", "ext4")
        self.root_fs.addItem("XFS", "xfs")
        self.swap = named(QComboBox(), "Swap size", "A swap partition (or volume with LVM)")
        for text, val in SWAP_CHOICES:
            self.swap.addItem(text, val)
        self.lvm = named(QCheckBox("Use &LVM (resize volumes later)"), "Use LVM")
        self.home = named(QCheckBox("Separate /&home"), "Separate home",
                          "Keep /home on its own filesystem, half of the free space")
        lab_fs = QLabel("Root &filesystem")
        lab_fs.setBuddy(self.root_fs)
        lab_swap = QLabel("S&wap")
        lab_swap.setBuddy(self.swap)
        form.addRow(lab_fs, self.root_fs)
        form.addRow(lab_swap, self.swap)
        form.addRow("", self.lvm)
        form.addRow("", self.home)
        for w in (self.root_fs, self.swap):
            w.currentIndexChanged.connect(self._store)
        for c in (self.lvm, self.home):
            c.toggled.connect(self._store)
        self._loading = False

    def load(self) -> None:
        self._loading = True
        s = self.state
        self.root_fs.setCurrentIndex(max(self.root_fs.findData(s.root_fs), 0))
        i = self.swap.findData(s.swap)
        if i < 0:
            self.swap.addItem(s.swap, s.swap)
            i = self.swap.count() - 1
        self.swap.setCurrentIndex(i)
        self.lvm.setChecked(s.lvm)
        self.home.setChecked(s.separate_home)
        self._loading = False

    def _store(self) -> None:
        if self._loading:
            return
        s = self.state
        s.root_fs = "xfs" if self.root_fs.currentData() == "xfs" else "ext4"
        s.swap = str(self.swap.currentData())
        s.lvm = self.lvm.isChecked()
        s.separate_home = self.home.isChecked()
        self.changed.emit()
