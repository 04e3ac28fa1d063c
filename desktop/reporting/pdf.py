"""PDF renderer for statistics tables (reportlab): A4, 表号 block, repeated headers, — 1 — pages."""
from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, Table as RLTable, TableStyle
from reportlab.platypus.flowables import Flowable

from desktop.reporting.charts import chart_flowable
from desktop.reporting.files import atomic_write
from desktop.reporting.fonts import FontSet
from desktop.reporting.model import Report, Row, Table, display, header_grid, text_width

BODY_PT = 9.0
MARGIN = 15 * mm
_MAX_COL_CHARS = 40.0


def render_pdf(report: Report, target: Path, fonts: FontSet) -> Path:
    if report.narrative:
        from desktop.reporting.narrative_pdf import write_narrative

        return atomic_write(target, lambda fh: write_narrative(report, fh, fonts))
    return atomic_write(target, lambda fh: write_table_report(report, fh, fonts))


def pdf_bytes(report: Report, fonts: FontSet) -> bytes:
    buf = io.BytesIO()
    if report.narrative:
        from desktop.reporting.narrative_pdf import write_narrative

        write_narrative(report, buf, fonts)
    else:
        write_table_report(report, buf, fonts)
    return buf.getvalue()


def page_size(report: Report) -> tuple[float, float]:
    if report.landscape:
        return landscape(A4)
    natural = max((sum(_natural_widths(t)) for t in report.tables), default=0.0)
    return landscape(A4) if natural > A4[0] - 2 * MARGIN else A4


def write_table_report(report: Report, fh: IO[bytes], fonts: FontSet) -> None:
    size = page_size(report)
    doc = SimpleDocTemplate(
        fh, pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm,
        title=report.title, author=report.unit_name, subject=report.period.label, creator="南阳跨境电商统计填报系统",
        initialFontName=fonts.song, initialFontSize=10, initialLeading=12,  # no unembedded Helvetica
    )
    width = size[0] - 2 * MARGIN
    story = report_flowables(report, fonts, width)
    footer = _page_number_painter(fonts.song)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


def report_flowables(report: Report, fonts: FontSet, width: float) -> list[Flowable]:
    """Title block, tables, signatures, notes and charts of one table report."""
    st = _styles(fonts)
    story: list[Flowable] = []
    if report.header:
        story.append(_header_block(report, st, width))
    story.append(Paragraph(_esc(report.title), st["title"]))
    story.append(Paragraph(_esc(report.subtitle), st["subtitle"]))
    story.append(_unit_line(report, st, width))
    for table in report.tables:
        if table.caption:
            story.append(Paragraph(_esc(table.caption), st["caption"]))
        story.append(table_flowable(table, fonts, width))
    story.append(Spacer(1, 3 * mm))
    story.append(_signature_line(report, st, width))
    for i, note in enumerate(report.notes):
        prefix = "说明：" if i == 0 else "　　　"
        story.append(Paragraph(_esc(prefix + note), st["note"]))
    for chart in report.charts:
        story.append(Spacer(1, 4 * mm))
        story.append(chart_flowable(chart, fonts, width, 60 * mm))
    return story


# -- the table ---------------------------------------------------------------------------------
def _natural_widths(table: Table) -> list[float]:
    """Width (points) each column wants: its header and a sample of its values."""
    sample = table.rows[:300] + [r for r in table.rows[300:] if r.style == "total"]
    widths = []
    for j, col in enumerate(table.columns):
        head = max(text_width(col.path[-1]) * 0.6, 4.0)  # headers wrap
        if col.width is not None:
            w = col.width
        else:
            vals = [text_width(display(col, r, r.values[j])) + 2 * r.level for r in sample]
            w = max([head] + vals)
        widths.append(min(w, _MAX_COL_CHARS) * BODY_PT * 0.5 + 6)
    return widths


def column_widths(table: Table, width: float) -> list[float]:
    natural = _natural_widths(table)
    total = sum(natural)
    if total <= width:
        # Spread the spare width over text columns (they read better wider).
        # Half of the spare width goes to text columns (they read better wider), half to all.
        spare = width - total
        text_cols = [j for j, c in enumerate(table.columns) if not c.numeric] or list(range(len(natural)))
        return [w + spare / 2 * w / total + (spare / 2 / len(text_cols) if j in text_cols else 0)
                for j, w in enumerate(natural)]
    return [w * width / total for w in natural]


def table_flowable(table: Table, fonts: FontSet, width: float) -> Flowable:
    widths = column_widths(table, width)
    depth = table.header_depth
    grid, spans = header_grid(table)
    head_style = ParagraphStyle("th", fontName=fonts.hei, fontSize=BODY_PT, leading=BODY_PT * 1.25,
                                alignment=TA_CENTER, wordWrap="CJK")
    cell_style = ParagraphStyle("td", fontName=fonts.song, fontSize=BODY_PT, leading=BODY_PT * 1.25,
                                alignment=TA_LEFT, wordWrap="CJK")
    data: list[list[Any]] = [[Paragraph(_esc(t), head_style) if t else "" for t in row] for row in grid]
    capacity = [max(1.0, (w - 6) / (BODY_PT * 0.5)) for w in widths]
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.song),
        ("FONTSIZE", (0, 0), (-1, -1), BODY_PT),
        ("LEADING", (0, 0), (-1, -1), BODY_PT * 1.25),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BOX", (0, 0), (-1, -1), 1.0, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in spans]
    for j, col in enumerate(table.columns):
        if col.numeric:
            commands.append(("ALIGN", (j, depth), (j, -1), "RIGHT"))
    for i, row in enumerate(table.rows, start=depth):
        data.append(_body_row(table, row, capacity, cell_style))
        if row.style != "normal":
            commands.append(("FONTNAME", (0, i), (-1, i), fonts.hei))
    if not table.rows:
        data.append(["（无数据）"] + [""] * (len(table.columns) - 1))
        commands.append(("SPAN", (0, depth), (-1, depth)))
    cls = LongTable if len(table.rows) > 200 else RLTable
    t = cls(data, colWidths=widths, repeatRows=depth, hAlign="CENTER")
    t.setStyle(TableStyle(commands))
    return t


def _body_row(table: Table, row: Row, capacity: list[float], style: ParagraphStyle) -> list[Any]:
    out: list[Any] = []
    for j, col in enumerate(table.columns):
        text = display(col, row, row.values[j])
        if j == 0 and row.level:
            text = "\u3000" * row.level + text
        if not col.numeric and text_width(text) > capacity[j]:
            out.append(Paragraph(_esc(text), style))  # CJK word wrap only where needed (speed)
        else:
            out.append(text)
    return out


# -- title block -------------------------------------------------------------------------------
def _styles(fonts: FontSet) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=fonts.hei, fontSize=16, leading=22, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("sub", fontName=fonts.song, fontSize=10.5, leading=15, alignment=TA_CENTER),
        "small": ParagraphStyle("small", fontName=fonts.song, fontSize=8.5, leading=11, alignment=TA_LEFT),
        "left": ParagraphStyle("left", fontName=fonts.song, fontSize=10, leading=14, alignment=TA_LEFT),
        "right": ParagraphStyle("right", fontName=fonts.song, fontSize=10, leading=14, alignment=TA_RIGHT),
        "caption": ParagraphStyle("cap", fontName=fonts.hei, fontSize=10.5, leading=16, spaceBefore=4,
                                  spaceAfter=2),
        "note": ParagraphStyle("note", fontName=fonts.song, fontSize=9, leading=13, wordWrap="CJK"),
    }


def _header_block(report: Report, st: dict[str, ParagraphStyle], width: float) -> Flowable:
    assert report.header is not None
    lines = [[Paragraph(_esc(line), st["small"])] for line in report.header.lines()]
    block = RLTable(lines, colWidths=[100 * mm], hAlign="RIGHT")
    block.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                               ("FONTNAME", (0, 0), (-1, -1), st["small"].fontName)]))
    return block


def _unit_line(report: Report, st: dict[str, ParagraphStyle], width: float) -> Flowable:
    row = [[Paragraph(_esc(f"填报单位（盖章）：{report.unit_name}"), st["left"]),
            Paragraph(_esc(f"计量单位：{report.measure_unit}"), st["right"])]]
    t = RLTable(row, colWidths=[width * 0.6, width * 0.4])
    t.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                           ("FONTNAME", (0, 0), (-1, -1), st["left"].fontName)]))
    return t


def _signature_line(report: Report, st: dict[str, ParagraphStyle], width: float) -> Flowable:
    cells = []
    for label in report.signatures:
        text = f"{label}：    年  月  日" if label == "报出日期" else f"{label}："
        cells.append(Paragraph(_esc(text), st["left"]))
    t = RLTable([cells], colWidths=[width / len(cells)] * len(cells))
    t.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("FONTNAME", (0, 0), (-1, -1), st["left"].fontName)]))
    return t


def _page_number_painter(font: str):
    def paint(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 10.5)
        canvas.drawCentredString(doc.pagesize[0] / 2, MARGIN / 2 + 2 * mm, f"— {doc.page} —")
        canvas.restoreState()

    return paint


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
