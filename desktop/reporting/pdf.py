"""PDF renderer for statistics tables (reportlab): A4, 表号 block, repeated headers, — 1 — pages."""
from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any

from reportlab import rl_config
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table as RLTable, TableStyle
from reportlab.platypus.flowables import Flowable

from desktop.reporting.charts import chart_flowable
from desktop.reporting.files import atomic_write
from desktop.reporting.fonts import FontSet
from desktop.reporting.model import Report, Table, display, text_width
from desktop.reporting.pdf_grid import GridTable, build_layout

# ASCII85 on top of Flate only makes files bigger and, in pure Python, costs a third of the
# time of a long roster; every PDF reader handles binary Flate streams.
rl_config.useA85 = 0

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
    natural = max((sum(_natural_widths(t)) for t in report.tables), default=0.0)  # estimate
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
def _natural_widths(table: Table, fonts: FontSet | None = None, *, capped: bool = True) -> list[float]:
    """Width (points) each column wants: its header leaf and a sample of its values, measured in
    the font when it is known (else estimated: CJK characters are twice as wide as Latin)."""
    from desktop.reporting.pdf_grid import PAD_X, _metrics_for

    body = _metrics_for(fonts.song) if fonts else None
    sample = table.rows[:400] + [r for r in table.rows[400:] if r.style != "normal"]
    widths = []
    for j, col in enumerate(table.columns):
        texts = [display(col, r, r.values[j]) for r in sample]
        if body is not None:
            w = max([body.width(t, BODY_PT) + r.level * BODY_PT for t, r in zip(texts, sample)] + [0.0])
        else:
            w = max([text_width(t) * BODY_PT / 2 + r.level * BODY_PT for t, r in zip(texts, sample)] + [0.0])
        floor = (3.5 if col.numeric else 3) * BODY_PT  # room for a wrapped header label
        # Wrapping columns stop at their width hint; others take what their text needs.
        cap = (col.width or _MAX_COL_CHARS) * BODY_PT / 2 if col.wrap and capped else _MAX_COL_CHARS * BODY_PT / 2
        widths.append(max(floor, min(w, cap)) + 2 * PAD_X + 1)
    return widths


def column_widths(table: Table, width: float, fonts: FontSet | None = None) -> list[float]:
    """Fit the columns to `width`: spare room is shared out; when too wide, wrapping text columns
    give way first (down to four characters), then everything shrinks in proportion."""
    natural = _natural_widths(table, fonts)
    total = sum(natural)
    if total <= width:
        # Spare room first lets capped wrapping columns grow towards one line, then is shared.
        need = _natural_widths(table, fonts, capped=False)
        grow = [max(0.0, n - w) for n, w in zip(need, natural)]
        factor = min(1.0, (width - total) / sum(grow)) if sum(grow) else 0.0
        natural = [w + g * factor for w, g in zip(natural, grow)]
        total = sum(natural)
        return [w * width / total for w in natural]
    wrap = [j for j, c in enumerate(table.columns) if c.wrap]
    floor = 4 * BODY_PT + 7
    excess = total - width
    give = sum(max(0.0, natural[j] - floor) for j in wrap)
    if give > 0:
        share = min(1.0, excess / give)
        natural = [w - share * max(0.0, w - floor) if j in wrap else w for j, w in enumerate(natural)]
        total = sum(natural)
    return [w * width / total for w in natural] if total > width else natural


def table_flowable(table: Table, fonts: FontSet, width: float) -> Flowable:
    return GridTable(build_layout(table, column_widths(table, width, fonts), fonts, BODY_PT))


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
