"""Reports on the hand-computed data set: model numbers, XLSX read back, PDF text and fonts."""
from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

import test_report_data as hand
from desktop.reporting.model import display, excel_value
from desktop.reporting.registry import build_report, write_report
from desktop.storage.db import Store


@pytest.fixture
def store(county_store: Store) -> Store:
    hand.fill(county_store)
    return county_store


def _row(report, label: str):
    return next(r for r in report.tables[0].rows if r.values[0] == label)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_table1_model_numbers(store: Store) -> None:
    r = build_report(store, "1", "2025Q3")
    assert r.title == "跨境电商主要指标完成情况表" and r.unit_name == "西峡县"
    vol = _row(r, "一、跨境电商交易额")
    assert vol.values[2:] == [hand.Q3_VOLUME, hand.YTD_VOLUME, hand.LY_VOLUME, Decimal("90.0"),
                              hand.VOLUME_TARGET, Decimal("19.0")]
    assert _row(r, "（一）出口额").values[2:6] == [hand.Q3_EXPORT, hand.YTD_EXPORT, hand.LY_EXPORT, Decimal("125.0")]
    assert _row(r, "（二）进口额").values[2:6] == [hand.Q3_IMPORT, hand.YTD_IMPORT, hand.LY_IMPORT, Decimal("-50.0")]
    assert _row(r, "其中：B2B出口（9710+9810）").values[2] == hand.Q3_B2B
    assert _row(r, "B2C出口（9610+1210）").values[2] == hand.Q3_B2C
    assert _row(r, "跨境电商企业").values[2] == 3          # deleted and 注销 are not counted
    assert _row(r, "其中：知名企业").values[2] == 1
    assert _row(r, "跨境电商产业园区").values[2] == 1      # the deleted park is not counted
    assert _row(r, "三、跨境电商人才（培养+引进）").values[2:4] == [15, 15]
    assert display(r.tables[0].columns[2], vol, vol.values[2]) == "850.00"
    assert r.header.table_no == "南跨电统1表" and r.header.approval_no == ""  # never invented
    assert r.file_stem() == "西峡县_表1_跨境电商主要指标_2025Q3"


def test_table1_xlsx_reads_back_as_the_model(store: Store, tmp_path: Path) -> None:
    r = build_report(store, "1", "2025Q3")
    paths = write_report(store, r, tmp_path, "xlsx")
    assert [p.name for p in paths] == ["西峡县_表1_跨境电商主要指标_2025Q3.xlsx"]
    ws = openpyxl.load_workbook(paths[0]).active
    table = r.tables[0]
    first = 4 + 3 + table.header_depth + 1  # 表号 block (4), title, subtitle, unit line, headers
    assert ws.cell(1, 5).value.endswith("南跨电统1表") and ws.cell(5, 1).value == r.title
    assert ws.cell(first - 2, 4).value == "累计" and ws.cell(first - 1, 4).value == "本年累计"
    assert "D8:E8" in {str(m) for m in ws.merged_cells.ranges}
    for i, row in enumerate(table.rows):
        got = [ws.cell(first + i, j + 1).value for j in range(len(table.columns))]
        want = [excel_value(c, row, v) for c, v in zip(table.columns, row.values)]
        assert got == pytest.approx(want), row.values[0]
    vol = ws.cell(first, 3)
    assert vol.value == pytest.approx(850.00) and vol.number_format == "0.00"
    assert ws.cell(first, 6).number_format == '0.0"%"' and ws.cell(first, 6).value == pytest.approx(90.0)
    assert ws.freeze_panes == f"B{first}" and ws.print_title_rows == f"$8:${first - 1}"
    assert ws.page_setup.paperSize == 9 and ws.page_setup.fitToWidth == 1
    assert "&P" in ws.oddFooter.center.text


def test_table1_pdf_text_and_embedded_fonts(store: Store, tmp_path: Path) -> None:
    r = build_report(store, "1", "2025Q3")
    pdf = write_report(store, r, tmp_path, "pdf")[0]
    text = pdf_text(pdf)
    for needle in ("跨境电商主要指标完成情况表", "南跨电统1表", "制定机关", "批准文号", "有效期至", "填报单位",
                   "850.00", "950.00", "500.00", "90.0", "5000.00", "19.0", "— 1 —", "单位负责人"):
        assert needle in text, needle
    assert_fonts_embedded(pdf)


def assert_fonts_embedded(pdf: Path) -> None:
    if shutil.which("pdffonts") is None:
        pytest.fail("pdffonts (poppler-utils) is required for this test")
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    for line in rows:
        assert line.split()[-5] == "yes", line  # the 'emb' column


def test_table2_roster_marks_and_volume(store: Store, tmp_path: Path) -> None:
    r = build_report(store, "2", "2025Q3")
    rows = r.tables[0].rows
    names = [row.values[1] for row in rows[:-1]]
    assert sorted(names) == sorted(["西峡县香菇进出口有限公司", "南阳引进电商科技有限公司", "西峡猕猴桃电子商务有限公司"])
    known = next(row for row in rows if row.values[1] == "西峡县香菇进出口有限公司")
    assert known.values[5] == "9710、9810" and known.values[7] == "是" and known.values[9] == hand.ENTERPRISE_VOLUME_2024
    brought = next(row for row in rows if row.values[1] == "南阳引进电商科技有限公司")
    assert brought.values[8] == 2025
    assert rows[-1].style == "total" and rows[-1].values[1] == "共3家" and rows[-1].values[9] == hand.ENTERPRISE_VOLUME_2024
    paths = write_report(store, r, tmp_path)
    assert "1234.57" in pdf_text(paths[0])
    ws = openpyxl.load_workbook(paths[1]).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row]
    assert pytest.approx(1234.5678) in values


def test_table5_talent_by_category(store: Store) -> None:
    r = build_report(store, "5", "2025Q3")
    rows = {row.values[0]: row.values for row in r.tables[0].rows}
    assert rows["运营推广"][1:6] == [12, 0, 12, 0, 12]
    assert rows["技术研发"][1:6] == [0, 3, 0, 3, 3]
    assert rows["合计"][1:7] == [12, 3, 12, 3, 15, 25]  # 25 = 15 this year + 10 in 2023
    assert r.tables[0].columns[6].path == ("累计", "2021年以来")


def test_empty_period_gives_zeros_and_a_note(county_store: Store, tmp_path: Path) -> None:
    r = build_report(county_store, "1", "2025Q3")
    vol = _row(r, "一、跨境电商交易额")
    assert vol.values[2:5] == [0, 0, 0]
    assert any("本期尚无填报数据" in n for n in r.notes)
    paths = write_report(county_store, r, tmp_path)
    assert "本期尚无填报数据" in pdf_text(paths[0]).replace("\n", "")
    ws = openpyxl.load_workbook(paths[1]).active
    assert ws.cell(4 + 3 + 2 + 1, 3).value == 0
    roster = build_report(county_store, "2", "2025Q3")
    assert roster.tables[0].rows == [] and "本期无记录。" in roster.notes
    assert "（无数据）" in pdf_text(write_report(county_store, roster, tmp_path, "pdf")[0])


def test_no_plan_year_compares_with_last_year(store: Store) -> None:
    r = build_report(store, "1", "2026-03")
    assert "本年度无规划目标，与上年同期比较。" in r.notes
    assert _row(r, "一、跨境电商交易额").values[6] is None


def test_ledger_tables_exclude_deleted_rows(store: Store) -> None:
    parks = build_report(store, "3", "2025Q3").tables[0].rows
    assert [p.values[1] for p in parks[:-1]] == ["西峡县香菇跨境电商产业园"]
    assert parks[-1].values[4:7] == [50_000, 40, 25]
