"""Roster template and ledger export: what the clerk gets, round trip, atomic save."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from desktop.cli import main as cli_main
from desktop.core.credit import make_valid
from desktop.core.errors import OutputFileError
from desktop.core.ledgers import KINDS
from desktop.exchange import roster as R
from desktop.exchange import xlsx_util
from desktop.exchange.roster_write import export_ledger, write_template
from desktop.storage import ledgers as L

OP = "张三"


def code(n: int) -> str:
    return make_valid(f"91411323MA4{n:06d}")


@pytest.fixture
def filled(county_store):
    pid = L.create(county_store, "parks", {"name": "西峡跨境电商产业园", "level": "省级", "tenants": 40,
                                           "cbec_tenants": 12, "demonstration": "是"}, operator=OP)
    L.create(county_store, "enterprises", {
        "name": "西峡香菇有限公司", "credit_code": code(1), "park_id": pid, "belt_code": "MUSHROOM",
        "modes": "9610,9710", "known": 1, "known_year": 2023, "phone": "0377-69661234",
        "volumes": {2023: 12_345_678, 2024: 20_000_000}}, operator=OP)
    L.create(county_store, "enterprises", {"name": "伏牛山菌业", "credit_code": code(2), "volumes": {2024: 1}},
             operator=OP)
    L.create(county_store, "enterprises", {"name": "老试点企业", "credit_code": "914403001922038217"},
             operator=OP, credit_override_reason="已核对营业执照，仍然保存")
    return county_store


@pytest.mark.parametrize("kind", list(KINDS))
def test_template_reads_back_as_every_field(county_store, tmp_path, kind):
    out = write_template(county_store, kind, tmp_path / f"{kind}.xlsx", years=[2024, 2025])
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    assert ws["A1"].value.startswith("填写说明") and "A1" in str(ws.merged_cells)
    assert wb["选项"].sheet_state == "hidden"
    sheet = R.read_roster(out, kind).sheets[0]
    assert sheet.header_rows == (2,) and sheet.rows == []
    expected = [f.name for f in KINDS[kind].fields]
    if kind == "enterprises":
        expected += ["volume:2024:万元", "volume:2025:万元"]
    assert list(sheet.mapping.values()) == expected
    assert all(h.startswith("*") == KINDS[kind].fields[i].required
               for i, h in enumerate(c.value for c in ws[2]) if i < len(KINDS[kind].fields))


def test_template_has_drop_down_lists(county_store, tmp_path):
    L.create(county_store, "parks", {"name": "西峡跨境电商产业园", "level": "省级"}, operator=OP)
    wb = load_workbook(write_template(county_store, "enterprises", tmp_path / "t.xlsx", years=[2024]))
    ws = wb.worksheets[0]
    options = wb["选项"]
    lists = {}
    for dv in ws.data_validations.dataValidation:
        col = str(dv.sqref).split(":")[0].rstrip("0123456789")
        header = ws[f"{col}2"].value
        if dv.type == "list":
            letter = dv.formula1.split("$")[1]
            lists[header] = [c.value for c in options[letter] if c.value is not None]
        else:
            lists[header] = dv.type
    assert lists["是否知名企业"] == ["是", "否"] and lists["经营状态"] == ["在营", "停业", "注销"]
    assert lists["经营模式"] == ["9610", "9710", "9810", "1210", "1239"]
    assert "食用菌" in lists["所属产业带"] and lists["所属园区"] == ["西峡跨境电商产业园"]
    assert lists["知名企业认定年份"] == "whole" and lists["2024年跨境电商交易额（万元）"] == "decimal"
    assert ws["B3"].number_format == "@"   # credit codes typed as text, never as numbers
    levels = load_workbook(write_template(county_store, "parks", tmp_path / "p.xlsx"))
    pv = [dv for dv in levels.worksheets[0].data_validations.dataValidation if dv.type == "list"]
    level_col = pv[0].formula1.split("$")[1]
    assert [c.value for c in levels["选项"][level_col] if c.value] == ["国家级", "省级", "市级", "县级", "其他"]


def test_export_round_trips_unchanged(filled, tmp_path):
    n = export_ledger(filled, "enterprises", tmp_path / "企业.xlsx")
    assert n == 3
    rows = list(load_workbook(tmp_path / "企业.xlsx").worksheets[0].iter_rows(values_only=True))
    assert rows[0][0].startswith("西峡县企业台账") and "共 3 条" in rows[0][0]
    assert rows[1][:3] == ("企业名称", "统一社会信用代码", "所属园区")
    assert rows[1][-2:] == ("2023年跨境电商交易额（万元）", "2024年跨境电商交易额（万元）")
    first = dict(zip(rows[1], rows[2]))
    assert first["所属园区"] == "西峡跨境电商产业园" and first["经营模式"] == "9610、9710"
    assert first["是否知名企业"] == "是" and first["2023年跨境电商交易额（万元）"] == 1234.5678
    before = "\n".join(filled.conn.iterdump())
    _, result = R.import_file(filled, tmp_path / "企业.xlsx", "enterprises", operator=OP)
    assert result.to_json() == {"added": 0, "updated": 0, "unchanged": 3, "rejected": [], "warnings": []}
    assert "\n".join(filled.conn.iterdump()) == before
    export_ledger(filled, "parks", tmp_path / "园区.xlsx")
    _, parks = R.import_file(filled, tmp_path / "园区.xlsx", "parks", operator=OP)
    assert (parks.added, parks.updated, parks.unchanged) == (0, 0, 1)


def test_export_follows_search_and_filters(filled, tmp_path):
    assert export_ledger(filled, "enterprises", tmp_path / "a.xlsx", search="xxxg") == 1
    assert export_ledger(filled, "enterprises", tmp_path / "b.xlsx", filters={"known": 1}) == 1
    rows = list(load_workbook(tmp_path / "b.xlsx").worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[2][0] == "西峡香菇有限公司"


def test_municipal_export_names_the_unit(municipal_store, tmp_path):
    L.create(municipal_store, "parks", {"name": "镇平玉雕电商园", "level": "市级", "unit_code": "411324"},
             operator=OP)
    export_ledger(municipal_store, "parks", tmp_path / "p.xlsx")
    rows = list(load_workbook(tmp_path / "p.xlsx").worksheets[0].iter_rows(values_only=True))
    assert rows[1][:2] == ("单位", "园区名称") and rows[2][:2] == ("镇平县", "镇平玉雕电商园")


def test_file_open_in_excel_keeps_the_old_file(filled, tmp_path, monkeypatch):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "企业.xlsx"
    target.write_bytes(b"old contents")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(xlsx_util.os, "replace", locked)
    with pytest.raises(OutputFileError, match="可能正在 Excel 或 WPS 中打开") as exc:
        export_ledger(filled, "enterprises", target)
    assert "原文件未作改动" in exc.value.detail
    assert target.read_bytes() == b"old contents"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["企业.xlsx"]   # no temp file left behind


def test_atomic_save_replaces_and_widths_fit_chinese(tmp_path):
    wb = Workbook()
    wb.active.append(["统一社会信用代码", "x"])
    xlsx_util.set_column_widths(wb.active, xlsx_util.fit_widths([["统一社会信用代码", "x"]]))
    out = xlsx_util.atomic_save(wb, tmp_path / "a.xlsx")
    ws = load_workbook(out).active
    assert ws.column_dimensions["A"].width == 18 and ws.column_dimensions["B"].width == 6
    with pytest.raises(OutputFileError, match="不存在"):
        xlsx_util.atomic_save(wb, tmp_path / "无此文件夹" / "a.xlsx")
    assert os.path.getsize(out) > 0


def test_unwritable_folder_is_explained(tmp_path, monkeypatch):
    def refused(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(xlsx_util.tempfile, "mkstemp", refused)
    with pytest.raises(OutputFileError, match="无法在文件夹") as exc:
        xlsx_util.atomic_save(Workbook(), tmp_path / "a.xlsx")
    assert "是否允许写入" in exc.value.detail
    assert not (tmp_path / "a.xlsx").exists()


def test_cli_template_and_export(county_dir, tmp_path, capsys):
    base = ["--data-dir", str(county_dir), "roster"]
    assert cli_main(base + ["template", "warehouses", str(tmp_path / "t.xlsx")]) == 0
    assert "导入模板已生成" in capsys.readouterr().out
    assert cli_main(base + ["export", "enterprises", str(tmp_path / "e.xlsx"), "--json"]) == 0
    assert '"rows": 0' in capsys.readouterr().out
    assert Path(tmp_path / "e.xlsx").exists()


def test_cli_export_filters(county_dir, tmp_path, capsys):
    from desktop.storage.db import Store

    with Store.open(county_dir) as store:
        pid = L.create(store, "parks", {"name": "西峡跨境电商产业园", "level": "省级"}, operator=OP)
        L.create(store, "enterprises", {"name": "甲", "credit_code": code(1), "park_id": pid, "known": 1,
                                        "known_year": 2023, "belt_code": "食用菌"}, operator=OP)
        L.create(store, "enterprises", {"name": "乙", "credit_code": code(2), "modes": "9710"}, operator=OP)
    base = ["--data-dir", str(county_dir), "roster", "export", "enterprises", str(tmp_path / "e.xlsx"), "--json"]
    for filters, rows in ((["是否知名企业=是"], 1), (["known=0"], 1), (["所属园区=西峡跨境电商产业园", "产业带=食用菌"], 1),
                          (["经营模式=9710"], 1), ([], 2)):
        argv = base + [x for f in filters for x in ("--filter", f)]
        assert cli_main(argv) == 0
        assert f'"rows": {rows}' in capsys.readouterr().out, filters
    assert cli_main(base + ["--filter", "所属园区=无此园区"]) == 1
    assert "“无此园区”不存在" in capsys.readouterr().err
    assert cli_main(base + ["--filter", "颜色=红"]) == 1
    assert "筛选条件“颜色=红”无法识别" in capsys.readouterr().err
