"""Chinese line breaking in PDF tables and paragraphs: no line starts with "，" or ends with "（"."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.text import CANNOT_END, CANNOT_START, break_lines

CHARS = "跨境电商交易额同比增长南阳西峡1234567890" + CANNOT_START + CANNOT_END


def width(s: str) -> float:
    return float(len(s))


def test_a_comma_takes_the_previous_character_along():
    assert break_lines("上年同期增长了百分之十，同比增长较快。", 11, width) == ["上年同期增长了百分之", "十，同比增长较快。"]
    assert break_lines("本期交易额（万元）", 5, width) == ["本期交易额", "（万元）"]
    assert break_lines("数据见（附表）", 4, width) == ["数据见", "（附表）"]   # "（" never ends a line
    assert break_lines("一行\n两行", 10, width) == ["一行", "两行"]
    assert break_lines("", 5, width) == [""]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=CHARS, min_size=1, max_size=60), st.integers(min_value=1, max_value=12))
def test_break_lines_keeps_text_width_and_rules(text, w):
    lines = break_lines(text, w, width)
    assert "".join(lines) == text
    assert all(len(line) <= w for line in lines)
    for before, after in zip(lines, lines[1:]):
        if after[0] in CANNOT_START or before[-1] in CANNOT_END:
            assert len(before) == 1        # the rule gives way only where moving would empty a line


def _line_text(line) -> str:  # noqa: ANN001 — a ReportLab paragraph line
    words = line[1] if isinstance(line, tuple) else [w.text for w in line.words]
    return "".join(w if isinstance(w, str) else str(w) for w in words)


def test_report_paragraphs_do_not_start_a_line_with_a_comma():
    """ReportLab's own CJK wrapping (narrative report) with the Chinese marks added."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from desktop.reporting import pdf_grid
    from desktop.reporting.fonts import find_fonts

    assert "，" in pdf_grid.rl_paragraph.ALL_CANNOT_START and "，" in pdf_grid.rl_textsplit.ALL_CANNOT_START
    style = ParagraphStyle("body", fontName=find_fonts().song, fontSize=16, leading=28, wordWrap="CJK")
    text = "全市跨境电商交易额完成一百五十八亿元，同比增长百分之七点七；其中出口一百五十亿元，进口八亿元。" * 2
    commas_at_start = 0
    for chars_per_line, markup in [(n, m) for n in range(6, 30) for m in (False, True)]:
        # one style (ReportLab's textsplit) and mixed styles (its paragraph module)
        para = Paragraph(text.replace("亿元", "<b>亿元</b>") if markup else text, style)
        para.wrap(chars_per_line * 16 + 1, 10_000)
        lines = [_line_text(line) for line in para.blPara.lines]
        assert "".join(lines) == text
        commas_at_start += sum(1 for ln in lines[1:] if ln[:1] in CANNOT_START)
    assert commas_at_start == 0
