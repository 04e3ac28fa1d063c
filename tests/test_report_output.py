"""Fonts, atomic output files, the CLI, header merging, and every report on demo data."""
from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.errors import OutputFileError
from desktop.reporting import fonts as fontmod
from desktop.reporting.files import atomic_write, safe_name
from desktop.reporting.model import Column, Table, header_grid
from desktop.reporting.registry import REPORTS, build_report, find_report, list_reports, write_report
from desktop.storage.db import Store


def test_font_setting_that_is_not_a_font_is_refused(county_store: Store, tmp_path: Path) -> None:
    bogus = tmp_path / "不是字体.ttf"
    bogus.write_bytes(b"not a font")
    with pytest.raises(fontmod.ReportFontError, match="不是可嵌入的 TrueType 中文字体"):
        fontmod.find_fonts(str(bogus))
    with county_store.atomic():
        county_store.set_setting(fontmod.SETTING_KEY, str(tmp_path / "missing.ttc"))
    with pytest.raises(fontmod.ReportFontError, match="missing.ttc"):
        write_report(county_store, build_report(county_store, "1", "2025Q3"), tmp_path / "out", "pdf")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_no_cjk_font_names_what_was_looked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fontmod, "_index", lambda: {})
    with pytest.raises(fontmod.ReportFontError) as err:
        fontmod.find_fonts()
    assert "未找到可用于PDF的中文字体" in err.value.message
    for name in ("SimSun", "SimHei", "FangSong", "Microsoft YaHei", "WenQuanYi", "AR PL", "Droid"):
        assert name in err.value.detail


def test_font_setting_overrides_discovery() -> None:
    found = fontmod.find_fonts()
    path = next(p for p, n in fontmod._REGISTERED.items() if n == found.song)
    assert fontmod.find_fonts(path).hei == found.song


def test_locked_target_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "西峡县_表1.xlsx"
    target.write_bytes(b"old")

    def locked(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutputFileError, match="正被其他程序"):
        atomic_write(target, lambda fh: fh.write(b"new"))
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temp file left behind


def test_safe_file_names() -> None:
    assert safe_name("西峡县_表1_跨境电商主要指标_2025Q3") == "西峡县_表1_跨境电商主要指标_2025Q3"
    assert safe_name('a/b:c*d?"e<f>g|h i') == "abcdefghi"


def test_header_grid_merges() -> None:
    t = Table([Column(("单位",)), Column(("交易额", "本年")), Column(("交易额", "同比")), Column(("人才",))], [])
    grid, spans = header_grid(t)
    assert grid == [["单位", "交易额", "", "人才"], ["", "本年", "同比", ""]]
    assert sorted(spans) == [(0, 0, 1, 0), (0, 1, 0, 2), (0, 3, 1, 3)]


def test_report_names() -> None:
    assert find_report("表1").code == find_report("T1").code == find_report("indicators").code == "T1"
    assert find_report("11").slug == "submissions"
    assert [s.number for s in list_reports("county")] == list(range(1, 9))
    assert [s.number for s in list_reports("municipal")] == list(range(1, 12))


def test_cli_list_and_report(county_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(county_dir), "report", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["number"] for r in listed] == list(range(1, 9)) and listed[7]["formats"] == ["pdf"]
    out = tmp_path / "报表 输出"
    assert main(["--data-dir", str(county_dir), "report", "1", "--period", "2025Q3", "-o", str(out), "--json"]) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert [Path(f).name for f in files] == ["西峡县_表1_跨境电商主要指标_2025Q3.pdf", "西峡县_表1_跨境电商主要指标_2025Q3.xlsx"]
    assert all(Path(f).stat().st_size > 1000 for f in files)
    assert main(["--data-dir", str(county_dir), "report", "progress", "--period", "2025Q3", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip().endswith("西峡县_季度工作进展报告_2025Q3.pdf")
    assert main(["--data-dir", str(county_dir), "report", "9", "--period", "2025Q3", "-o", str(out)]) == 1
    assert "市级汇总表" in capsys.readouterr().err
    assert main(["--data-dir", str(county_dir), "report", "1", "--period", "2025Q5", "-o", str(out)]) == 1
    assert "期别" in capsys.readouterr().err


def _render_all(store: Store, out: Path, unit: str | None, names: list[str]) -> list[Path]:
    written = []
    for name in names:
        report = build_report(store, name, "2025Q3", unit)
        written += write_report(store, report, out)
    return written


def test_every_report_for_every_role_on_demo_data(data_dir: Path, tmp_path: Path) -> None:
    from desktop.storage.demo import generate_demo
    from desktop.storage.setup import init_data_dir

    county_dir, city_dir = tmp_path / "county", tmp_path / "city"
    init_data_dir(county_dir, role="county", unit_code="411324", operator="王五")
    with Store.open(county_dir) as store:
        generate_demo(store, scale="county", seed=7, today=date(2025, 11, 20))
        files = _render_all(store, tmp_path / "c", None, [s.code for s in list_reports("county")])
    assert len(files) == 15  # 7 tables × (PDF + XLSX) + the narrative PDF
    init_data_dir(city_dir, role="municipal", operator="李四")
    with Store.open(city_dir) as store:
        generate_demo(store, scale="city", seed=7, today=date(2025, 11, 20))
        # The city-wide roster (~20,000 rows) is the benchmark's job; one unit's covers the table.
        names = ["T1", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11"]
        files = _render_all(store, tmp_path / "m", None, names)
        files += _render_all(store, tmp_path / "m", "411302", ["T2", "T8"])
        t9 = build_report(store, "9", "2025Q3")
    assert len(files) == 2 * 9 + 1 + 2 + 1
    assert all(f.stat().st_size > 1000 for f in files)
    assert t9.tables[0].rows[-1].values[1] > 0 and sum(r.values[1] for r in t9.tables[0].rows[:-1]) == \
        t9.tables[0].rows[-1].values[1]
    assert {s.code for s in REPORTS} == {f"T{i}" for i in range(1, 12)}


def _long_report():
    from desktop.core.periods import Period
    from desktop.reporting.model import HeaderBlock, Report, Row

    cols = [Column(("序号",), "int"), Column(("企业名称",), width=10, wrap=True), Column(("上年交易额",), "money")]
    rows = [Row([i, f"南阳市第{i}号" + "跨境电子商务有限责任公司" * 8, i * 10_000])
            for i in range(1, 121)]
    rows.append(Row([None, "共120家", sum(r.values[2] for r in rows)], style="total"))
    return Report("T2", 2, "跨境电商企业名录", "跨境电商企业名录", "411323", "西峡县", Period.parse("2025Q3"),
                  HeaderBlock("南跨电统2表", "南阳市跨境电商综试区建设工作领导小组办公室"), "万元",
                  [Table(cols, rows)], ["合计为数值，不是公式。"])


def test_long_tables_repeat_headers_wrap_names_and_number_pages(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from desktop.reporting.pdf import render_pdf

    pdf = render_pdf(_long_report(), tmp_path / "名录.pdf", fontmod.find_fonts())
    pages = [p.extract_text() for p in PdfReader(pdf).pages]
    assert len(pages) >= 3
    for n, text in enumerate(pages, start=1):
        assert "企业名称" in text and "上年交易额" in text, n   # the header on every page
        assert f"— {n} —" in text
    first = pages[0]
    name = "南阳市第1号" + "跨境电子商务有限责任公司" * 8  # 100 characters: wider than the page
    assert name not in first and name in first.replace("\n", "")  # wrapped onto several lines
    assert "7260.00" in pages[-1]  # 10,000 元 × (1 + … + 120) = 72,600,000 元


def test_xlsx_totals_are_values_and_sheets_per_table(county_store: Store, tmp_path: Path) -> None:
    import openpyxl

    from desktop.reporting.xlsx import render_xlsx

    wb = openpyxl.load_workbook(render_xlsx(_long_report(), tmp_path / "名录.xlsx"))
    cells = [c for row in wb.active.iter_rows(values_only=True) for c in row if c is not None]
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    assert pytest.approx(7260.0) in cells
    t6 = write_report(county_store, build_report(county_store, "6", "2025Q3"), tmp_path, "xlsx")[0]
    assert openpyxl.load_workbook(t6).sheetnames == ["海外仓", "直播基地"]


def test_cli_font_override(county_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = fontmod.find_fonts()
    path = fontmod.font_files(found)["song"]
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"x")
    assert main(["--data-dir", str(county_dir), "report", "font", "--set", str(bogus)]) == 1
    assert "不是可嵌入的 TrueType 中文字体" in capsys.readouterr().err
    assert main(["--data-dir", str(county_dir), "report", "font", "--set", path, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["override"] == path
    with Store.open(county_dir) as store:
        assert store.get_setting(fontmod.SETTING_KEY) == str(Path(path).resolve())
        assert store.scalar("SELECT count(*) FROM audit_log WHERE row_key = 'report_font'") == 1
    assert main(["--data-dir", str(county_dir), "report", "font", "--clear", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["override"] is None
