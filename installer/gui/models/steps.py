"""A list model over the plan's steps and their status, fed by engine events."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
MARKS = {"pending": "○", "running": "◐", "done": "✓", "failed": "✗"}


class StepListModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self.steps: list[tuple[str, str]] = []  # (id, title)
        self.status: dict[str, str] = {}

    def set_steps(self, steps: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.steps = [(str(s["id"]), str(s["title"])) for s in steps]
        self.status = {sid: "pending" for sid, _ in self.steps}
        self.endResetModel()

    def set_status(self, step_id: str, status: str) -> None:
        if step_id not in self.status:
            return
        self.status[step_id] = status
        row = next(i for i, (sid, _) in enumerate(self.steps) if sid == step_id)
        self.dataChanged.emit(self.index(row), self.index(row))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.steps)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        sid, title = self.steps[index.row()]
        st = self.status.get(sid, "pending")
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{MARKS[st]}  {title}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{title}: {st}"
        return None
