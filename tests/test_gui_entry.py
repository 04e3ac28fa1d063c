"""数据填报 page and grid model through pytest-qt: typing, validation colours, save, 报送, 更正, 退回."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent

from desktop.gui.entry_model import ERROR_BG, EXPLAINED_BG, WARNING_BG, EntryGridModel
from desktop.storage import entry
from desktop.storage.entry import TOTAL_CATEGORY
from desktop.storage.paths import DataDir

UNIT = "411323"



@pytest.fixture
def ctx(county_ctx):
    return county_ctx


@pytest.fixture
def page(qtbot, ctx, monkeypatch):
    from desktop.gui.pages import entry as page_mod

    errors: list[str] = []
    monkeypatch.setattr(page_mod, "show_error", lambda parent, exc, *a: errors.append(str(exc)))
    entry.save_values(ctx.store, UNIT, "2024-09", {("CBEC_EXPORT", "9710"): 1_000_000, ("TRAINEES", ""): 40}, {},
                      operator="张三")
    entry.save_values(ctx.store, UNIT, "2025-08", {("CBEC_EXPORT", "9710"): 1_100_000}, {}, operator="张三")
    p = page_mod.EntryPage(ctx)
    qtbot.addWidget(p)
    p.errors = errors
    p.ask_confirm = lambda text: True
    p.set_period("2025-09")
    p.resize(1000, 700)
    p.show()
    return p


def _type(page, key, text):
    idx = page.model.index_of(key)
    assert idx.isValid()
    assert page.model.setData(idx, text)
    return idx


def _key(widget, key, text=""):
    from PySide6.QtWidgets import QApplication

    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text))


def _bg(model, key):
    brush = model.data(model.index_of(key), Qt.ItemDataRole.BackgroundRole)
    return None if brush is None else brush.color()


def test_model_passes_qtmodeltester(qtmodeltester, county_store):
    entry.save_values(county_store, UNIT, "2025-09", {("CBEC_EXPORT", "9610"): 12_345_600,
                                                      ("CBEC_EXPORT", TOTAL_CATEGORY): 12_345_700},
                      {("CBEC_EXPORT", TOTAL_CATEGORY): "海关口径"}, operator="张三")
    model = EntryGridModel(county_store)
    model.load(UNIT, "2025-09", read_only=False)
    qtmodeltester.check(model)
    model.load(UNIT, "2025Q3", read_only=True)
    qtmodeltester.check(model)


def test_grid_layout_and_compare_lines(page):
    m = page.model
    assert m.columnCount() == 7  # label + 5 options + 合计
    assert m.data(m.index(0, 0)) == "出口（按监管方式）"
    assert [m.data(m.index(0, c)) for c in range(1, 7)] == ["9610", "9710", "9810", "1210", "其他", "合计"]
    idx = m.index_of(("CBEC_EXPORT", "9710"))
    assert m.data(idx, Qt.ItemDataRole.UserRole + 1) == "上期 110.00\n同期 100.00"
    assert "上年同期（2024-09）：100.00" in m.data(idx, Qt.ItemDataRole.ToolTipRole)
    page.view.setCurrentIndex(idx)
    assert "上期（2025-08）：110.00" in page.cell_info.text()
    assert not m.flags(m.index(0, 1)) & Qt.ItemFlag.ItemIsEditable  # section row
    assert m.flags(idx) & Qt.ItemFlag.ItemIsEditable


def test_typed_values_are_validated_as_typed(page):
    m = page.model
    _type(page, ("CBEC_EXPORT", "9710"), "160")  # 160 万元 vs 100 万元 last year: +60 %
    assert m.pending == {("CBEC_EXPORT", "9710"): 1_600_000}
    assert _bg(m, ("CBEC_EXPORT", "9710")) == WARNING_BG
    assert m.data(m.index_of(("CBEC_EXPORT", TOTAL_CATEGORY))) == "160.00"  # computed 合计
    _type(page, ("TRAINING_SESSIONS", ""), "-2")
    assert _bg(m, ("TRAINING_SESSIONS", "")) == ERROR_BG
    _type(page, ("TRAINEES", ""), "abc")
    assert _bg(m, ("TRAINEES", "")) == ERROR_BG
    assert m.data(m.index_of(("TRAINEES", ""))) == "abc"
    assert page.summary.text() == "2 个错误，1 个警告待填写说明（有未保存的修改）"
    page.save()
    assert page.errors and "不是有效数字" in page.errors[-1]
    assert page.ctx.store.scalar("SELECT count(*) FROM indicator_value WHERE period = '2025-09'") == 0


def test_explanation_turns_warning_explained(page):
    m = page.model
    idx = _type(page, ("CBEC_EXPORT", "9710"), "160")
    page.view.setCurrentIndex(idx)
    assert "超过±50%" in page.cell_issues.text()
    page.comment.setPlainText("新增两家B2B出口企业")
    assert _bg(m, ("CBEC_EXPORT", "9710")) == EXPLAINED_BG
    assert page.save()
    row = page.ctx.store.query("SELECT value, comment FROM indicator_value WHERE period = '2025-09'")
    assert row == [{"value": 1_600_000, "comment": "新增两家B2B出口企业"}]
    assert not m.dirty and page.summary.text() == "1 个警告已说明"


def test_typing_with_key_events_and_enter_moves_on(page, qtbot):
    view = page.view
    view.setFocus()
    start = page.model.index_of(("TRAINEES", ""))
    view.setCurrentIndex(start)
    _key(view, Qt.Key.Key_3, "3")  # any key opens the editor with that text
    editor = view.focusWidget()
    assert editor is not view
    _key(editor, Qt.Key.Key_5, "5")
    assert editor.text() == "35"
    _key(editor, Qt.Key.Key_Return)  # Enter commits and moves to the next editable cell
    qtbot.waitUntil(lambda: bool(page.model.pending))  # Qt commits the editor with a queued call
    assert page.model.pending == {("TRAINEES", ""): 35}
    assert page.model.key_at(view.currentIndex()) == ("LIVESTREAM_SALES", "")


def test_tab_skips_section_rows_and_labels(page):
    view = page.view
    view.setCurrentIndex(page.model.index_of(("CBEC_EXPORT", "OTHER")))
    nxt = view.moveCursor(view.CursorAction.MoveNext, Qt.KeyboardModifier.NoModifier)
    assert page.model.key_at(nxt) == ("CBEC_IMPORT", "9610")  # over 合计 and the section row
    prv = view.neighbour(nxt, forward=False)
    assert page.model.key_at(prv) == ("CBEC_EXPORT", "OTHER")


def test_total_column_computed_until_a_control_total_is_typed(page):
    m, store = page.model, page.ctx.store
    key = ("CBEC_IMPORT", TOTAL_CATEGORY)
    _type(page, ("CBEC_IMPORT", "9610"), "10")
    _type(page, ("CBEC_IMPORT", "OTHER"), "2.5")
    total = m.index_of(key)
    assert m.data(total) == "12.50" and m.data(total, Qt.ItemDataRole.EditRole) == ""
    assert m.data(total, Qt.ItemDataRole.FontRole).italic()  # computed: the sum of the parts
    assert m.data(total, Qt.ItemDataRole.ToolTipRole).startswith("跨境电商进口额·合计（分项之和）\n")
    assert m.flags(total) & Qt.ItemFlag.ItemIsEditable
    page.view.setCurrentIndex(total)
    assert page.cell_info.text().startswith("本期：12.50 万元")
    assert not page.comment.isEnabled()  # nothing typed, nothing to explain

    assert m.setData(total, "13")  # the customs total the clerk received
    assert m.pending[key] == 130_000
    assert m.data(total) == "13.00" and m.data(total, Qt.ItemDataRole.FontRole) is None
    assert _bg(m, key) == WARNING_BG
    caption = "跨境电商进口额·合计（填报数，分项之和为 12.50万元）"
    assert m.data(total, Qt.ItemDataRole.ToolTipRole).startswith(caption + "\n")
    assert page.cell_title.text() == caption
    assert "合计 13.00万元 与分项之和 12.50万元 不相等" in page.cell_issues.text()
    assert page.summary.text() == "1 个警告待填写说明（有未保存的修改）"
    assert page.comment.isEnabled()
    page.comment.setPlainText("海关统计含跨月申报的清单")
    assert _bg(m, key) == EXPLAINED_BG
    assert page.save()
    assert store.query("SELECT value, comment FROM indicator_value WHERE category = 'TOTAL'") == [
        {"value": 130_000, "comment": "海关统计含跨月申报的清单"}]
    total = m.index_of(key)
    assert (m.data(total), _bg(m, key), page.summary.text()) == ("13.00", EXPLAINED_BG, "1 个警告已说明")

    _type(page, ("CBEC_IMPORT", "OTHER"), "3")  # the parts now add up to the total
    assert m.cell_level(key) is None and page.summary.text() == "校验通过（有未保存的修改）"
    page.view.setFocus()
    page.view.setCurrentIndex(total)
    _key(page.view, Qt.Key.Key_Delete)  # clearing the 合计 deletes the typed total
    assert m.pending[key] is None
    assert m.data(total) == "13.00" and m.data(total, Qt.ItemDataRole.FontRole).italic()
    assert page.cell_title.text() == "跨境电商进口额·合计（分项之和）"
    page.save()
    assert store.scalar("SELECT count(*) FROM indicator_value WHERE category = 'TOTAL'") == 0
    assert store.scalar("SELECT row_key FROM audit_log WHERE action = 'delete'") == "411323/2025-09/CBEC_IMPORT/TOTAL"


def test_unexplained_total_blocks_submit(page):
    _type(page, ("CBEC_EXPORT", "9710"), "120")
    _type(page, ("CBEC_EXPORT", TOTAL_CATEGORY), "121")
    page.submit()
    assert "有 1 个问题，处理后才能报送" in page.errors[-1]
    assert entry.submission_state(page.ctx.store, UNIT, "2025-09").state == "open"
    page.view.setCurrentIndex(page.model.index_of(("CBEC_EXPORT", TOTAL_CATEGORY)))
    page.comment.setPlainText("海关总数含退运")
    page.submit()
    assert entry.submission_state(page.ctx.store, UNIT, "2025-09").state == "submitted"
    m = page.model
    total = m.index_of(("CBEC_EXPORT", TOTAL_CATEGORY))
    assert m.read_only and not m.flags(total) & Qt.ItemFlag.ItemIsEditable and not m.setData(total, "")
    assert m.data(total) == "121.00"


def test_submit_refused_then_submitted_and_locked(page):
    store = page.ctx.store
    _type(page, ("TRAINEES", ""), "100")  # +150 % against 40 last year
    page.submit()
    assert "有 1 个问题，处理后才能报送" in page.errors[-1]
    assert entry.submission_state(store, UNIT, "2025-09").state == "open"
    assert store.scalar("SELECT value FROM indicator_value WHERE indicator_code = 'TRAINEES' AND period = '2025-09'") == 100
    page.view.setCurrentIndex(page.model.index_of(("TRAINEES", "")))
    page.comment.setPlainText("新培训基地投用")
    page.submit()
    sub = entry.submission_state(store, UNIT, "2025-09")
    assert (sub.state, sub.version) == ("submitted", 1)
    assert page.banner.isVisible() and page.banner.text().startswith("已报送，如需更正请点击更正")
    assert page.model.read_only
    assert not page.model.flags(page.model.index_of(("TRAINEES", ""))) & Qt.ItemFlag.ItemIsEditable
    assert not page.model.setData(page.model.index_of(("TRAINEES", "")), "5")
    assert page.correct_button.isEnabled() and not page.submit_button.isEnabled()
    assert store.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'submission' AND action = 'submit'") == 1


def test_correct_reopens_with_reason(page):
    store = page.ctx.store
    _type(page, ("TRAINING_SESSIONS", ""), "3")
    page.submit()
    page.ask_text = lambda title, label: None  # cancelled: nothing happens
    page.correct()
    assert entry.submission_state(store, UNIT, "2025-09").state == "submitted"
    page.ask_text = lambda title, label: "培训场次漏报一场"
    page.correct()
    sub = entry.submission_state(store, UNIT, "2025-09")
    assert (sub.state, sub.version, sub.reason) == ("reopened", 2, "培训场次漏报一场")
    assert page.banner.text() == "更正中（第2版），更正原因：培训场次漏报一场。修改后请重新报送"
    assert not page.model.read_only
    _type(page, ("TRAINING_SESSIONS", ""), "4")
    page.submit()
    assert entry.submission_state(store, UNIT, "2025-09").version == 2
    assert page.state_label.text() == "状态：已报送 · 第2版"
    assert store.scalar("SELECT reason FROM audit_log WHERE action = 'reopen'") == "培训场次漏报一场"


def test_returned_period_shows_note(page):
    store = page.ctx.store
    _type(page, ("TRAINING_SESSIONS", ""), "3")
    page.submit()
    entry.return_period(store, UNIT, "2025-09", note="培训场次与基地台账不符，请核实", operator="市综试办")
    page.refresh()
    assert page.banner.text().startswith("市综试办退回修改：培训场次与基地台账不符，请核实")
    assert not page.model.read_only and page.submit_button.isEnabled()


def test_unsaved_edits_saved_when_period_changes(page):
    _type(page, ("TRAINING_SESSIONS", ""), "7")
    page.set_period("2025-10")
    assert page.ctx.store.scalar("SELECT value FROM indicator_value WHERE period = '2025-09'"
                                 " AND indicator_code = 'TRAINING_SESSIONS'") == 7
    assert page.model.grid.period == "2025-10"
    page.set_period("2025Q3")
    assert [r.indicator.code for r in page.model.grid.rows] == ["INCUBATED"]


def test_municipal_view_is_read_only_and_can_return(qtbot, municipal_store, municipal_dir, monkeypatch):
    from desktop.gui.context import AppContext
    from desktop.gui.pages import entry as page_mod

    # A county's submitted figures as they arrive in the municipal database.
    with municipal_store.atomic() as conn:
        conn.execute("INSERT INTO indicator_value VALUES ('411323', '2025-09', 'TRAINEES', '', 12, NULL, 'x', 'x')")
        conn.execute("INSERT INTO submission VALUES ('411323', '2025-09', 'submitted', 1, '2025-10-05T09:00:00',"
                     " '张三', NULL, 'x')")
    ctx = AppContext(municipal_store, DataDir(municipal_dir))
    p = page_mod.EntryPage(ctx)
    qtbot.addWidget(p)
    p.set_period("2025-09")
    p._units.setCurrentIndex(p._units.findData(UNIT))
    assert p.model.read_only and p.model.value(("TRAINEES", "")) == 12
    assert p.save_button.isHidden() and p.return_button.isEnabled()
    p.ask_text = lambda title, label: "培训人次偏低，请核实"
    p.return_to_unit()
    sub = entry.submission_state(municipal_store, UNIT, "2025-09")
    assert (sub.state, sub.version, sub.return_note) == ("returned", 2, "培训人次偏低，请核实")


def test_delete_key_clears_a_saved_value(page):
    _type(page, ("TRAINING_SESSIONS", ""), "6")
    page.save()
    page.view.setFocus()
    page.view.setCurrentIndex(page.model.index_of(("TRAINING_SESSIONS", "")))
    _key(page.view, Qt.Key.Key_Delete)
    assert page.model.pending == {("TRAINING_SESSIONS", ""): None}
    page.save()
    assert page.ctx.store.scalar("SELECT count(*) FROM indicator_value WHERE period = '2025-09'") == 0
    assert page.ctx.store.scalar("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == "delete"


def test_entry_page_on_county_demo(qtbot, county_demo_page, tmp_path):
    """The page in the main window on demo data: an open month with warnings, a submitted month
    locked with the banner, a corrected month at version 2; screenshot saved to
    $CBEC_SCREENSHOT_DIR/entry.png when set (docs/screenshots)."""
    import os
    from pathlib import Path

    from desktop.gui.pages.entry import LOCKED_TEXT
    window, page = county_demo_page("数据填报")
    page.set_period("2026-10")
    assert page.model.grid.submission.state == "submitted"
    assert page.banner.text().startswith(LOCKED_TEXT) and page.model.read_only
    page.set_period("2026-08")
    assert (page.model.grid.submission.version, page.state_label.text()) == (2, "状态：已报送 · 第2版")
    page.set_period("2026-11")
    assert page.model.grid.submission.state == "open" and not page.model.read_only
    assert page.model.value(("CBEC_EXPORT", "9710")) > 0
    warned = [k for k in page.model.issues if page.model.cell_level(k) == "warning"]
    assert warned
    page.view.setCurrentIndex(page.model.index_of(warned[0]))
    assert "超过±50%" in page.cell_issues.text()
    m, total = page.model, ("CBEC_EXPORT", TOTAL_CATEGORY)
    parts = m.computed_total("CBEC_EXPORT")
    _type(page, total, f"{(parts + 123_400) / 10_000:.2f}")  # a customs total 12.34 万元 above the parts
    page.view.setCurrentIndex(m.index_of(total))
    assert m.cell_level(total) == "warning" and page.cell_title.text().startswith("跨境电商出口额·合计（填报数，分项之和为")
    qtbot.wait(50)
    out = Path(os.environ.get("CBEC_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(out / "entry.png"))


def test_editor_is_coloured_while_typing(page):
    from PySide6.QtWidgets import QLineEdit

    view = page.view
    view.setFocus()
    view.setCurrentIndex(page.model.index_of(("CBEC_EXPORT", "9710")))
    _key(view, Qt.Key.Key_1, "1")
    editor = view.focusWidget()
    assert isinstance(editor, QLineEdit)
    for key, ch in ((Qt.Key.Key_6, "6"), (Qt.Key.Key_0, "0")):  # 160 万元: +60 % on last year
        _key(editor, key, ch)
    assert WARNING_BG.name() in editor.styleSheet()
    assert "超过±50%" in editor.toolTip()
    _key(editor, Qt.Key.Key_Backspace)  # 16 万元: -84 %
    assert WARNING_BG.name() in editor.styleSheet()
    editor.clear()
    _key(editor, Qt.Key.Key_X, "x")
    assert ERROR_BG.name() in editor.styleSheet()
    assert page.model.pending == {}  # nothing is committed while typing
