"""A small read-only table that paints itself: a header row and a dozen text rows.

For short computed tables in the first picture (the home page's milestone results): a rich-text
label needs an HTML parse and a text-document layout, a grid of labels ~90 widgets, and a table
view a model and its delegates — each measurably slower at start-up than painting the cells.
Ctrl+C and the context menu copy the table as tab-separated text, which pastes into Excel/WPS.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QRect, QRectF, QSize
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QWidget

from desktop.gui.widgets.painting import (
    ALIGN_HCENTER, ALIGN_LEFT, ALIGN_RIGHT, ALIGN_VCENTER, TEXT_SINGLE_LINE, Role, fill_box, ink, use_text_colour,
)

CELL_GAP, PADDING, ROW_PAD, PILL_PAD = 12, 8, 4, 6
BACKGROUND, BORDER, STRIPE, TEXT = "#ffffff", "#d6dbe3", "#f5f7fa", "#1a202c"
# roles of the table's ink palette; cell tints get roles of their own (see _role_of)
FILL, EDGE, BAND = Role.Base, Role.Mid, Role.AlternateBase
TINT_ROLES = (Role.Link, Role.LinkVisited, Role.BrightText, Role.ToolTipBase, Role.Highlight, Role.Accent)


class TextTable(QWidget):
    """`set_rows(rows)`; columns in `right_aligned` are right-aligned; `cell_style(row, col)` may
    return (tint, bold) for a cell — the text on a rounded badge of colour `tint` (None: no
    badge), e.g. a status column — or None for plain text."""

    def __init__(self, headers: Sequence[str], *, right_aligned: Sequence[int] = (),
                 cell_style: Callable[[tuple[str, ...], int], tuple[str, bool] | None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers = tuple(headers)
        self.right_aligned = frozenset(right_aligned)
        self.cell_style = cell_style
        self.rows: list[tuple[str, ...]] = []
        self._widths: list[int] | None = None
        self._widths_font: QFont | None = None
        self._ink = ink({FILL: BACKGROUND, EDGE: BORDER, BAND: STRIPE})
        self._tint_roles: dict[str, QPalette.ColorRole] = {}
        use_text_colour(self, TEXT)

    def _role_of(self, tint: str) -> QPalette.ColorRole | None:
        """The ink role carrying a badge tint (up to six distinct tints per table)."""
        if tint not in self._tint_roles:
            if len(self._tint_roles) == len(TINT_ROLES):
                return None
            role = TINT_ROLES[len(self._tint_roles)]
            self._ink.setColor(role, QColor(tint))
            self._tint_roles[tint] = role
        return self._tint_roles[tint]

    def set_rows(self, rows: Sequence[Sequence[str]]) -> None:
        self.rows = [tuple(r) for r in rows]
        self._widths = None
        self.updateGeometry()
        self.update()

    def to_text(self) -> str:
        """Tab-separated, header first: what Ctrl+C puts on the clipboard."""
        return "\n".join("\t".join(r) for r in (self.headers, *self.rows))

    def copy_to_clipboard(self) -> None:
        from PySide6.QtWidgets import QApplication

        QApplication.clipboard().setText(self.to_text())

    # Focus and the menu are set up on use, not in __init__: setting a focus or context-menu
    # policy needs the Qt namespace's enums, whose creation costs ~15 ms of start-up.
    def mousePressEvent(self, event) -> None:  # noqa: N802 — Qt override
        self.setFocus()  # so that Ctrl+C reaches keyPressEvent
        super().mousePressEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 — Qt override
        from PySide6.QtGui import QKeySequence

        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_to_clipboard()
            event.accept()
            return
        super().keyPressEvent(event)

    def context_menu(self):  # noqa: ANN201 — a QMenu, imported on use
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        menu.addAction("复制表格（可粘贴到Excel/WPS）", self.copy_to_clipboard)
        return menu

    def contextMenuEvent(self, event) -> None:  # noqa: N802 — Qt override
        self.context_menu().exec(event.globalPos())

    # -- geometry -----------------------------------------------------------------------------------
    def _bold(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def _row_height(self) -> int:
        return QFontMetrics(self._bold()).height() + 2 * ROW_PAD

    def column_widths(self) -> list[int]:
        if self._widths is None or self._widths_font != self.font():  # measured again after a font change
            self._widths_font = QFont(self.font())
            fm, bold = QFontMetrics(self.font()), QFontMetrics(self._bold())
            widths = [bold.horizontalAdvance(h) for h in self.headers]
            for row in self.rows:
                for c, text in enumerate(row):
                    style = self.cell_style(row, c) if self.cell_style else None
                    metrics = bold if style and style[1] else fm
                    pad = 2 * PILL_PAD if style and style[0] else 0
                    widths[c] = max(widths[c], metrics.horizontalAdvance(text) + pad)
            self._widths = widths
        return self._widths

    def sizeHint(self) -> QSize:  # noqa: N802 — Qt override
        widths = self.column_widths()
        return QSize(sum(widths) + CELL_GAP * (len(widths) - 1) + 2 * PADDING,
                     (len(self.rows) + 1) * self._row_height() + 2 * PADDING)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 — Qt override
        return QSize(min(self.sizeHint().width(), 320), self.sizeHint().height())

    # -- painting -----------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 — Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill_box(p, QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), self._ink, FILL, EDGE)
        widths, h = self.column_widths(), self._row_height()
        bold = self._bold()
        y = PADDING
        for i, row in enumerate((self.headers, *self.rows)):
            if i % 2 == 0 and i > 0:
                fill_box(p, QRectF(1, y, self.width() - 2, h), self._ink, BAND)
            x = PADDING
            for c, text in enumerate(row):
                style = (None, True) if i == 0 else (self.cell_style(row, c) if self.cell_style else None)
                p.setFont(bold if style and style[1] else self.font())
                align = ALIGN_RIGHT if c in self.right_aligned else ALIGN_LEFT
                tint = self._role_of(style[0]) if style and style[0] else None
                if tint is not None:
                    badge = QRectF(x, y + 2, p.fontMetrics().horizontalAdvance(text) + 2 * PILL_PAD, h - 4)
                    fill_box(p, badge, self._ink, tint, radius=(h - 4) / 2)
                    p.drawText(badge.toRect(), ALIGN_HCENTER | ALIGN_VCENTER | TEXT_SINGLE_LINE, text)
                else:
                    p.drawText(QRect(x, y, widths[c], h), align | ALIGN_VCENTER | TEXT_SINGLE_LINE, text)
                x += widths[c] + CELL_GAP
            y += h
        p.end()
