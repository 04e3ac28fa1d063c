"""从Excel导入 wizard end to end on a messy workbook built here: merged title, header row found,
mapping shown and changed, preview with sheet/row/reason, apply off the GUI thread, errors workbook,
re-import unchanged, undo of the whole import."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt

from desktop.core import credit

GOOD = [credit.make_valid(f"91411323MA4{i}KW0{i}X") for i in range(1, 4)]
BAD_CHECK = GOOD[0][:17] + ("0" if GOOD[0][17] != "0" else "1")


def build_workbook(path: Path) -> Path:
    """Title merged over the columns, header on row 3, data from row 4, blank row, 合计, 填表人."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业名录"
    ws.append(["西峡县跨境电商企业名录"])
    ws.merge_cells("A1:F1")
    ws.append(["填报单位：西峡县商务局"])
    ws.append(["序号", "单位名称", "统一社会信用代码", "经营模式", "2024年跨境电商交易额（万元）", "内部编号"])
    ws.append([1, "西峡香菇科技有限公司", GOOD[0].lower(), "9610、9710", "1,234.5", "X-1"])      # row 4
    ws.append([2, "西峡猕猴桃电子商务有限公司", GOOD[1], "9710/9810", 88, "X-2"])                 # row 5
    ws.append([None, None, None, None, None, None])                                                # row 6 blank
    ws.append([3, "宛西制药进出口有限公司", GOOD[2], "9810", None, "X-3"])                         # row 7
    ws.append([4, "错误代码有限公司", BAD_CHECK, "9610", 10, "X-4"])                               # row 8 rejected
    ws.append([5, "重复代码有限公司", GOOD[1], "9610", 5, "X-5"])                                 # row 9 rejected
    ws.append([6, "负数金额有限公司", credit.make_valid("91411323MA49NEG01"), "9610", -3, "X-6"])  # row 10 rejected
    ws.append(["合计", None, None, None, 1327.5, None])                                           # row 11 skipped
    ws.append(["填表人：张三", None, "审核人：李四"])                                              # row 12 skipped
    wb.save(path)
    return path


@pytest.fixture
def ctx(county_ctx):
    return county_ctx


@pytest.fixture
def errors_shown(monkeypatch):
    import desktop.gui.roster_wizard as wiz

    shown: list[str] = []
    monkeypatch.setattr(wiz, "show_error", lambda parent, exc, title="": shown.append(str(exc)))
    return shown


def open_wizard(qtbot, ctx, path: Path):
    from desktop.gui.roster_wizard import PAGE_MAPPING, RosterWizard

    wizard = RosterWizard(ctx, "enterprises")
    qtbot.addWidget(wizard)
    wizard.show()
    assert not wizard.button(wizard.WizardButton.NextButton).isEnabled()  # no file chosen yet
    wizard.file_page.path_edit.setText(str(path))
    assert wizard.button(wizard.WizardButton.NextButton).isEnabled()
    wizard.next()  # the file is read in the thread pool; the wizard moves on by itself
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_MAPPING, timeout=15000)
    return wizard


def run_to_result(qtbot, wizard) -> None:
    from desktop.gui.roster_wizard import PAGE_PREVIEW, PAGE_RESULT

    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_PREVIEW, timeout=15000)
    wizard.next()  # 导入: runs in the thread pool, then moves on by itself
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RESULT, timeout=15000)


def test_wizard_end_to_end(qtbot, qtmodeltester, ctx, errors_shown, tmp_path: Path) -> None:
    from desktop.gui.roster_wizard import PAGE_PREVIEW

    src = build_workbook(tmp_path / "企业名录.xlsx")
    wizard = open_wizard(qtbot, ctx, src)
    page = wizard.mapping_page
    assert page.info.text() == "表头位于第 3 行，数据 6 行"
    model = page.model()
    qtmodeltester.check(model)
    shown = {model.index(r, 1).data(): model.index(r, 3).data() for r in range(model.rowCount())}
    assert shown["单位名称"] == "企业名称"
    assert shown["统一社会信用代码"] == "统一社会信用代码"
    assert shown["2024年跨境电商交易额（万元）"] == "2024年跨境电商交易额（万元）"
    assert shown["内部编号"] == "（不导入）"
    assert model.index(1, 2).data() == "西峡香菇科技有限公司"  # first data row as a sample
    # The clerk maps 内部编号 to 备注 through the editable 导入为 column.
    assert model.flags(model.index(5, 3)) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(model.index(5, 3), "note")
    assert model.index(5, 3).data() == "备注"
    assert not model.setData(model.index(5, 3), "no_such_field")

    wizard.next()
    assert wizard.running and wizard.currentId() != PAGE_PREVIEW  # rows are checked off the GUI thread
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_PREVIEW, timeout=15000)
    preview = wizard.preview_page
    assert preview.counts.text() == "将新增 3 条，更新 0 条，未变 0 条；退回 3 行，提示 0 条，跳过 2 行。"
    qtmodeltester.check(preview.model)
    items = [(i[0], i[1], i[2]) for i in preview.model.items]
    assert items == [("企业名录", 8, "退回"), ("企业名录", 9, "退回"), ("企业名录", 10, "退回"),
                     ("企业名录", 11, "跳过"), ("企业名录", 12, "跳过")]
    reasons = {i[1]: i[4] for i in preview.model.items}
    assert "校验位错误" in reasons[8]
    assert "与第 5 行重复" in reasons[9]
    assert "负数" in reasons[10]
    assert ctx.store.scalar("SELECT count(*) FROM enterprise") == 0  # preview wrote nothing

    wizard.next()
    from desktop.gui.roster_wizard import PAGE_RESULT

    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RESULT, timeout=15000)
    assert errors_shown == []
    text = wizard.result_page.text.text()
    assert text.startswith("已导入：新增 3 条，更新 0 条，未变 0 条，退回 3 行")
    rows = ctx.store.query("SELECT name, credit_code, modes, note FROM enterprise ORDER BY id")
    assert rows[0] == {"name": "西峡香菇科技有限公司", "credit_code": GOOD[0], "modes": "9610,9710", "note": "X-1"}
    assert [r["modes"] for r in rows[1:]] == ["9710,9810", "9810"]
    assert ctx.store.query("SELECT year, amount FROM enterprise_volume ORDER BY amount") == [
        {"year": 2024, "amount": 880000}, {"year": 2024, "amount": 12345000}]

    assert wizard.result_page.save_errors_button.isEnabled()
    out = wizard.save_errors(str(tmp_path / "错误行.xlsx"))
    ws = openpyxl.load_workbook(out).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0][-1] == "错误原因"
    assert [v[1] for v in values[1:]] == ["错误代码有限公司", "重复代码有限公司", "负数金额有限公司"]
    assert "校验位错误" in values[1][-1]


def test_reimport_changes_nothing_and_undo_removes_the_import(qtbot, ctx, errors_shown, tmp_path: Path) -> None:
    from desktop.storage import ledgers as ledger_store

    src = build_workbook(tmp_path / "企业名录.xlsx")
    wizard = open_wizard(qtbot, ctx, src)
    run_to_result(qtbot, wizard)
    assert ctx.store.scalar("SELECT count(*) FROM enterprise WHERE deleted_at IS NULL") == 3
    again = open_wizard(qtbot, ctx, src)
    again.next()
    qtbot.waitUntil(lambda: again.preview_page.counts.text() != "", timeout=15000)
    assert again.preview_page.counts.text().startswith("将新增 0 条，更新 0 条，未变 3 条")
    again.next()
    from desktop.gui.roster_wizard import PAGE_RESULT

    qtbot.waitUntil(lambda: again.currentId() == PAGE_RESULT, timeout=15000)
    assert again.result_page.text.text().startswith("已导入：新增 0 条，更新 0 条，未变 3 条")
    assert ledger_store.undo_last(ctx.store, operator=ctx.operator).startswith("已撤销：导入企业台账（新增 3 条")
    assert ctx.store.scalar("SELECT count(*) FROM enterprise WHERE deleted_at IS NULL") == 0


def test_wrong_file_and_missing_column_are_explained(qtbot, ctx, errors_shown, tmp_path: Path) -> None:
    from desktop.gui.roster_wizard import PAGE_FILE, PAGE_MAPPING, RosterWizard

    other = tmp_path / "杂表.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["日期", "金额"])
    wb.save(other)
    wizard = RosterWizard(ctx, "enterprises")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path_edit.setText(str(other))
    wizard.next()
    qtbot.waitUntil(lambda: bool(errors_shown), timeout=15000)
    assert wizard.currentId() == PAGE_FILE and not wizard.running
    assert "没有找到企业名录的表头行" in errors_shown[0]
    assert wizard.button(wizard.WizardButton.NextButton).isEnabled()

    wizard.file_page.path_edit.setText(str(build_workbook(tmp_path / "企业名录.xlsx")))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_MAPPING, timeout=15000)
    model = wizard.mapping_page.model()
    assert model.setData(model.index(2, 3), "")  # the clerk un-maps the credit code column
    wizard.next()
    qtbot.waitUntil(lambda: len(errors_shown) == 2, timeout=15000)
    assert wizard.currentId() == PAGE_MAPPING
    assert "没有对应“统一社会信用代码”的列" in errors_shown[-1]
    assert ctx.store.scalar("SELECT count(*) FROM enterprise") == 0


def test_import_button_opens_wizard_and_page_refreshes(qtbot, ctx, errors_shown, tmp_path: Path) -> None:
    from desktop.gui.pages.ledgers import LedgerPage

    page = LedgerPage(ctx, "enterprises")
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    wizard = page.open_import_wizard()
    assert wizard.isVisible()
    wizard.file_page.path_edit.setText(str(build_workbook(tmp_path / "企业名录.xlsx")))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == 1, timeout=15000)
    run_to_result(qtbot, wizard)
    wizard.accept()
    assert page.model.rowCount() == 3
    page.search.setText("xxxg")
    page.apply_search()
    assert page.model.row_values(0)["name"] == "西峡香菇科技有限公司"


def test_template_from_the_first_page_reads_back(qtbot, ctx, errors_shown, tmp_path: Path) -> None:
    from desktop.gui.roster_wizard import PAGE_MAPPING, RosterWizard

    wizard = RosterWizard(ctx, "enterprises")
    qtbot.addWidget(wizard)
    wizard.show()
    out = wizard.file_page.save_template(str(tmp_path / "模板.xlsx"))
    assert wizard.file_page.template_label.text() == f"已保存：{out}"
    ws = openpyxl.load_workbook(out).active
    ws.append(["西峡香菇科技有限公司", GOOD[0]])
    ws.parent.save(out)
    wizard.file_page.path_edit.setText(str(out))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_MAPPING, timeout=15000)
    assert wizard.mapping_page.info.text().startswith("表头位于第 2 行，数据 1 行")
    run_to_result(qtbot, wizard)
    assert ctx.store.scalar("SELECT name FROM enterprise") == "西峡香菇科技有限公司"


def test_cancel_during_import_leaves_database_unchanged(qtbot, ctx, errors_shown, tmp_path: Path,
                                                       monkeypatch) -> None:
    import time

    import desktop.gui.roster_wizard as rw
    from desktop.gui.roster_wizard import PAGE_PREVIEW

    real_apply = rw.apply_import

    def held_apply(store, plan, *, operator, progress, cancelled):
        # Hold the worker until the clerk's cancel arrives, so the test does not race a fast import.
        deadline = time.monotonic() + 15
        while not cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        return real_apply(store, plan, operator=operator, progress=progress, cancelled=cancelled)

    monkeypatch.setattr(rw, "apply_import", held_apply)

    path = tmp_path / "大名录.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业名称", "统一社会信用代码"])
    for i in range(1500):
        ws.append([f"测试企业{i:04d}有限公司", credit.make_valid(f"91411323MA{i:04d}QW0")])
    wb.save(path)
    wizard = open_wizard(qtbot, ctx, path)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_PREVIEW, timeout=15000)
    assert wizard.plan.count("add") == 1500
    wizard.next()  # starts the import in the thread pool ...
    assert wizard.running
    wizard.reject()  # ... closing asks it to stop; the wizard stays until the worker is done
    assert wizard.isVisible()
    qtbot.waitUntil(lambda: not wizard.running, timeout=20000)
    assert errors_shown == ["已取消导入，数据库未作任何改动"]
    assert wizard.result is None and wizard.currentId() == PAGE_PREVIEW
    assert ctx.store.scalar("SELECT count(*) FROM enterprise") == 0
    assert ctx.store.scalar("SELECT count(*) FROM audit_log") == 0
