"""A table model over the flow's manual partition list (the list itself is the state)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from installer.backend.flow import ManualPartition

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Mount point", "Size", "Filesystem", "Encrypted")


class PartitionTableModel(QAbstractTableModel):
    def __init__(self, parts: list[ManualPartition]) -> None:
        super().__init__()
        self.parts = parts

    def set_list(self, parts: list[ManualPartition]) -> None:
        self.beginResetModel()
        self.parts = parts
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.parts)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        p = self.parts[index.row()]
        return (p.mount or "(none)", p.size, p.fs, "yes" if p.encrypt else "no")[index.column()]

    def append(self, part: ManualPartition) -> None:
        n = len(self.parts)
        self.beginInsertRows(QModelIndex(), n, n)
        self.parts.append(part)
        self.endInsertRows()

    def replace(self, row: int, part: ManualPartition) -> None:
        self.parts[row] = part
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.parts[row]
        self.endRemoveRows()
