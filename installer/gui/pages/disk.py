"""Disk selection, with a bar of what the disk holds now and what it will hold, and the choice
between the guided layout and manual partitioning."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGridLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from installer.gui.context import GuiContext
from installer.gui.layout_preview import current_segments, planned_segments
from installer.gui.models.disks import DiskTableModel
from installer.gui.pages.base import Page
from installer.gui.widgets.a11y import named
from installer.gui.widgets.disk_bar import DiskBar
from installer.gui.widgets.guided_options import GuidedOptions
from installer.gui.widgets.manual_editor import ManualEditor


class DiskPage(Page):
    page_id = "disk"
    title = "Installation destination"
    subtitle = "Choose the disk to install on. The whole disk is used: everything on it will be erased."

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.model = DiskTableModel(ctx.machine)
        self.table = named(QTableView(), "Disks", "The disks of this computer")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        hdr = self.table.horizontalHeader()
        hdr.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hdr.setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        rows = min(max(len(ctx.machine.disks), 2), 5)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setFixedHeight(56 + rows * 30)
        self.body.addWidget(self.table)
        self.body.addWidget(self.message("disk"))

        bars = QGridLayout()
        self.now_bar = DiskBar("Current partitions")
        self.after_bar = DiskBar("Planned partitions")
        bars.addWidget(QLabel("Now"), 0, 0)
        bars.addWidget(self.now_bar, 0, 1)
        bars.addWidget(QLabel("After"), 1, 0)
        bars.addWidget(self.after_bar, 1, 1)
        bars.setColumnStretch(1, 1)
        self.body.addLayout(bars)

        choice = QVBoxLayout()
        choice.setSpacing(2)
        self.guided = named(QRadioButton("&Guided: erase the disk and use the recommended layout"),
                            "Guided partitioning")
        self.manual = named(QRadioButton("&Manual: choose the partitions myself"), "Manual partitioning")
        group = QButtonGroup(self)
        group.addButton(self.guided)
        group.addButton(self.manual)
        choice.addWidget(self.guided)
        choice.addWidget(self.manual)
        self.body.addLayout(choice)

        firmware = ctx.machine.firmware if (ctx.state.base is None or ctx.state.base.storage.firmware == "auto") \
            else ctx.state.base.storage.firmware
        self.guided_opts = GuidedOptions(ctx.state)
        self.manual_editor = ManualEditor(ctx.state, firmware)
        self.options = QStackedWidget()
        for w in (self.guided_opts, self.manual_editor):
            holder = QWidget()
            lay = QVBoxLayout(holder)
            lay.setContentsMargins(24, 0, 0, 0)
            lay.addWidget(w)
            self.options.addWidget(holder)
        self.body.addWidget(self.options)
        self.body.addWidget(self.message("partitions"))

        self.table.selectionModel().currentRowChanged.connect(lambda cur, _p: self._pick(cur.row()))
        self.guided.toggled.connect(self._layout_changed)
        self.guided_opts.changed.connect(self._refresh)
        self.manual_editor.changed.connect(lambda: self.touch("partitions"))
        self.manual_editor.changed.connect(self._refresh)

    def load(self) -> None:
        s = self.ctx.state
        row = self.model.row_of(s.disk)
        if row >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        (self.guided if s.layout == "guided" else self.manual).setChecked(True)
        self.options.setCurrentIndex(0 if s.layout == "guided" else 1)
        self.guided_opts.load()
        self.manual_editor.load()
        self._refresh()

    def focus_first(self) -> None:
        self.table.setFocus(Qt.FocusReason.TabFocusReason)

    def _pick(self, row: int) -> None:
        if row < 0 or self.loading:
            return
        disk = self.model.disk_at(row)
        self.ctx.state.disk = disk.path
        self.touch("disk")
        self._refresh()

    def _layout_changed(self) -> None:
        if self.loading:
            return
        s = self.ctx.state
        s.layout = "guided" if self.guided.isChecked() else "manual"
        self.options.setCurrentIndex(0 if s.layout == "guided" else 1)
        if s.layout == "manual" and not s.partitions:
            self.manual_editor.use_recommended()
        self._refresh()
        self.changed.emit()

    def _refresh(self) -> None:
        disk = self.ctx.machine.disk(self.ctx.state.disk or "")
        self.now_bar.set_segments(current_segments(disk) if disk else [])
        self.after_bar.set_segments(planned_segments(self.ctx.state, self.ctx.machine))
