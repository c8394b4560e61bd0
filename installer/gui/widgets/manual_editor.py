"""The manual layout: a table of partitions over the flow's list, with an editor row."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from installer.backend.flow import FieldIssue, FlowState, ManualPartition, validate_partition
from installer.gui.models.partitions import PartitionTableModel
from installer.gui.widgets.a11y import named
from installer.gui.widgets.inline import InlineMessage

FILESYSTEMS = ("ext4", "xfs", "btrfs", "vfat", "swap", "biosboot")


def recommended(firmware: str) -> list[ManualPartition]:
    """A starting point the user edits: the same shape as the guided layout."""
    first = (ManualPartition("/boot/efi", "512MiB", "vfat") if firmware == "uefi"
             else ManualPartition(None, "1MiB", "biosboot"))
    return [first, ManualPartition("/boot", "1GiB", "ext4"), ManualPartition("/", "rest", "ext4")]


class ManualEditor(QWidget):
    changed = Signal()

    def __init__(self, state: FlowState, firmware: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.firmware = firmware
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.model = PartitionTableModel(state.partitions)
        self.table = named(QTableView(), "Partitions", "The partitions to create, in order")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(110)
        self.table.setMaximumHeight(150)
        lay.addWidget(self.table)

        grid = QGridLayout()
        self.mount = named(QLineEdit(), "Mount point", "Where the partition is mounted, e.g. /home; "
                           "empty for swap or BIOS boot")
        self.mount.setPlaceholderText("/home")
        self.size_edit = named(QLineEdit(), "Partition size", "512MiB, 20GiB, 30% or rest")
        self.size_edit.setPlaceholderText("20GiB, 30% or rest")
        self.fs = named(QComboBox(), "Partition filesystem")
        for f in FILESYSTEMS:
            self.fs.addItem(f, f)
        self.encrypt = named(QCheckBox("&Encrypt"), "Encrypt partition")
        for col, (text, w) in enumerate((("Mount &point", self.mount), ("Si&ze", self.size_edit),
                                         ("Filesys&tem", self.fs))):
            lab = QLabel(text)
            lab.setBuddy(w)
            grid.addWidget(lab, 0, col)
            grid.addWidget(w, 1, col)
        grid.addWidget(self.encrypt, 1, 3)
        lay.addLayout(grid)
        self.entry_message = InlineMessage("new partition")
        lay.addWidget(self.entry_message)

        buttons = QHBoxLayout()
        self.add_btn = named(QPushButton("&Add"), "Add partition")
        self.update_btn = named(QPushButton("&Update"), "Update selected partition")
        self.remove_btn = named(QPushButton("&Remove"), "Remove selected partition")
        self.reset_btn = named(QPushButton("Start from the &recommended layout"), "Recommended layout",
                               "Replace the list with the recommended partitions")
        for b in (self.add_btn, self.update_btn, self.remove_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.reset_btn)
        lay.addLayout(buttons)
        self.add_btn.clicked.connect(self.add)
        self.update_btn.clicked.connect(self.update_selected)
        self.remove_btn.clicked.connect(self.remove_selected)
        self.reset_btn.clicked.connect(self.use_recommended)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._pick(cur.row()))
        self.mount.textEdited.connect(lambda _t: self.check_entry(True))
        self.size_edit.textEdited.connect(lambda _t: self.check_entry(True))
        self.fs.currentIndexChanged.connect(lambda _i: self.check_entry(bool(self.size_edit.text())))
        self.check_entry(False)

    def entry_issues(self) -> list[FieldIssue]:
        return validate_partition(self._entry())

    def check_entry(self, show: bool) -> bool:
        """Live validation of the editor row (the backend's rules); Add/Update follow it."""
        issues = self.entry_issues()
        self.entry_message.show_issue(issues[0] if issues and show else None)
        ok = not any(i.blocking for i in issues)
        self.add_btn.setEnabled(ok)
        self.update_btn.setEnabled(ok and self.table.currentIndex().row() >= 0)
        self.remove_btn.setEnabled(self.table.currentIndex().row() >= 0)
        return ok

    def load(self) -> None:
        if self.model.parts is not self.state.partitions:
            self.model.set_list(self.state.partitions)

    def _entry(self) -> ManualPartition:
        mount = self.mount.text().strip() or None
        return ManualPartition(mount, self.size_edit.text().strip(), str(self.fs.currentData()),
                               self.encrypt.isChecked())

    def _pick(self, row: int) -> None:
        if 0 <= row < len(self.state.partitions):
            p = self.state.partitions[row]
            self.mount.setText(p.mount or "")
            self.size_edit.setText(p.size)
            self.fs.setCurrentIndex(max(self.fs.findData(p.fs), 0))
            self.encrypt.setChecked(p.encrypt)
        self.check_entry(False)

    def add(self) -> None:
        if not self.check_entry(True):
            return
        self.model.append(self._entry())
        self.mount.clear()
        self.size_edit.clear()
        self.check_entry(False)
        self.changed.emit()

    def update_selected(self) -> None:
        row = self.table.currentIndex().row()
        if row >= 0 and self.check_entry(True):
            self.model.replace(row, self._entry())
            self.changed.emit()

    def remove_selected(self) -> None:
        row = self.table.currentIndex().row()
        if row >= 0:
            self.model.remove(row)
            self.check_entry(False)
            self.changed.emit()

    def use_recommended(self) -> None:
        self.state.partitions[:] = recommended(self.firmware)
        self.model.set_list(self.state.partitions)
        self.changed.emit()

