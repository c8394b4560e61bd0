"""A horizontal bar showing a disk's partitions, proportional to their sizes."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from installer.backend.sizes import format_size
from installer.gui.layout_preview import Segment
from installer.gui.widgets.a11y import named

COLORS = {
    "esp": "#8764b8", "bios": "#8764b8", "boot": "#c239b3", "root": "#0078d4", "home": "#00a2ad",
    "swap": "#ca5010", "lvm": "#498205", "data": "#5c7e9f", "free": "#e1e4e8",
}
HC_COLORS = {k: "#000000" for k in COLORS}
MIN_SEG = 84.0


class DiskBar(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.segments: list[Segment] = []
        self.title = name
        named(self, name)
        self.setMinimumHeight(56)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def sizeHint(self) -> QSize:
        return QSize(600, 56)

    def set_segments(self, segments: list[Segment]) -> None:
        self.segments = segments
        text = "; ".join(s.describe() for s in segments) or "nothing to show"
        self.setAccessibleDescription(f"{self.title}: {text}")
        self.setToolTip("\n".join(s.describe() for s in segments))
        self.update()

    def _widths(self, total_w: float) -> list[float]:
        total = sum(s.size for s in self.segments) or 1
        raw = [max(MIN_SEG, total_w * s.size / total) for s in self.segments]
        excess = sum(raw) - total_w
        if excess > 0:
            big = [i for i, w in enumerate(raw) if w > MIN_SEG * 2]
            big_sum = sum(raw[i] for i in big) or 1
            for i in big:
                raw[i] -= excess * raw[i] / big_sum
        return raw

    @staticmethod
    def _lock(p: QPainter, x: float, y: float, color: QColor) -> None:
        """A small padlock: this segment is encrypted (LUKS)."""
        p.save()
        p.setPen(QPen(color, 1.6))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawArc(QRectF(x + 1.5, y, 7, 8), 0, 180 * 16)
        p.setBrush(color)
        p.drawRoundedRect(QRectF(x, y + 4.5, 10, 7.5), 1.5, 1.5)
        p.restore()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        hc = bool(self.window().property("highContrast"))
        colors = HC_COLORS if hc else COLORS
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        if not self.segments:
            p.setPen(QPen(QColor("#8a8886"), 1, Qt.PenStyle.DashLine))
            p.drawRoundedRect(rect, 6, 6)
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "no layout yet")
            return
        x = rect.left()
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        p.setFont(font)
        for seg, w in zip(self.segments, self._widths(rect.width()), strict=True):
            r = QRectF(x, rect.top(), w - 2, rect.height())
            fill = QColor(colors.get(seg.kind, "#5c7e9f"))
            if hc:
                style = Qt.PenStyle.DashLine if seg.kind == "free" else Qt.PenStyle.SolidLine
                p.setPen(QPen(QColor("#ffffff" if seg.kind == "free" else "#ffff00"), 2, style))
            else:
                p.setPen(QPen(QColor("#ffffff"), 1))
            p.setBrush(fill)
            p.drawRoundedRect(r, 5, 5)
            dark_text = seg.kind == "free" and not hc
            p.setPen(QColor("#323130") if dark_text else QColor("#ffffff"))
            label = seg.label
            text = f"{label}\n{format_size(seg.size)}"
            metrics = p.fontMetrics()
            if metrics.horizontalAdvance(label) > w - 8:
                text = p.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, int(w - 6))
            p.drawText(r.adjusted(3, 2, -3, -2), Qt.AlignmentFlag.AlignCenter, text)
            if seg.encrypted:
                self._lock(p, r.left() + 8, r.top() + 7, p.pen().color())
            x += w
