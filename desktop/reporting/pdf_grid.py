"""A fast statistics-table flowable: merged multi-level headers repeated on every page, CJK
wrapping, right-aligned numbers, drawn straight onto the canvas.

ReportLab's own Table re-measures every cell when it splits and draws each cell through several
layers; a 20,000-row enterprise roster then takes half a minute. Here each row is laid out once
(lines per cell, row height), a page split is an index range, and a page is one text object plus
one path of rules, so the roster renders in seconds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase import pdfmetrics
from reportlab.lib import textsplit as rl_textsplit
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.platypus.flowables import Flowable

from desktop.core.text import CANNOT_START, break_lines

from desktop.reporting.model import Table, display, header_grid

PAD_X, PAD_Y = 3.0, 2.0


def use_chinese_line_rules() -> None:
    """ReportLab's CJK paragraphs keep a mark that may not start a line hanging at the end of the
    previous one, but its list is Japanese: the full-width ，；：！？ and closing quotes are
    missing, so a line of a report could start with "，". Add ours to both modules that read the
    list (textsplit for one-style paragraphs, paragraph for mixed ones); idempotent."""
    for module in (rl_textsplit, rl_paragraph):
        missing = "".join(ch for ch in CANNOT_START if ch not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing


use_chinese_line_rules()


class _Metrics:
    """Per-character widths at size 1, cached (CJK text is mostly a few thousand characters)."""

    def __init__(self, font: str) -> None:
        self.font = pdfmetrics.getFont(font)
        self.cache: dict[str, float] = {}
        self.strings: dict[str, float] = {}  # whole strings: rosters repeat units, modes, belts

    def width(self, text: str, size: float) -> float:
        w = self.strings.get(text)
        if w is None:
            if len(self.strings) > 200_000:
                self.strings.clear()
            w = self.strings[text] = self._width(text)
        return w * size

    def _width(self, text: str) -> float:
        cache = self.cache
        total = 0.0
        for ch in text:
            w = cache.get(ch)
            if w is None:
                w = cache[ch] = self.font.stringWidth(ch, 1.0)
            total += w
        return total

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """Line breaking at any character with the Chinese rules (desktop.core.text.break_lines)."""
        return break_lines(text, width, lambda s: self.width(s, size))


@dataclass
class GridLayout:
    widths: list[float]
    size: float
    leading: float
    body_font: str
    bold_font: str
    head_boxes: list[tuple[int, int, int, int, list[str]]]  # row0, col0, row1, col1, lines
    head_heights: list[float]
    numeric: list[bool]
    cells: list[list[list[str]]]        # per row, per column: lines
    indents: list[float]
    bold: list[bool]
    heights: list[float]
    full_width_text: str | None = None  # an empty table's single merged line

    @property
    def head_height(self) -> float:
        return sum(self.head_heights)

    def span_height(self, start: int, stop: int) -> float:
        prefix = self.__dict__.get("_prefix")
        if prefix is None:
            prefix = [0.0]
            for h in self.heights:
                prefix.append(prefix[-1] + h)
            self.__dict__["_prefix"] = prefix
        return prefix[stop] - prefix[start]


def build_layout(table: Table, widths: list[float], fonts: Any, size: float) -> GridLayout:
    leading = size * 1.25
    body, bold = _metrics_for(fonts.song), _metrics_for(fonts.hei)
    grid, spans = header_grid(table)
    covered: set[tuple[int, int]] = set()
    boxes = []
    for r0, c0, r1, c1 in spans:
        boxes.append((r0, c0, r1, c1))
        covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    boxes += [(r, c, r, c) for r in range(len(grid)) for c in range(len(widths)) if (r, c) not in covered]
    head_boxes, line_need = [], [1] * len(grid)
    for r0, c0, r1, c1 in boxes:
        w = sum(widths[c0:c1 + 1]) - 2 * PAD_X
        lines = bold.wrap(grid[r0][c0], w, size)
        head_boxes.append((r0, c0, r1, c1, lines))
        if r0 == r1:
            line_need[r0] = max(line_need[r0], len(lines))
    head_heights = [n * leading + 2 * PAD_Y for n in line_need]
    for r0, _c0, r1, _c1, lines in head_boxes:  # a tall spanning label stretches its last row
        need = len(lines) * leading + 2 * PAD_Y
        have = sum(head_heights[r0:r1 + 1])
        if need > have:
            head_heights[r1] += need - have
    numeric = [c.numeric for c in table.columns]
    cells, indents, bolds, heights = [], [], [], []
    cols = list(enumerate(table.columns))
    for row in table.rows:
        indent = row.level * size
        metrics = bold if row.style != "normal" else body
        line_cells, n = [], 1
        for j, col in cols:
            text = display(col, row, row.values[j])
            avail = widths[j] - 2 * PAD_X - (indent if j == 0 else 0)
            lines = [text] if numeric[j] else metrics.wrap(text, avail, size)
            n = max(n, len(lines))
            line_cells.append(lines)
        cells.append(line_cells)
        indents.append(indent)
        bolds.append(row.style != "normal")
        heights.append(n * leading + 2 * PAD_Y)
    empty = None
    if not table.rows:
        empty = "（无数据）"
        heights.append(leading + 2 * PAD_Y)
    return GridLayout(widths, size, leading, fonts.song, fonts.hei, head_boxes, head_heights, numeric, cells,
                      indents, bolds, heights, empty)


class GridTable(Flowable):
    """Rows start..stop of a laid-out table, with the header on top."""

    def __init__(self, layout: GridLayout, start: int = 0, stop: int | None = None) -> None:
        super().__init__()
        self.layout = layout
        self.start = start
        self.stop = len(layout.heights) if stop is None else stop
        self.width = sum(layout.widths)
        self.height = layout.head_height + layout.span_height(self.start, self.stop)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (ReportLab API)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        room = availHeight - self.layout.head_height
        k, used = self.start, 0.0
        while k < self.stop and used + self.layout.heights[k] <= room:
            used += self.layout.heights[k]
            k += 1
        if k == self.start:
            return []
        return [GridTable(self.layout, self.start, k), GridTable(self.layout, k, self.stop)]

    def draw(self) -> None:
        lay, c = self.layout, self.canv
        xs = [0.0]
        for w in lay.widths:
            xs.append(xs[-1] + w)
        top = self.height
        c.saveState()
        self._draw_header(xs, top)
        self._draw_body(xs, top - lay.head_height)
        c.restoreState()

    def _draw_header(self, xs: list[float], top: float) -> None:
        lay, c = self.layout, self.canv
        ys = [top]
        for h in lay.head_heights:
            ys.append(ys[-1] - h)
        c.setFillGray(0.95)
        c.rect(0, ys[-1], xs[-1], top - ys[-1], stroke=0, fill=1)
        c.setFillGray(0)
        c.setLineWidth(0.5)
        tx = c.beginText()
        tx.setFont(lay.bold_font, lay.size)
        for r0, c0, r1, c1, lines in lay.head_boxes:
            x0, x1, y0, y1 = xs[c0], xs[c1 + 1], ys[r1 + 1], ys[r0]
            c.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=0)
            self._text_block(tx, lines, (x0 + x1) / 2, y0, y1, "center", lay.bold_font)
        c.drawText(tx)

    def _draw_body(self, xs: list[float], top: float) -> None:
        lay, c = self.layout, self.canv
        tx = c.beginText()
        font = lay.body_font
        tx.setFont(font, lay.size)
        rules: list[str] = []
        right = f"{xs[-1]:.2f}"
        y = top
        for i in range(self.start, self.stop):
            h = lay.heights[i]
            if lay.full_width_text is not None:
                self._text_block(tx, [lay.full_width_text], xs[-1] / 2, y - h, y, "center", font)
            else:
                want = lay.bold_font if lay.bold[i] else lay.body_font
                if want != font:
                    font = want
                    tx.setFont(font, lay.size)
                for j, lines in enumerate(lay.cells[i]):
                    if lines == [""]:
                        continue
                    if lay.numeric[j]:
                        self._text_block(tx, lines, xs[j + 1] - PAD_X, y - h, y, "right", font)
                    else:
                        indent = lay.indents[i] if j == 0 else 0.0
                        self._text_block(tx, lines, xs[j] + PAD_X + indent, y - h, y, "left", font)
            y -= h
            rules.append(f"0 {y:.2f} m {right} {y:.2f} l")
        c.drawText(tx)
        cols = [0.0, xs[-1]] if lay.full_width_text is not None else xs
        rules += [f"{x:.2f} {top:.2f} m {x:.2f} {y:.2f} l" for x in cols]
        c.setLineWidth(0.5)
        c._code.append(" ".join(rules) + " S")  # one stroked path of all rules, formatted here (speed)
        c.setLineWidth(1.0)
        c.rect(0, y, xs[-1], self.height - y, stroke=1, fill=0)

    def _text_block(self, tx: Any, lines: list[str], x: float, y0: float, y1: float, align: str, font: str) -> None:
        lay = self.layout
        block = len(lines) * lay.leading
        base = y1 - (y1 - y0 - block) / 2 - lay.leading + (lay.leading - lay.size) / 2 + lay.size * 0.12
        metrics = _metrics_for(font)
        for k, line in enumerate(lines):
            if not line:
                continue
            lx = x
            if align != "left":
                w = metrics.width(line, lay.size)
                lx = x - w if align == "right" else x - w / 2
            _show(tx, font, lay.size, lx, base - k * lay.leading, line)


def _show(tx: Any, font: str, size: float, x: float, y: float, text: str) -> None:
    """Place `text` at (x, y) in a text object: the content-stream operators written directly.

    Equivalent to setTextOrigin + textOut, without ReportLab's per-number float formatting and
    width bookkeeping that dominate a 20,000-row table (positions here are absolute).
    """
    canv = tx._canvas
    doc = canv._doc
    code = tx._code
    code.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm")
    for subset, name, shown in _encoded(doc, font, text):
        if subset != tx._curSubset:
            code.append(f"{name} {size:g} Tf")
            tx._curSubset = subset
        code.append(shown)


def _encoded(doc: Any, font: str, text: str) -> list[tuple[int, str, str]]:
    """(subset, subset font name, 'Tj' operator) runs of `text`, cached on the document itself:
    within one document a glyph's subset code never changes once assigned."""
    cache = doc.__dict__.get("_cbec_runs")
    if cache is None:
        cache = doc.__dict__["_cbec_runs"] = {}
    key = (font, text)
    runs = cache.get(key)
    if runs is None:
        face = pdfmetrics.getFont(font)
        runs = []
        for subset, chunk in face.splitString(text, doc):
            name = face.getSubsetInternalName(subset, doc)
            runs.append((subset, name, f"({escapePDF(chunk)}) Tj"))
        cache[key] = runs
    return runs


_METRICS: dict[str, _Metrics] = {}


def _metrics_for(font: str) -> _Metrics:
    m = _METRICS.get(font)
    if m is None:
        m = _METRICS[font] = _Metrics(font)
    return m
