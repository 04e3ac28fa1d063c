"""Roster import on messy workbooks built here: exact counts, row numbers and reasons."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from desktop.cli import main as cli_main
from desktop.core.credit import make_valid
from desktop.core.errors import FileFormatError
from desktop.exchange import roster as R
from desktop.storage import ledgers as L

OP = "张三"
BAD_CHECK = "914403001922038217"


def code(n: int) -> str:
    return make_valid(f"91411323MA4{n:06d}")


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def dump(store) -> str:
    return "\n".join(store.conn.iterdump())


@pytest.fixture
def park(county_store) -> int:
    return L.create(county_store, "parks", {"name": "西峡跨境电商产业园", "level": "市级"}, operator=OP)


def messy_workbook(path: Path) -> Path:
    """Merged title rows, a two-row header with 交易额 merged over two years, blank rows in the
    middle, bad rows, a 合计 row and a signature footer; a second sheet and a notes sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "企业名录"
    ws.append(["西峡县跨境电商企业名录（2024年）"])
    ws.merge_cells("A1:J1")
    ws.append(["填报单位：西峡县商务局", None, None, None, None, None, "单位：万元"])
    ws.merge_cells("A2:F2")
    ws.append(["序号", "企业名称", "统一社会信用代码", "所属园区", "所属产业带", "经营模式",
               "跨境电商交易额（万元）", None, "是否知名企业", "认定年份"])
    ws.append([None, None, None, None, None, None, "2023年", "2024年", None, None])
    for col in "ABCDEFIJ":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("G3:H3")
    rows = [
        [1, "西峡香菇有限公司 ", fullwidth(code(1)), "西峡跨境电商产业园", "食用菌", "9610、9710", "1,234.5", 2000, "√", 2023],  # 5
        [2, "伏牛山菌业有限公司", code(2).lower(), None, "食用菌", "9710/9810", 100, None, "否", None],                     # 6
        [],                                                                                                                  # 7
        [3, "校验位错误公司", BAD_CHECK, None, None, None, 1, 2, None, None],                                                  # 8
        [4, "无代码公司", None, None, None, None, 1, 2, None, None],                                                         # 9
        [],                                                                                                                  # 10
        [5, "重复公司", " " + code(1)[:9] + " " + code(1)[9:], None, None, None, 1, 2, None, None],                         # 11
        [6, "负数公司", code(6), None, None, None, "-3", 2, None, None],                                                     # 12
        [7, "文字金额公司", code(7), None, None, None, 5, "约一百万", None, None],                                            # 13
        [8, "园区未知公司", code(8), "不存在的园区", "未知产业带", "9610", None, "0.5", "", None],                               # 14
        ["合计", None, None, None, None, None, "=SUM(G5:G14)", "=SUM(H5:H14)"],                                               # 15
        [],                                                                                                                  # 16
        ["填表人：王五", None, "审核人：李四", None, "联系电话：0377-69661234"],                                                # 17
        ["报出日期：2025年1月10日"],                                                                                          # 18
    ]
    for r in rows:
        ws.append(r)
    second = wb.create_sheet("2025年新增")
    second.append(["企业名称", "信用代码", "2025年跨境电商交易额（万元）", "主营产品"])
    second.append(["丹江水产公司", code(20), "12.34", "水产"])                      # 2
    second.append(["又一个重复", code(2), "1", None])                                  # 3
    second.append(["总计", None, "13.34"])                                              # 4
    notes = wb.create_sheet("填表说明")
    notes.append(["本表由县商务局填写，每季度更新一次。"])
    wb.save(path)
    return path


EXPECTED_REJECTED = [
    {"sheet": "企业名录", "row": 8,
     "reason": "统一社会信用代码“914403001922038217”校验位错误：第18位应为“6”，请核对营业执照"},
    {"sheet": "企业名录", "row": 9, "reason": "统一社会信用代码为空（必填）"},
    {"sheet": "企业名录", "row": 11, "reason": f"统一社会信用代码“{code(1)}”与第 5 行重复"},
    {"sheet": "企业名录", "row": 12, "reason": "2023年跨境电商交易额（万元）不能为负数（-3）"},
    {"sheet": "企业名录", "row": 13, "reason": "2024年跨境电商交易额（万元）“约一百万”不是数字"},
    {"sheet": "2025年新增", "row": 3, "reason": f"统一社会信用代码“{code(2)}”与工作表“企业名录”第 6 行重复"},
]


def test_read_finds_two_row_header_under_titles(tmp_path):
    roster = R.read_roster(messy_workbook(tmp_path / "名录.xlsx"), "enterprises")
    assert [s.name for s in roster.sheets] == ["企业名录", "2025年新增"]
    assert roster.ignored_sheets == ["填表说明"]
    first = roster.sheets[0]
    assert first.header_rows == (3, 4)
    assert first.mapping == {1: "name", 2: "credit_code", 3: "park_id", 4: "belt_code", 5: "modes",
                             6: "volume:2023:万元", 7: "volume:2024:万元", 8: "known", 9: "known_year"}
    assert [r for r, _ in first.rows] == [5, 6, 8, 9, 11, 12, 13, 14]
    assert first.skipped == [(15, "合计行"), (17, "表尾"), (18, "表尾")]
    assert roster.sheets[1].header_rows == (1,) and [r for r, _ in roster.sheets[1].rows] == [2, 3]


def test_import_counts_row_numbers_and_values(county_store, park, tmp_path):
    plan = R.plan_import(county_store, R.read_roster(messy_workbook(tmp_path / "名录.xlsx"), "enterprises"))
    result = R.apply_import(county_store, plan, operator=OP)
    assert result.to_json() == {
        "added": 4, "updated": 0, "unchanged": 0, "rejected": EXPECTED_REJECTED,
        "warnings": [
            {"sheet": "企业名录", "row": 14, "message": "所属园区“不存在的园区”不在本单位园区台账中，已留空（可先在园区台账中添加）"},
            {"sheet": "企业名录", "row": 14, "message": "所属产业带“未知产业带”不是已登记的产业带，已留空"},
        ]}
    ids = L.list_ids(county_store, "enterprises", order_by="id")
    rows = L.fetch_rows(county_store, "enterprises", ids)
    first = rows[ids[0]]
    assert (first["name"], first["credit_code"], first["park_id"], first["belt_code"], first["modes"]) == (
        "西峡香菇有限公司", code(1), park, "MUSHROOM", "9610,9710")
    assert first["volumes"] == {2023: 12_345_000, 2024: 20_000_000}
    assert (first["known"], first["known_year"]) == (1, 2023)
    second = rows[ids[1]]
    assert second["credit_code"] == code(2) and second["modes"] == "9710,9810" and second["volumes"] == {2023: 1_000_000}
    assert rows[ids[2]]["volumes"] == {2024: 5_000} and rows[ids[2]]["park_id"] is None
    assert rows[ids[3]]["main_products"] == "水产" and rows[ids[3]]["volumes"] == {2025: 123_400}


def test_reimport_changes_nothing(county_store, park, tmp_path):
    path = messy_workbook(tmp_path / "名录.xlsx")
    R.import_file(county_store, path, "enterprises", operator=OP)
    before = dump(county_store)
    _, again = R.import_file(county_store, path, "enterprises", operator=OP)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
    assert dump(county_store) == before


def test_dry_run_changes_nothing_and_reports_what_would_happen(county_store, park, tmp_path):
    path = messy_workbook(tmp_path / "名录.xlsx")
    before = dump(county_store)
    _, result = R.import_file(county_store, path, "enterprises", operator=OP, dry_run=True)
    assert (result.added, result.updated, result.unchanged, len(result.rejected)) == (4, 0, 0, 6)
    assert dump(county_store) == before


def test_update_of_changed_rows(county_store, park, tmp_path):
    R.import_file(county_store, messy_workbook(tmp_path / "a.xlsx"), "enterprises", operator=OP)
    wb = Workbook()
    wb.active.append(["单位名称", "统一社会信用代码", "2024年跨境电商交易额（万元）", "联系电话"])
    wb.active.append(["西峡香菇有限公司", code(1), 2500, 13800138000])
    wb.active.append(["伏牛山菌业有限公司", code(2), None, None])   # blank cells keep stored values
    wb.save(tmp_path / "b.xlsx")
    _, result = R.import_file(county_store, tmp_path / "b.xlsx", "enterprises", operator=OP)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 1)
    eid = L.list_ids(county_store, "enterprises", search=code(1))[0]
    got = L.get(county_store, "enterprises", eid)
    assert got["volumes"] == {2023: 12_345_000, 2024: 25_000_000} and got["phone"] == "13800138000"


def test_crash_mid_import_leaves_database_unchanged(county_store, park, tmp_path, monkeypatch):
    plan = R.plan_import(county_store, R.read_roster(messy_workbook(tmp_path / "名录.xlsx"), "enterprises"))
    before = dump(county_store)
    real_insert, calls = L._insert, []

    def crashing_insert(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("simulated power cut")
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(L, "_insert", crashing_insert)
    with pytest.raises(OSError):
        R.apply_import(county_store, plan, operator=OP)
    assert len(calls) == 3
    assert dump(county_store) == before


def test_cancel_rolls_back(county_store, tmp_path):
    wb = Workbook()
    wb.active.append(["企业名称", "统一社会信用代码"])
    for n in range(450):
        wb.active.append([f"企业{n}", code(n)])
    wb.save(tmp_path / "big.xlsx")
    plan = R.plan_import(county_store, R.read_roster(tmp_path / "big.xlsx", "enterprises"))
    seen: list[int] = []
    with pytest.raises(R.ImportCancelled, match="已取消导入"):
        R.apply_import(county_store, plan, operator=OP, progress=lambda d, t: seen.append(d),
                       cancelled=lambda: len(seen) >= 1)
    assert seen == [200]
    assert county_store.scalar("SELECT count(*) FROM enterprise") == 0


def test_errors_workbook_has_original_rows_and_reasons(county_store, park, tmp_path):
    R.import_file(county_store, messy_workbook(tmp_path / "名录.xlsx"), "enterprises", operator=OP,
                  errors_out=tmp_path / "退回.xlsx")
    wb = load_workbook(tmp_path / "退回.xlsx")
    assert wb.sheetnames == ["企业名录", "2025年新增"]
    rows = list(wb["企业名录"].iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "企业名称", "统一社会信用代码") and rows[0][6] == "2023年跨境电商交易额（万元）"
    assert rows[0][-1] == "错误原因"
    assert [r[1] for r in rows[1:]] == ["校验位错误公司", "无代码公司", "重复公司", "负数公司", "文字金额公司"]
    assert rows[1][2] == BAD_CHECK and rows[1][-1] == EXPECTED_REJECTED[0]["reason"]
    # The clerk fixes the file and imports it again: the corrected rows go in.
    ws = wb["企业名录"]
    ws["C3"] = code(9)
    ws["C4"] = code(10)
    wb.save(tmp_path / "退回.xlsx")
    plan = R.plan_import(county_store, R.read_roster(tmp_path / "退回.xlsx", "enterprises"))
    assert [(o.row, o.action) for o in plan.outcomes if o.sheet == "企业名录"] == [
        (2, "rejected"), (3, "add"), (4, "add"), (5, "rejected"), (6, "rejected")]


def test_csv_in_gb18030_and_utf8_bom(county_store, tmp_path):
    text = "企业名称,统一社会信用代码,是否引进企业,引进年份\r\n甲公司,%s,是,2022\r\n\r\n乙公司,%s,否,\r\n合计,,,\r\n" % (
        code(1), code(2))
    (tmp_path / "gb.csv").write_bytes(text.encode("gb18030"))
    (tmp_path / "bom.csv").write_bytes(text.replace("甲公司", "甲公司（新）").encode("utf-8-sig"))
    _, r1 = R.import_file(county_store, tmp_path / "gb.csv", "enterprises", operator=OP)
    assert (r1.added, r1.rejected) == (2, [])
    roster = R.read_roster(tmp_path / "bom.csv", "enterprises")
    assert roster.sheets[0].name == "bom" and [r for r, _ in roster.sheets[0].rows] == [2, 4]
    _, r2 = R.import_file(county_store, tmp_path / "bom.csv", "enterprises", operator=OP)
    assert (r2.added, r2.updated, r2.unchanged) == (0, 1, 1)
    eid = L.list_ids(county_store, "enterprises", filters={"brought_in": 1})[0]
    assert L.get(county_store, "enterprises", eid)["name"] == "甲公司(新)"


def test_xls_written_by_xlwt(county_store, tmp_path):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("企业")
    ws.write_merge(0, 0, 0, 3, "西峡县企业名录")
    for c, h in enumerate(["企业名称", "信用代码", "经营模式", "2024年交易额（元）"]):
        ws.write(2, c, h)
    ws.write(3, 0, "甲公司")
    ws.write(3, 1, code(1))
    ws.write(3, 2, "9610、1210")
    ws.write(3, 3, 1234567.0)
    ws.write(5, 0, "乙公司")
    ws.write(5, 1, "91440300")
    ws.write(5, 3, 5)
    book.save(str(tmp_path / "旧格式.xls"))
    plan, result = R.import_file(county_store, tmp_path / "旧格式.xls", "enterprises", operator=OP)
    assert result.to_json()["rejected"] == [
        {"sheet": "企业", "row": 6, "reason": "统一社会信用代码“91440300”应为18位，实际8位"}]
    eid = L.list_ids(county_store, "enterprises")[0]
    got = L.get(county_store, "enterprises", eid)
    assert (got["modes"], got["volumes"]) == ("1210,9610", {2024: 1_234_567})


def test_mapping_can_be_changed_before_applying(county_store, tmp_path):
    wb = Workbook()
    wb.active.append(["企业名称", "统一社会信用代码", "业务说明"])
    wb.active.append(["甲公司", code(1), "香菇出口"])
    wb.save(tmp_path / "m.xlsx")
    roster = R.read_roster(tmp_path / "m.xlsx", "enterprises")
    sheet = roster.sheets[0]
    assert sheet.mapping == {0: "name", 1: "credit_code"} and sheet.headers[2] == "业务说明"
    assert ("main_products", "主营产品") in R.mapping_targets("enterprises")
    plan = R.plan_import(county_store, roster, {sheet.name: {**sheet.mapping, 2: "main_products"}})
    R.apply_import(county_store, plan, operator=OP)
    assert L.get(county_store, "enterprises", L.list_ids(county_store, "enterprises")[0])["main_products"] == "香菇出口"
    with pytest.raises(FileFormatError, match="没有对应“统一社会信用代码”的列"):
        R.plan_import(county_store, roster, {sheet.name: {0: "name", 2: "main_products"}})


def test_unreadable_files_are_explained(county_store, tmp_path):
    wb = Workbook()
    wb.active.append(["姓名", "年龄"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(FileFormatError, match="没有找到企业名录的表头行") as exc:
        R.read_roster(tmp_path / "x.xlsx", "enterprises")
    assert "“企业名称”“统一社会信用代码”" in exc.value.detail
    (tmp_path / "坏.xlsx").write_bytes(b"not a zip")
    with pytest.raises(FileFormatError, match="无法作为 Excel 工作簿读取"):
        R.read_roster(tmp_path / "坏.xlsx", "enterprises")
    with pytest.raises(FileFormatError, match="不支持的文件类型"):
        R.read_roster(tmp_path / "a.docx", "enterprises")


def test_parks_roster(county_store, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["园区名称", "园区级别", "入驻企业（家）", "其中跨境电商企业", "是否市级示范"])
    ws.append(["西峡跨境电商产业园", "省级", "1,200", 30, "是"])
    ws.append(["香菇交易市场电商园", "县", 10, 20, None])
    ws.append(["", "", "", "", ""])
    ws.append(["无级别园区", None, 3, 1, None])
    wb.save(tmp_path / "p.xlsx")
    _, result = R.import_file(county_store, tmp_path / "p.xlsx", "parks", operator=OP)
    assert result.added == 1
    assert result.rejected == [
        {"sheet": "Sheet", "row": 3, "reason": "其中跨境电商企业数（20）不能多于入驻企业数（10）"},
        {"sheet": "Sheet", "row": 5, "reason": "级别为空（必填）"}]
    pid = L.list_ids(county_store, "parks")[0]
    assert L.get(county_store, "parks", pid)["tenants"] == 1200
    _, again = R.import_file(county_store, tmp_path / "p.xlsx", "parks", operator=OP)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)


def test_cli_json_dry_run_and_errors(county_dir, tmp_path, capsys):
    path = messy_workbook(tmp_path / "名录.xlsx")
    argv = ["--data-dir", str(county_dir), "roster", "import", "enterprises", str(path), "--json"]
    assert cli_main(argv + ["--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert list(dry) == ["added", "updated", "unchanged", "rejected", "warnings"]
    assert (dry["added"], dry["rejected"]) == (4, EXPECTED_REJECTED)
    assert [w["row"] for w in dry["warnings"]] == [5, 14, 14]   # no parks in this ledger yet
    assert cli_main(argv + ["--errors", str(tmp_path / "e.xlsx")]) == 0
    real = json.loads(capsys.readouterr().out)
    assert real["added"] == 4 and (tmp_path / "e.xlsx").exists()
    assert cli_main(argv) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert cli_main(["--data-dir", str(county_dir), "roster", "import", "enterprises", str(tmp_path / "无.xlsx")]) == 1
    assert "找不到文件" in capsys.readouterr().err


def test_wrong_stored_dimension_still_reads_every_row(county_store, tmp_path):
    """Some writers store <dimension ref="A1"/>; the read-only reader must not stop at row 1."""
    import re
    import zipfile

    wb = Workbook()
    wb.active.append(["企业名称", "统一社会信用代码"])
    for n in range(1, 4):
        wb.active.append([f"企业{n}", code(n)])
    wb.save(tmp_path / "ok.xlsx")
    with zipfile.ZipFile(tmp_path / "ok.xlsx") as src, zipfile.ZipFile(tmp_path / "dim.xlsx", "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
                assert n == 1
            dst.writestr(item, data)
    roster = R.read_roster(tmp_path / "dim.xlsx", "enterprises")
    assert [r for r, _ in roster.sheets[0].rows] == [2, 3, 4]


def test_pre_numbered_empty_form_rows_are_blank(county_store, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "企业名称", "统一社会信用代码"])
    ws.append([1, "甲公司", code(1)])
    for n in range(2, 6):
        ws.append([n, None, None])        # the form was numbered in advance, rows left empty
    ws.append([6, "乙公司", None])
    wb.save(tmp_path / "pre.xlsx")
    _, result = R.import_file(county_store, tmp_path / "pre.xlsx", "enterprises", operator=OP, dry_run=True)
    assert result.added == 1
    assert result.rejected == [{"sheet": "Sheet", "row": 7, "reason": "统一社会信用代码为空（必填）"}]


def test_municipal_database_refuses_roster_import(municipal_store, tmp_path):
    from desktop.core.errors import RoleError

    wb = Workbook()
    wb.active.append(["企业名称", "统一社会信用代码"])
    wb.active.append(["甲公司", code(1)])
    wb.save(tmp_path / "m.xlsx")
    with pytest.raises(RoleError, match="名录导入用于县区单位的数据库"):
        R.import_file(municipal_store, tmp_path / "m.xlsx", "enterprises", operator=OP)
    assert municipal_store.scalar("SELECT count(*) FROM enterprise") == 0
