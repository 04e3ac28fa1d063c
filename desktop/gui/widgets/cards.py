"""Figure card: a titled box with one big number and a few lines under it.

One widget that paints itself (title, value, wrapped detail lines in a rounded box) instead of a
frame with three labels and a style sheet: the home page shows nine of them in its first picture,
and four widgets plus style-sheet polishing per card cost start-up time
(tests/benchmarks/bench_startup.py). How it paints without slow calls: desktop.gui.widgets.painting.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QWidget

from desktop.gui.widgets.painting import (
    ALIGN_LEFT, ALIGN_TOP, ALIGN_VCENTER, TEXT_SINGLE_LINE, TEXT_WORD_WRAP, Role, fill_box, fill_text, ink,
    use_text_colour,
)

BACKGROUND, BORDER = "#ffffff", "#d6dbe3"
MUTED, STRONG = "#4a5568", "#1a365d"
# roles of the card's ink palette (title and detail lines are in the widget's text colour)
FILL, EDGE, VALUE = Role.Base, Role.Mid, Role.Text
MARGIN_X, MARGIN_Y, SPACING, RADIUS = 12, 10, 6, 6.0
UNBOUNDED = 1_000_000


class FigureCard(QWidget):
    """`set_figures(value, lines)` fills it; value_text()/detail_text() read it back."""

    def __init__(self, title: str, parent: QWidget | None = None, *, small: bool = False) -> None:
        super().__init__(parent)
        self.title = title
        self.small = small
        self._value = ""
        self._lines: list[str] = []
        self._memo: dict[object, object] = {}   # layout asks for the same sizes many times
        self._memo_font: QFont | None = None
        self._ink = ink({FILL: BACKGROUND, EDGE: BORDER, VALUE: STRONG})
        use_text_colour(self, MUTED)
        self.setAccessibleName(title)

    # -- content ------------------------------------------------------------------------------------
    def set_figures(self, value: str, lines: list[str]) -> None:
        self._value = value
        self._lines = list(lines)
        self._memo.clear()
        self.setAccessibleDescription(value + ("\n" + self.detail_text() if lines else ""))
        self.setToolTip(f"{self.title}：{value}" + ("\n" + self.detail_text() if lines else ""))
        self.updateGeometry()
        self.update()

    def value_text(self) -> str:
        return self._value

    def detail_text(self) -> str:
        return "\n".join(self._lines)

    # -- geometry -----------------------------------------------------------------------------------
    def _remembered(self, key: object, compute):
        font = self.font()
        if font != self._memo_font:  # a new font (style, zoom): measure everything again
            self._memo.clear()
            self._memo_font = QFont(font)
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def _value_font(self, fit_width: int | None = None) -> QFont:
        """The big figure's font; with fit_width, smaller (down to 10 pt) until the value fits."""
        font = QFont(self.font())
        size = 16 if self.small else 20
        font.setPointSizeF(size)
        font.setBold(True)
        while fit_width is not None and size > 10 and QFontMetrics(font).horizontalAdvance(self._value) > fit_width:
            size -= 1
            font.setPointSizeF(size)
        return font

    def _detail_height(self, text_width: int) -> int:
        if not self._lines:
            return 0
        rect = QFontMetrics(self.font()).boundingRect(
            QRect(0, 0, max(text_width, 1), UNBOUNDED), ALIGN_LEFT | ALIGN_TOP | TEXT_WORD_WRAP, self.detail_text())
        return rect.height()

    def _heights(self, width: int) -> tuple[int, int, int]:
        """Title, value and detail heights at `width` — measured once for layout and painting."""
        def compute() -> tuple[int, int, int]:
            fm = QFontMetrics(self.font())
            return fm.height(), QFontMetrics(self._value_font()).height(), self._detail_height(width - 2 * MARGIN_X)
        return self._remembered(("heights", width), compute)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 — Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 — Qt override
        def compute() -> int:
            title_h, value_h, detail_h = self._heights(width)
            return 2 * MARGIN_Y + title_h + SPACING + value_h + (SPACING + detail_h if detail_h else 0) + SPACING
        return self._remembered(width, compute)

    def _natural_width(self) -> int:
        def compute() -> int:
            fm = QFontMetrics(self.font())
            widths = [fm.horizontalAdvance(self.title), QFontMetrics(self._value_font()).horizontalAdvance(self._value)]
            widths += [fm.horizontalAdvance(line) for line in self._lines]
            return min(max(widths) + 2 * MARGIN_X, 420)
        return self._remembered("natural", compute)

    def sizeHint(self) -> QSize:  # noqa: N802 — Qt override
        width = self._natural_width()
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 — Qt override
        width = min(self._natural_width(), 140)
        return QSize(width, self.heightForWidth(width))

    # -- painting -----------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 — Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill_box(p, QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), self._ink, FILL, EDGE, RADIUS)
        width = self.width() - 2 * MARGIN_X
        title_h, value_h, _ = self._heights(self.width())
        y = MARGIN_Y
        p.drawText(QRect(MARGIN_X, y, width, title_h), ALIGN_LEFT | ALIGN_VCENTER | TEXT_SINGLE_LINE, self.title)
        y += title_h + SPACING
        value_font = self._value_font(width)
        fill_text(p, MARGIN_X, y + QFontMetrics(value_font).ascent(), value_font, self._value, self._ink, VALUE)
        y += value_h + SPACING
        if self._lines:
            p.drawText(QRect(MARGIN_X, y, width, self.height() - y - MARGIN_Y),
                       ALIGN_LEFT | ALIGN_TOP | TEXT_WORD_WRAP, self.detail_text())
        p.end()
