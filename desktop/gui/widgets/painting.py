"""Painting helpers for the widgets in the first picture (figure cards, the milestone table).

They avoid PySide6 calls whose overloads take an enum of the Qt namespace — QPainter.setPen,
setBrush, fillRect, QBrush(QColor) …: resolving any of them makes PySide6 build all ~95 enums of
that namespace, ~15 ms at start-up (tests/benchmarks/bench_startup.py); QStyle.drawItemText would
build QStyle's, ~6 ms. What remains is enough: a painter begun on a widget writes in the widget's
text colour (set once with `use_text_colour`), and everything in another colour — boxes, bands,
large figures — is a path filled with a brush taken from a palette ("ink"), or stroked with a
recoloured copy of the painter's pen. Alignment and wrap flags are the integers Qt's API accepts.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette
from PySide6.QtWidgets import QWidget

# Qt::AlignmentFlag / Qt::TextFlag values (stable parts of Qt's ABI)
ALIGN_LEFT, ALIGN_RIGHT, ALIGN_HCENTER, ALIGN_TOP, ALIGN_VCENTER = 0x0001, 0x0002, 0x0004, 0x0020, 0x0080
TEXT_SINGLE_LINE, TEXT_WORD_WRAP = 0x0100, 0x1000

Role = QPalette.ColorRole


def ink(colours: dict[QPalette.ColorRole, str]) -> QPalette:
    """A palette carrying the given colours in the given roles (only used for painting)."""
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    return palette


def use_text_colour(widget: QWidget, colour: str) -> None:
    """Painters begun on `widget` write text in `colour` (its palette's foreground)."""
    palette = widget.palette()
    palette.setColor(Role.WindowText, QColor(colour))
    widget.setPalette(palette)


def fill_box(p: QPainter, rect: QRectF, palette: QPalette, fill: QPalette.ColorRole,
             border: QPalette.ColorRole | None = None, radius: float = 0.0) -> None:
    path = QPainterPath()
    if radius:
        path.addRoundedRect(rect, radius, radius)
    else:
        path.addRect(rect)
    p.fillPath(path, palette.brush(fill))
    if border is not None:
        pen = p.pen()
        pen.setColor(palette.color(border))
        p.strokePath(path, pen)


def fill_text(p: QPainter, x: float, baseline: float, font: QFont, text: str, palette: QPalette,
              role: QPalette.ColorRole) -> None:
    """Text as a filled outline: for large figures (16 pt and up), where outlines look the
    same as hinted glyphs."""
    path = QPainterPath()
    path.addText(QPointF(x, baseline), font, text)
    p.fillPath(path, palette.brush(role))
