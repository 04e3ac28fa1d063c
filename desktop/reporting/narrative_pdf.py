"""Narrative PDF in the GB/T 9704-2012 layout: A4, top margin 37 mm, left 28 mm, type area
156 × 225 mm (22 lines × 28 characters), 3号 仿宋 body, 2号 title, 一、 黑体 headings, 4号 page
numbers "— 1 —" (odd pages right, even pages left); attached tables and charts follow."""
from __future__ import annotations

from typing import IO, Any

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageBreak, PageTemplate, Paragraph, Spacer
from reportlab.platypus.flowables import Flowable

from desktop.reporting.charts import chart_flowable
from desktop.reporting.fonts import FontSet
from desktop.reporting.model import Report
from desktop.reporting.pdf import _esc, report_flowables

TOP, LEFT, WIDTH, HEIGHT = 37 * mm, 28 * mm, 156 * mm, 225 * mm
BODY_PT = 16.0                      # 3号
LEADING = HEIGHT / 22               # 22 lines per page
TITLE_PT = 22.0                     # 2号
PAGE_NO_PT = 14.0                   # 4号


def _styles(fonts: FontSet) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=fonts.fang, fontSize=BODY_PT, leading=LEADING, alignment=TA_JUSTIFY,
                          firstLineIndent=2 * BODY_PT, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", fontName=fonts.hei, fontSize=TITLE_PT, leading=TITLE_PT * 1.5,
                                alignment=TA_CENTER, wordWrap="CJK", spaceAfter=LEADING),
        "body": body,
        "h1": ParagraphStyle("h1", parent=body, fontName=fonts.hei),
        "sign": ParagraphStyle("sign", parent=body, alignment=TA_RIGHT, firstLineIndent=0, rightIndent=4 * BODY_PT),
        "annex": ParagraphStyle("annex", parent=body, firstLineIndent=0, alignment=TA_LEFT),
        "annex_more": ParagraphStyle("annexm", parent=body, firstLineIndent=0, leftIndent=3 * BODY_PT,
                                     alignment=TA_LEFT),
        "annex_head": ParagraphStyle("annexh", parent=body, fontName=fonts.hei, firstLineIndent=0, alignment=TA_LEFT),
    }


def _page_numbers(font: str):
    def paint(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, PAGE_NO_PT)
        text = f"— {doc.page} —"
        y = A4[1] - TOP - HEIGHT - 7 * mm - PAGE_NO_PT
        if doc.page % 2:  # odd pages right, one character in from the type area's edge
            canvas.drawRightString(LEFT + WIDTH - PAGE_NO_PT, y, text)
        else:
            canvas.drawString(LEFT + PAGE_NO_PT, y, text)
        canvas.restoreState()

    return paint


def narrative_flowables(report: Report, fonts: FontSet) -> list[Flowable]:
    st = _styles(fonts)
    story: list[Flowable] = [Paragraph(_esc(report.title), st["title"])]
    for section in report.sections:
        story.append(Paragraph(_esc(section.heading), st["h1"]))
        story += [Paragraph(_esc(p), st["body"]) for p in section.paragraphs]
    for chart in report.charts:
        story.append(KeepTogether([Spacer(1, LEADING / 2), chart_flowable(chart, fonts, WIDTH, 75 * mm)]))
    if report.attachments:
        story.append(Spacer(1, LEADING))
        names = [a.title for a in report.attachments]
        story.append(Paragraph(_esc(f"附件：1．{names[0]}"), st["annex"]))
        story += [Paragraph(_esc(f"{i}．{n}"), st["annex_more"]) for i, n in enumerate(names[1:], 2)]
    story.append(Spacer(1, LEADING))
    if report.issuer:
        story.append(Paragraph(_esc(report.issuer), st["sign"]))
    if report.dated:
        story.append(Paragraph(_esc(report.dated), st["sign"]))
    for i, att in enumerate(report.attachments, start=1):
        story.append(PageBreak())
        story.append(Paragraph(_esc(f"附件{i}"), st["annex_head"]))
        story += report_flowables(att, fonts, WIDTH)
    return story


def write_narrative(report: Report, fh: IO[bytes], fonts: FontSet) -> None:
    doc = BaseDocTemplate(
        fh, pagesize=A4, leftMargin=LEFT, rightMargin=A4[0] - LEFT - WIDTH, topMargin=TOP,
        bottomMargin=A4[1] - TOP - HEIGHT, title=report.title, author=report.unit_name,
        subject=report.period.label, creator="南阳跨境电商统计填报系统",
        initialFontName=fonts.fang, initialFontSize=BODY_PT, initialLeading=LEADING,
    )
    frame = Frame(LEFT, A4[1] - TOP - HEIGHT, WIDTH, HEIGHT, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate("gbt9704", frames=[frame], onPage=_page_numbers(fonts.song))])
    doc.build(narrative_flowables(report, fonts))
