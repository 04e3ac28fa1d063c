"""台账 pages: create, edit, validation under the field, credit override, delete, undo, search
(pinyin initials), filters, keyboard, municipal read-only view; qtmodeltester on the model."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

from desktop.core import credit
from desktop.storage import ledgers as ledger_store
from desktop.storage.paths import DataDir

CODE_A = credit.make_valid("91411323MA44ABCD1")
CODE_B = credit.make_valid("91411323MA45XYW01")
BAD_CHECK = CODE_A[:17] + ("0" if CODE_A[17] != "0" else "1")

# A valid record per ledger, as the clerk would enter it, with a distinctive name (for pinyin search).
SAMPLES: dict[str, dict[str, Any]] = {
    "parks": {"name": "西峡香菇电商产业园", "level": "省级", "area_m2": "12000"},
    "enterprises": {"name": "西峡香菇科技有限公司", "credit_code": CODE_A, "modes": "9610,9710"},
    "bases": {"name": "西峡香菇培训基地", "kind": "培训", "level": "县级"},
    "warehouses": {"name": "西峡香菇德国海外仓", "country": "德国", "area_m2": "3000"},
    "livestream": {"name": "西峡香菇直播基地", "hosts": "12"},
    "o2o": {"name": "西峡香菇体验店", "address": "西峡县白羽路1号"},
}
OTHER: dict[str, dict[str, Any]] = {
    "parks": {"name": "南阳艾草产业园", "level": "市级"},
    "enterprises": {"name": "宛城艾草贸易有限公司", "credit_code": CODE_B},
    "bases": {"name": "南阳艾草孵化基地", "kind": "孵化", "level": "市级"},
    "warehouses": {"name": "南阳艾草美国海外仓"},
    "livestream": {"name": "南阳艾草直播基地"},
    "o2o": {"name": "南阳艾草体验店"},
}
KINDS = list(SAMPLES)
STOPPED = {"enterprises": "停业"}


@pytest.fixture
def ctx(county_ctx):
    return county_ctx


@pytest.fixture
def no_dialogs(monkeypatch):
    """Message boxes would block: answer confirmations Yes and collect errors."""
    import desktop.gui.pages.ledgers as page_mod

    shown: list[str] = []
    monkeypatch.setattr(page_mod, "confirm", lambda parent, text, title="": True)
    monkeypatch.setattr(page_mod, "show_error", lambda parent, exc, title="": shown.append(str(exc)))
    return shown


def make_page(qtbot, ctx, kind: str):
    from desktop.gui.pages.ledgers import LedgerPage

    page = LedgerPage(ctx, kind)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    page.refresh()
    return page


def fill(form, values: dict[str, Any]) -> None:
    """Set editors as a clerk would (text typed, combos chosen, boxes ticked)."""
    for name, value in values.items():
        editor = form.editors[name]
        widget = editor.widget
        if isinstance(widget, QLineEdit):
            widget.setText(str(value))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData(value))
        else:
            editor.set_value(value)
            form.touched.add(name)
            form.revalidate()


def add_record(page, values: dict[str, Any]) -> int:
    form = page.new_record()
    fill(form, values)
    assert form.save(), form.summary.text()
    return form.record_id


def names(page) -> list[str]:
    return [page.model.row_values(r).get("name") for r in range(page.model.rowCount())]


@pytest.mark.parametrize("kind", KINDS)
def test_create_edit_delete_undo(qtbot, ctx, no_dialogs, kind: str) -> None:
    page = make_page(qtbot, ctx, kind)
    rid = add_record(page, SAMPLES[kind])
    assert names(page) == [SAMPLES[kind]["name"]]
    assert page.selected_id() == rid
    assert ctx.store.scalar("SELECT count(*) FROM audit_log WHERE action = 'insert'") == 1

    form = page.edit_selected()
    assert form.editors["name"].widget.text() == SAMPLES[kind]["name"]
    form.editors["name"].widget.setText(SAMPLES[kind]["name"] + "二期")
    assert form.save()
    assert names(page) == [SAMPLES[kind]["name"] + "二期"]

    assert page.delete_selected()
    assert page.model.rowCount() == 0
    assert ctx.store.scalar(f"SELECT deleted_at IS NOT NULL FROM {page.kind.table} WHERE id = ?", (rid,)) == 1

    text = page.undo()
    assert text and text.startswith("已撤销：删除")
    assert names(page) == [SAMPLES[kind]["name"] + "二期"]
    assert page.undo().startswith("已撤销：修改")
    assert names(page) == [SAMPLES[kind]["name"]]
    assert no_dialogs == []


@pytest.mark.parametrize("kind", KINDS)
def test_validation_message_under_field(qtbot, ctx, no_dialogs, kind: str) -> None:
    page = make_page(qtbot, ctx, kind)
    form = page.new_record()
    # Nothing touched yet: no red text shouts at the clerk.
    assert all(not e.message.isVisible() for e in form.editors.values())
    if kind == "enterprises":
        field, text, expected = "credit_code", "9141 1323", "应为18位"
    else:
        field, text, expected = "area_m2", "一千", "不是数字"
    fill(form, {**SAMPLES[kind], field: text})
    label = form.editors[field].message
    assert label.isVisible() and expected in label.text()
    assert not form.save()
    assert page.model.rowCount() == 0
    fill(form, {field: "1,200" if field == "area_m2" else CODE_A})
    assert not label.isVisible()
    # Required name: clearing it shows the message once touched.
    form.editors["name"].widget.setText("")
    assert "必填" in form.editors["name"].message.text()
    form.editors["name"].widget.setText(SAMPLES[kind]["name"])
    assert form.save()
    if field == "area_m2":
        assert ctx.store.scalar(f"SELECT area_m2 FROM {page.kind.table}") == 1200


def test_full_width_credit_code_is_normalised(qtbot, ctx, no_dialogs) -> None:
    page = make_page(qtbot, ctx, "enterprises")
    full = "".join(chr(ord(c) + 0xFEE0) for c in CODE_A.lower())  # full-width lower case
    add_record(page, {"name": "西峡香菇科技有限公司 ", "credit_code": f" {full} "})
    row = page.model.row_values(0)
    assert row["credit_code"] == CODE_A and row["name"] == "西峡香菇科技有限公司"


def test_credit_override_needs_the_checkbox_and_is_audited(qtbot, ctx, no_dialogs) -> None:
    page = make_page(qtbot, ctx, "enterprises")
    form = page.new_record()
    fill(form, {**SAMPLES["enterprises"], "credit_code": BAD_CHECK})
    msg = form.editors["credit_code"].message.text()
    assert "校验位错误" in msg and f"应为“{CODE_A[17]}”" in msg
    assert form.override_box.isVisible() and form.override_box.text() == "已核对营业执照，仍然保存"
    assert not form.save()
    assert page.model.rowCount() == 0
    form.override_box.setChecked(True)
    assert form.save()
    row = ctx.store.query("SELECT credit_code, credit_override FROM enterprise")[0]
    assert row == {"credit_code": BAD_CHECK, "credit_override": 1}
    audit = ctx.store.query("SELECT reason, after FROM audit_log WHERE action = 'override'")
    assert audit[0]["reason"] == "已核对营业执照，仍然保存"
    assert json.loads(audit[0]["after"])["credit_code"] == BAD_CHECK
    # Editing the record later keeps the override ticked, so an unrelated change saves.
    form = page.edit_selected()
    assert form.override_box.isChecked()
    form.editors["main_products"].widget.setText("香菇脆片")
    assert form.save()


def test_other_credit_errors_cannot_be_overridden(qtbot, ctx, no_dialogs) -> None:
    page = make_page(qtbot, ctx, "enterprises")
    form = page.new_record()
    fill(form, {**SAMPLES["enterprises"], "credit_code": CODE_A[:17] + "I"})
    assert "不允许的字符" in form.editors["credit_code"].message.text()
    assert not form.override_box.isVisible()
    assert not form.save()


def test_duplicate_credit_code_refused_in_form(qtbot, ctx, no_dialogs) -> None:
    page = make_page(qtbot, ctx, "enterprises")
    add_record(page, SAMPLES["enterprises"])
    form = page.new_record()
    fill(form, {"name": "另一家公司", "credit_code": CODE_A})
    assert not form.save()
    assert "已登记为“西峡香菇科技有限公司”" in form.summary.text()
    assert "同一单位内不能重复" in form.editors["credit_code"].message.text()
    assert page.model.rowCount() == 1


def test_enterprise_volumes_in_wan_yuan(qtbot, ctx, no_dialogs) -> None:
    page = make_page(qtbot, ctx, "enterprises")
    form = page.new_record()
    fill(form, SAMPLES["enterprises"])
    form.volume_editor.edits[2024].setText("1,234.56")
    form.volume_editor.edits[2023].setText("-3")
    assert "不能为负数" in form.volume_message.text()
    assert not form.save()
    form.volume_editor.edits[2023].setText("")
    assert form.save()
    assert ctx.store.query("SELECT year, amount FROM enterprise_volume") == [{"year": 2024, "amount": 12345600}]
    assert page.model.row_values(0)["latest_volume"] == 12345600
    col = [c.key for c in page.model.columns].index("latest_volume")
    assert page.model.index(0, col).data() == "1,234.56"


def test_known_enterprise_needs_year(qtbot, ctx, no_dialogs) -> None:
    page = make_page(qtbot, ctx, "enterprises")
    form = page.new_record()
    fill(form, {**SAMPLES["enterprises"], "known": 1})
    assert not form.save()
    assert "请填写知名企业认定年份" in form.editors["known_year"].message.text()
    fill(form, {"known_year": "2024年"})
    assert form.save()


@pytest.mark.parametrize("kind", KINDS)
def test_search_by_pinyin_initials_and_name(qtbot, ctx, no_dialogs, kind: str) -> None:
    page = make_page(qtbot, ctx, kind)
    add_record(page, SAMPLES[kind])
    add_record(page, OTHER[kind])
    assert page.model.rowCount() == 2
    page.search.setText("xxxg")  # debounced: the model changes only after the timer
    assert page.model.rowCount() == 2
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert names(page) == [SAMPLES[kind]["name"]]
    page.search.setText("艾草")
    page.apply_search()
    assert names(page) == [OTHER[kind]["name"]]
    assert page.count_label.text() == "共 1 条"
    page.search.setText("")
    page.apply_search()
    assert page.model.rowCount() == 2


def test_search_by_credit_code(qtbot, ctx, no_dialogs) -> None:
    page = make_page(qtbot, ctx, "enterprises")
    add_record(page, SAMPLES["enterprises"])
    add_record(page, OTHER["enterprises"])
    page.search.setText(CODE_B[8:14].lower())
    page.apply_search()
    assert names(page) == [OTHER["enterprises"]["name"]]


@pytest.mark.parametrize("kind", KINDS)
def test_status_filter(qtbot, ctx, no_dialogs, kind: str) -> None:
    page = make_page(qtbot, ctx, kind)
    add_record(page, SAMPLES[kind])
    add_record(page, {**OTHER[kind], "status": STOPPED.get(kind, "停运")})
    page.filter_bar.set_filter("status", STOPPED.get(kind, "停运"))
    assert names(page) == [OTHER[kind]["name"]]
    page.filter_bar.set_filter("status", None)
    assert page.model.rowCount() == 2


def test_enterprise_filters_park_belt_mode_known(qtbot, ctx, no_dialogs) -> None:
    parks = make_page(qtbot, ctx, "parks")
    park_id = add_record(parks, SAMPLES["parks"])
    page = make_page(qtbot, ctx, "enterprises")
    add_record(page, {**SAMPLES["enterprises"], "park_id": park_id, "belt_code": "MUSHROOM", "known": 1,
                      "known_year": "2023"})
    add_record(page, {**OTHER["enterprises"], "belt_code": "MUGWORT", "modes": "9810", "brought_in": 1,
                      "brought_in_year": "2022"})
    page.refresh()  # the park list of the filter follows the park ledger
    bar = page.filter_bar
    assert bar.combos["park_id"].findData(park_id) > 0
    for key, value, expected in (("park_id", park_id, "西峡香菇科技有限公司"),
                                 ("belt_code", "MUGWORT", "宛城艾草贸易有限公司"),
                                 ("modes", "9610", "西峡香菇科技有限公司"),
                                 ("category", "known", "西峡香菇科技有限公司"),
                                 ("category", "brought_in", "宛城艾草贸易有限公司")):
        bar.set_filter(key, value)
        assert names(page) == [expected], key
        bar.set_filter(key, None)
    assert page.model.rowCount() == 2
    # Search and filter combine.
    bar.set_filter("belt_code", "MUSHROOM")
    page.search.setText("ycay")
    page.apply_search()
    assert page.model.rowCount() == 0


def test_sort_by_column_in_sql(qtbot, ctx, no_dialogs) -> None:
    page = make_page(qtbot, ctx, "parks")
    add_record(page, {"name": "西峡园", "level": "省级", "area_m2": "50"})
    add_record(page, {"name": "南阳园", "level": "市级", "area_m2": "5"})
    add_record(page, {"name": "淅川园", "level": "县级", "area_m2": "20"})
    col = [c.key for c in page.model.columns].index("area_m2")
    page.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    assert names(page) == ["西峡园", "淅川园", "南阳园"]
    page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # by pinyin initials: nyy, xcy, xxy
    assert names(page) == ["南阳园", "淅川园", "西峡园"]


def test_keyboard(qtbot, ctx, no_dialogs) -> None:
    page = make_page(qtbot, ctx, "parks")
    with qtbot.waitActive(page):
        page.activateWindow()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = page.form
    assert form is not None and form.isVisible() and form.windowTitle() == "新增园区"
    qtbot.waitUntil(lambda: form.editors["name"].widget.hasFocus())  # typing starts in the first field
    fill(form, SAMPLES["parks"])
    qtbot.keyClick(form.editors["name"].widget, Qt.Key.Key_Return)  # Enter saves
    assert not form.isVisible() and page.model.rowCount() == 1
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter opens the selected record
    form = page.form
    assert form.isVisible() and form.windowTitle() == "修改园区"
    form.editors["name"].widget.setText("改了但不保存")
    qtbot.keyClick(form.editors["name"].widget, Qt.Key.Key_Escape)  # Esc cancels
    assert not form.isVisible() and names(page) == [SAMPLES["parks"]["name"]]
    form = page.edit_selected()
    qtbot.waitUntil(form.isActiveWindow)
    form.editors["name"].widget.setText("西峡产业园")
    qtbot.keyClick(form.editors["name"].widget, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert names(page) == ["西峡产业园"] and not form.isVisible()
    page.activateWindow()  # the offscreen platform does not hand activation back by itself
    qtbot.waitUntil(page.isActiveWindow)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert names(page) == [SAMPLES["parks"]["name"]]
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.model.rowCount() == 0
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()


def test_tab_order_follows_the_form(qtbot, ctx, no_dialogs) -> None:
    page = make_page(qtbot, ctx, "enterprises")
    form = page.new_record()
    fill(form, {"credit_code": BAD_CHECK})  # makes the override checkbox appear after the code

    def tab_chain(start, count):
        out, w = [start], start
        while len(out) < count:
            w = w.nextInFocusChain()
            if (w.focusPolicy() & Qt.FocusPolicy.TabFocus) and w.isVisibleTo(form) and w.isEnabled():
                out.append(w)
        return out

    expected = [form.editors[f.name].focus_widget for f in page.kind.fields]
    expected.insert(2, form.override_box)
    expected += list(form.volume_editor.edits.values()) + [form.save_button, form.cancel_button]
    names_of = [w.objectName() or w.text() for w in tab_chain(expected[0], len(expected))]
    assert names_of[:6] == ["field_name", "field_credit_code", "credit_override", "field_park_id",
                            "field_belt_code", "field_main_products"]
    assert names_of == [w.objectName() or w.text() for w in expected]


def test_nothing_to_undo(qtbot, ctx, no_dialogs) -> None:
    page = make_page(qtbot, ctx, "parks")
    assert page.undo() is None
    assert page.status.text() == "没有可撤销的台账改动"


def test_model_passes_qtmodeltester(qtbot, qtmodeltester, ctx, no_dialogs) -> None:
    page = make_page(qtbot, ctx, "enterprises")
    for i in range(5):
        add_record(page, {"name": f"测试企业{i}", "credit_code": credit.make_valid(f"91411323MA4{i}TEQ01")})
    qtmodeltester.check(page.model)
    page.search.setText("csqy")
    page.apply_search()
    qtmodeltester.check(page.model)


def test_model_fetches_blocks_on_demand(qtbot, ctx) -> None:
    from desktop.gui.ledger_model import BLOCK_SIZE, Column, LedgerTableModel

    calls: list[int] = []

    def fetch(store, kind, ids):
        calls.append(len(ids))
        return {i: {"name": f"企业{i}"} for i in ids}

    ids = list(range(1, 1001))
    model = LedgerTableModel(ctx.store, "enterprises", [Column("name", "企业名称", sort_key="name")],
                             list_ids=lambda *a, **k: ids, fetch_rows=fetch)
    model.refresh()
    assert model.rowCount() == 1000 and calls == []
    assert model.index(0, 0).data() == "企业1"
    assert model.index(BLOCK_SIZE - 1, 0).data() == f"企业{BLOCK_SIZE}"
    assert calls == [BLOCK_SIZE]
    assert model.index(999, 0).data() == "企业1000"
    assert calls == [BLOCK_SIZE, BLOCK_SIZE]
    assert model.cached_count() == 2 * BLOCK_SIZE


def test_recent_queries_are_reused_until_the_data_changes(qtbot, ctx) -> None:
    from desktop.gui.ledger_model import Column, LedgerTableModel

    queries: list[str] = []
    rows = {"": [1, 2, 3], "a": [1, 2], "ab": [2]}

    def list_ids(store, kind, *, search="", **kw):
        queries.append(search)
        return rows[search]

    model = LedgerTableModel(ctx.store, "parks", [Column("name", "园区名称")], list_ids=list_ids,
                             fetch_rows=lambda s, k, ids: {i: {"name": str(i)} for i in ids})
    model.refresh()
    for term in ("a", "ab", "a", ""):  # typing, then erasing
        model.set_query(search=term)
    assert queries == ["", "a", "ab"] and model.rowCount() == 3
    rows[""] = [1, 2, 3, 4]
    model.set_query(search="", fresh=True)  # after a write the database is asked again
    assert queries == ["", "a", "ab", ""] and model.rowCount() == 4


def test_export_current_filtered_table(qtbot, ctx, no_dialogs, tmp_path: Path) -> None:
    import openpyxl

    page = make_page(qtbot, ctx, "enterprises")
    add_record(page, SAMPLES["enterprises"])
    add_record(page, OTHER["enterprises"])
    page.search.setText("xxxg")
    page.apply_search()
    out = tmp_path / "导出.xlsx"
    assert page.export_excel(str(out))
    qtbot.waitUntil(lambda: "已导出" in page.status.text(), timeout=10000)
    assert page.status.text() == f"已导出 1 条到“{out}”"
    ws = openpyxl.load_workbook(out).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row]
    assert "西峡香菇科技有限公司" in cells and "宛城艾草贸易有限公司" not in cells


def test_export_button_asks_where_to_save(qtbot, ctx, no_dialogs, tmp_path: Path, monkeypatch) -> None:
    import desktop.gui.pages.ledgers as page_mod

    page = make_page(qtbot, ctx, "parks")
    add_record(page, SAMPLES["parks"])
    asked: list[str] = []

    def save_name(parent, title, default, filters):
        asked.append(default)
        return str(tmp_path / "园区"), filters

    monkeypatch.setattr(page_mod.QFileDialog, "getSaveFileName", save_name)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert asked and asked[0].endswith("西峡县园区台账.xlsx")
    qtbot.waitUntil(lambda: "已导出" in page.status.text(), timeout=10000)
    assert (tmp_path / "园区.xlsx").is_file()


def test_municipal_pages_are_read_only_with_unit_filter(qtbot, municipal_dir: Path, municipal_store, no_dialogs) -> None:
    from desktop.gui.context import AppContext
    from desktop.gui.pages.ledgers import create_pages

    for unit, name in (("411323", "西峡香菇电商产业园"), ("411324", "镇平玉雕产业园")):
        ledger_store.create(municipal_store, "parks", {"name": name, "level": "县级", "unit_code": unit},
                            operator="导入")
    ctx = AppContext(municipal_store, DataDir(municipal_dir))
    pages = create_pages(ctx)
    assert [p.page_title for p in pages] == ["园区台账", "企业台账", "培训孵化基地台账", "海外仓台账",
                                             "直播基地台账", "O2O体验店台账"]
    page = pages[0]
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    assert page.model.rowCount() == 2
    assert page.model.columns[0].header == "填报单位"
    assert not page.new_button.isVisible() and not page.delete_button.isVisible()
    assert page.new_record() is None and page.delete_selected() is False and page.undo() is None
    page.filter_bar.set_filter("unit_code", "411324")
    assert names(page) == ["镇平玉雕产业园"]
    assert page.model.index(0, 0).data() == "镇平县"
    form = page.edit_selected()
    assert form.read_only and not form.save_button.isVisible() and not form.save()
    form.reject()
    for p in pages[1:]:
        p.deleteLater()


def test_pages_in_main_window_follow_changes_made_elsewhere(qtbot, county_dir: Path, no_dialogs) -> None:
    from desktop.gui import main_window
    from desktop.gui.context import AppContext
    from desktop.storage.db import Store

    assert "desktop.gui.pages.ledgers" in main_window.PAGE_MODULES
    store = Store.open(county_dir)
    ctx = AppContext(store, DataDir(county_dir))
    window = main_window.MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    titles = window.page_titles()
    for title in ("园区台账", "企业台账", "培训孵化基地台账", "海外仓台账", "直播基地台账", "O2O体验店台账"):
        assert title in titles
    page = window.page_by_title("企业台账")
    window.show_page(window.pages.index(page))
    assert window.current_page() is page and page.model.rowCount() == 0
    # A write elsewhere (the importer, another page) is announced; the shown page re-queries.
    ledger_store.create(store, "enterprises", SAMPLES["enterprises"], operator="张三")
    ctx.notify("enterprise")
    assert names(page) == [SAMPLES["enterprises"]["name"]]
    window.close()
    ctx.wait_for_workers()
    store.close()
