"""3. Disk: the probed disks; guided (erase the disk) or manual partitioning with live
validation of the layout; what will be erased."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Button, Checkbox, DataTable, Input, Label, RadioButton, RadioSet, Select, Static

from installer.backend import flow
from installer.tui.screens.base import PageScreen
from installer.tui.widgets.toggles import Check, Radio


def _button_id(path: str) -> str:
    return "disk-" + path.rsplit("/", 1)[-1]


class DiskScreen(PageScreen):
    PAGE = "disk"
    TITLE = "Installation disk"

    def body(self) -> ComposeResult:
        with RadioSet(id="disk"):
            for path, size, model, transport, _contents in flow.disk_rows(self.machine):
                d = self.machine.disk(path)
                label = f"{path:<14} {size:>10}  {model[:28]:<28} {transport}"
                yield Radio(label, id=_button_id(path),
                                  disabled=bool(d and (d.is_installer_medium or d.read_only)))
        yield Static("", id="erase", classes="warning", markup=False)
        with RadioSet(id="layout"):
            yield Radio("Guided: erase the disk and use the recommended layout", id="layout-guided")
            yield Radio("Manual partitioning", id="layout-manual")
        with Vertical(id="guided"):
            with Grid(classes="form"):
                yield Label("Root filesystem")
                yield Select([("ext4", "ext4"), ("xfs", "xfs")], id="root_fs", allow_blank=False, compact=True)
                yield Label("Swap size")
                yield Input(id="swap", compact=True, placeholder="0 for none, e.g. 2GiB")
            yield Check("Use LVM", id="lvm", compact=True)
            yield Check("Separate /home", id="separate_home", compact=True)
        with Vertical(id="manual"):
            yield DataTable(id="partitions", cursor_type="row", show_cursor=True, zebra_stripes=False)
            with Horizontal(classes="nav"):
                yield Button("Add", id="add", compact=True)
                yield Button("Edit", id="edit", compact=True)
                yield Button("Delete", id="delete", compact=True)
            yield Static("LVM logical volumes (on partitions given an LVM group):", classes="hint", markup=False)
            yield DataTable(id="volumes", cursor_type="row", show_cursor=True, zebra_stripes=False)
            with Horizontal(classes="nav"):
                yield Button("Add LV", id="add-lv", compact=True)
                yield Button("Edit LV", id="edit-lv", compact=True)
                yield Button("Delete LV", id="delete-lv", compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#partitions", DataTable)
        table.add_columns("Mount", "Size", "FS", "Encrypt", "LVM group")
        self.query_one("#volumes", DataTable).add_columns("Name", "LVM group", "Mount", "Size", "FS")
        super().on_mount()

    def load(self) -> None:
        s = self.state
        if s.disk and self.machine.disk(s.disk):
            self.query_one(f"#{_button_id(s.disk)}", RadioButton).value = True
        self.query_one(f"#layout-{s.layout}", RadioButton).value = True
        self.query_one("#root_fs", Select).value = s.root_fs
        self.query_one("#swap", Input).value = s.swap
        self.query_one("#lvm", Checkbox).value = s.lvm
        self.query_one("#separate_home", Checkbox).value = s.separate_home
        self._fill_table()
        self._show_layout()

    def save(self) -> None:
        s = self.state
        pressed = self.query_one("#disk", RadioSet).pressed_button
        if pressed is not None:
            s.disk = next((d.path for d in self.machine.disks if _button_id(d.path) == pressed.id), s.disk)
        lay = self.query_one("#layout", RadioSet).pressed_button
        if lay is not None:
            s.layout = "manual" if lay.id == "layout-manual" else "guided"
        fs = self.query_one("#root_fs", Select).value
        s.root_fs = "xfs" if fs == "xfs" else "ext4"
        s.swap = self.query_one("#swap", Input).value.strip() or "0"
        s.lvm = self.query_one("#lvm", Checkbox).value
        s.separate_home = self.query_one("#separate_home", Checkbox).value
        self._show_layout()

    def after_change(self) -> None:
        self.query_one("#erase", Static).update("\n".join(flow.erase_lines(self.state, self.machine)))

    def _show_layout(self) -> None:
        manual = self.state.layout == "manual"
        self.query_one("#guided").display = not manual
        self.query_one("#manual").display = manual

    def _fill_table(self) -> None:
        table = self.query_one("#partitions", DataTable)
        table.clear()
        for p in self.state.partitions:
            table.add_row(p.mount or "-", p.size, p.fs, "yes" if p.encrypt else "no", p.vg or "-")
        lvs = self.query_one("#volumes", DataTable)
        lvs.clear()
        for v in self.state.volumes:
            lvs.add_row(v.name, v.vg, v.mount or "-", v.size, v.fs)

    # ------------------------------------------------------------------ manual editing
    def _selected(self) -> int | None:
        table = self.query_one("#partitions", DataTable)
        if not self.state.partitions:
            return None
        return min(max(table.cursor_row, 0), len(self.state.partitions) - 1)

    def _updated(self) -> None:
        self._fill_table()
        self.refresh_issues()

    @on(Button.Pressed, "#add")
    def action_add(self) -> None:
        from installer.tui.widgets.partition_dialog import PartitionDialog

        def done(part: flow.ManualPartition | None) -> None:
            if part is not None:
                self.state.partitions.append(part)
                self._updated()
        self.app.push_screen(PartitionDialog(), done)

    @on(Button.Pressed, "#edit")
    @on(DataTable.RowSelected, "#partitions")
    def action_edit(self) -> None:
        from installer.tui.widgets.partition_dialog import PartitionDialog

        i = self._selected()
        if i is None:
            return

        def done(part: flow.ManualPartition | None) -> None:
            if part is not None:
                self.state.partitions[i] = part
                self._updated()
        self.app.push_screen(PartitionDialog(self.state.partitions[i]), done)

    @on(Button.Pressed, "#delete")
    def action_delete(self) -> None:
        i = self._selected()
        if i is not None:
            del self.state.partitions[i]
            self._updated()

    # ------------------------------------------------------------------ LVM logical volumes
    def _selected_lv(self) -> int | None:
        table = self.query_one("#volumes", DataTable)
        if not self.state.volumes:
            return None
        return min(max(table.cursor_row, 0), len(self.state.volumes) - 1)

    @on(Button.Pressed, "#add-lv")
    def action_add_lv(self) -> None:
        from installer.tui.widgets.volume_dialog import VolumeDialog

        def done(vol: flow.ManualVolume | None) -> None:
            if vol is not None:
                self.state.volumes.append(vol)
                self._updated()
        self.app.push_screen(VolumeDialog(self.state), done)

    @on(Button.Pressed, "#edit-lv")
    @on(DataTable.RowSelected, "#volumes")
    def action_edit_lv(self) -> None:
        from installer.tui.widgets.volume_dialog import VolumeDialog

        i = self._selected_lv()
        if i is None:
            return

        def done(vol: flow.ManualVolume | None) -> None:
            if vol is not None:
                self.state.volumes[i] = vol
                self._updated()
        self.app.push_screen(VolumeDialog(self.state, self.state.volumes[i]), done)

    @on(Button.Pressed, "#delete-lv")
    def action_delete_lv(self) -> None:
        i = self._selected_lv()
        if i is not None:
            del self.state.volumes[i]
            self._updated()
