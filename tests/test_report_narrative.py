"""季度工作进展报告: sentences from the engine, the clerk's text, GB/T 9704 page, charts, annexes."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

import test_report_data as hand
from desktop.core.errors import ValidationError
from desktop.core.periods import Period
from desktop.reporting.narrative import load_texts, save_texts
from desktop.reporting.registry import build_report, write_report
from desktop.storage.db import Store


@pytest.fixture
def store(county_store: Store) -> Store:
    hand.fill(county_store)
    return county_store


def _paragraphs(report) -> str:
    return "\n".join(p for s in report.sections for p in s.paragraphs)


def test_figure_sentences_come_from_the_engine(store: Store) -> None:
    r = build_report(store, "8", "2025-08")  # a month means its quarter
    assert r.period == Period.parse("2025Q3") and r.narrative and r.formats == ("pdf",)
    text = _paragraphs(r)
    assert "1—9月，全县跨境电商交易额950.00万元，同比增长90.0%，完成年度目标19.0%。" in text
    assert "出口额900.00万元，同比增长125.0%；进口额50.00万元，同比下降50.0%。" in text
    assert "截至2025年9月末，全县共有在营跨境电商企业3家，其中知名企业1家、本年引进企业1家" in text
    assert "合计15人" in text and "2021年以来累计25人" in text
    assert [s.heading for s in r.sections] == ["一、总体情况", "二、主要指标完成情况", "三、重点工作进展"]
    assert [a.code for a in r.attachments] == ["T1", "T5"]


def test_charts_series(store: Store) -> None:
    r = build_report(store, "8", "2025Q3")
    trend, modes = r.charts
    assert trend.categories == [f"{m}月" for m in range(1, 10)]
    this_year = dict(zip(trend.categories, trend.series[0][1]))
    assert this_year["1月"] == Decimal(100) and this_year["8月"] == Decimal(300) and this_year["9月"] == Decimal(200)
    assert dict(zip(trend.categories, trend.series[1][1]))["8月"] == Decimal(400)
    assert dict(zip(modes.categories, modes.series[0][1]))["9710"] == Decimal(550)


def test_without_a_plan_it_compares_with_last_year(store: Store) -> None:
    text = _paragraphs(build_report(store, "8", "2026Q1"))
    assert text.startswith("本年度无规划目标，与上年同期比较。1—3月，全县跨境电商交易额0.00万元")
    assert "完成年度目标" not in text


def test_clerk_text_is_stored_and_printed(store: Store, tmp_path: Path) -> None:
    save_texts(store, hand.UNIT, Period.parse("2025Q3"),
               {"problems": "物流成本偏高。\n专业人才不足。", "plans": "举办跨境电商选品会。"}, operator="张三")
    assert load_texts(store, hand.UNIT, Period.parse("2025-09"))["plans"] == "举办跨境电商选品会。"
    assert store.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'setting'") == 1
    r = build_report(store, "8", "2025Q3")
    assert [s.heading for s in r.sections][-2:] == ["四、存在的问题", "五、下一步工作打算"]
    assert r.sections[3].paragraphs == ["物流成本偏高。", "专业人才不足。"]
    pdf = write_report(store, r, tmp_path)[0]
    assert pdf.name == "西峡县_季度工作进展报告_2025Q3.pdf"
    reader = PdfReader(pdf)
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    assert "西峡县2025年第三季度跨境电商综试区建设工作进展情况报告" in text.replace(" ", "")
    for needle in ("物流成本偏高。", "举办跨境电商选品会。",
                   "附件1", "跨境电商主要指标完成情况表", "南跨电统5表", "图1", "— 1 —", "— 2 —", "950.00"):
        assert needle in text, needle
    first = reader.pages[0].mediabox
    assert (round(float(first.width)), round(float(first.height))) == (595, 842)  # A4 portrait
    from test_report_tables import assert_fonts_embedded

    assert_fonts_embedded(pdf)


def test_unknown_section_is_refused_and_nothing_stored(store: Store) -> None:
    with pytest.raises(ValidationError, match="没有"):
        save_texts(store, hand.UNIT, Period.parse("2025Q3"), {"summary": "x"}, operator="张三")
    assert load_texts(store, hand.UNIT, Period.parse("2025Q3")) == {}


def test_narrative_refuses_excel(store: Store, tmp_path: Path) -> None:
    r = build_report(store, "8", "2025Q3")
    with pytest.raises(ValidationError, match="只能生成PDF"):
        write_report(store, r, tmp_path / "out", "xlsx")
    assert not (tmp_path / "out").exists()
