"""A table model over the backend's Machine: one row per disk."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from installer.backend.flow import disk_rows
from installer.backend.machine import Disk, Machine

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Device", "Size", "Model", "Connection", "Current contents")
PathRole = Qt.ItemDataRole.UserRole + 1


def unusable_reason(disk: Disk) -> str | None:
    if disk.is_installer_medium:
        return "this is the installer medium"
    if disk.read_only:
        return "this disk is read-only"
    if disk.holds_running_root:
        return "this disk holds the running system"
    return None


class DiskTableModel(QAbstractTableModel):
    def __init__(self, machine: Machine) -> None:
        super().__init__()
        self.machine = machine
        self.rows = disk_rows(machine)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def disk_at(self, row: int) -> Disk:
        return self.machine.disks[row]

    def row_of(self, path: str | None) -> int:
        return next((i for i, d in enumerate(self.machine.disks) if d.path == path), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        disk = self.disk_at(index.row())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            reason = unusable_reason(disk)
            return f"{disk.describe()}: cannot install here ({reason})" if reason else disk.describe()
        if role == PathRole:
            return disk.path
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if unusable_reason(self.disk_at(index.row())):
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
