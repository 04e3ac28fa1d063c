"""重点任务台账 page through pytest-qt: status change, filter, carried-over status, municipal view."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, Qt

from desktop.storage import tasks
from desktop.storage.paths import DataDir

UNIT = "411323"



@pytest.fixture
def page(qtbot, county_ctx, monkeypatch):
    from desktop.gui.pages import tasks as page_mod

    errors: list[str] = []
    monkeypatch.setattr(page_mod, "show_error", lambda parent, exc, *a: errors.append(str(exc)))
    p = page_mod.TasksPage(county_ctx)
    qtbot.addWidget(p)
    p.errors = errors
    p.set_quarter("2025Q3")
    return p


def _select(page, no):
    page.view.selectRow(page.model.row_of(no))


def test_model_passes_qtmodeltester(qtmodeltester, county_store):
    from desktop.gui.pages.tasks import TaskLedgerModel

    tasks.save_progress(county_store, UNIT, "2025Q3", 20, status="推进中", progress="直播基地开播", operator="张三")
    model = TaskLedgerModel(county_store)
    model.load(UNIT, "2025Q3")
    qtmodeltester.check(model)


def test_lists_unit_tasks_with_lead(page):
    m = page.model
    assert m.rowCount() == 10
    assert [m.data(m.index(r, 0)) for r in range(m.rowCount())] == ["2", "3", "4", "5", "6", "8", "20", "21", "22", "23"]
    r = m.row_of(20)
    assert m.data(m.index(r, 1)) == "发展“跨境电商+直播”"
    assert m.data(m.index(r, 2)) == "市商务局"
    assert m.data(m.index(r, 3)) == "未启动"
    assert page.counts.text() == "未启动 10　推进中 0　已完成 0　长期推进 0"
    assert page.notice.isHidden()


def test_status_change_through_page(page):
    _select(page, 20)
    assert page.task_title.text().startswith("任务20　发展“跨境电商+直播”")
    page.status.setCurrentText("推进中")
    page.progress.setPlainText("建成直播基地1个，孵化主播32名")
    page.next_steps.setPlainText("培训主播50名")
    page.date.setDate(QDate(2025, 9, 28))
    assert page.save()
    row = page.ctx.store.query("SELECT status, progress, next_steps, progress_date FROM task_progress")
    assert row == [{"status": "推进中", "progress": "建成直播基地1个，孵化主播32名", "next_steps": "培训主播50名",
                    "progress_date": "2025-09-28"}]
    assert page.current_no() == 20  # the saved task stays selected
    m = page.model
    assert m.data(m.index(m.row_of(20), 3)) == "推进中"
    assert m.data(m.index(m.row_of(20), 6)) == "2025-09-28"
    assert page.counts.text() == "未启动 9　推进中 1　已完成 0　长期推进 0"
    assert page.ctx.store.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'task_progress'") == 1
    page.status.setCurrentText("已完成")
    assert page.save()
    assert page.ctx.store.scalar("SELECT status FROM task_progress") == "已完成"
    assert page.ctx.store.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'task_progress'") == 2


def test_filter_by_status(page):
    _select(page, 23)
    page.status.setCurrentText("长期推进")
    page.save()
    page.set_status_filter("长期推进")
    assert page.model.numbers == [23]
    page.set_status_filter("已完成")
    assert page.model.rowCount() == 0
    assert page.task_title.text() == "（没有符合条件的任务）" and not page.save_button.isEnabled()
    page.set_status_filter(None)
    assert page.model.rowCount() == 10


def test_carried_over_status_shown_in_next_quarter(page):
    _select(page, 6)
    page.status.setCurrentText("推进中")
    page.progress.setPlainText("举办培训3期")
    page.save()
    page.set_quarter("2025Q4")
    m = page.model
    assert m.data(m.index(m.row_of(6), 3)) == "推进中（沿用2025年第三季度）"
    assert m.data(m.index(m.row_of(6), 4)) == ""
    bg = m.data(m.index(m.row_of(6), 3), Qt.ItemDataRole.BackgroundRole).color().name()
    assert bg == "#fff4cc"


def test_plan_end_notice(page):
    page.set_quarter("2026Q1")
    assert not page.notice.isHidden()
    assert page.notice.text().startswith("2026年尚无新规划的任务清单")


def test_municipal_view_is_read_only_with_unit_chooser(qtbot, municipal_store, municipal_dir):
    from desktop.gui.context import AppContext
    from desktop.gui.pages.tasks import TasksPage

    with municipal_store.atomic() as conn:
        conn.execute("INSERT INTO task_progress VALUES ('411324', '2025Q3', 'NY2021', 23, '推进中', '零售出口试点',"
                     " '', '2025-09-30', 'x')")
    p = TasksPage(AppContext(municipal_store, DataDir(municipal_dir)))
    qtbot.addWidget(p)
    p.set_quarter("2025Q3")
    p.units.setCurrentIndex(p.units.findData("411324"))
    m = p.model
    assert m.data(m.index(m.row_of(23), 3)) == "推进中"
    assert p.save_button.isHidden() and p.progress.isReadOnly() and not p.status.isEnabled()
    assert not p.save()
    p.units.setCurrentIndex(p.units.findData("411302"))  # 宛城区: no pilot task
    assert 23 not in p.model.numbers


def test_tasks_page_on_county_demo(qtbot, county_demo_page, tmp_path):
    """The ledger in the main window on demo data; screenshot saved to
    $CBEC_SCREENSHOT_DIR/tasks.png when set (docs/screenshots)."""
    import os
    from pathlib import Path

    window, page = county_demo_page("重点任务台账")
    page.set_quarter("2025Q3")
    m = page.model
    assert m.rowCount() == 10
    assert all(m.data(m.index(r, 4)) for r in range(m.rowCount()))  # every task has progress text
    counts = tasks.task_ledger(window.ctx.store, UNIT, "2025Q3").counts()
    assert sum(counts.values()) == 10
    assert page.counts.text() == "　".join(f"{k} {v}" for k, v in counts.items())
    qtbot.wait(50)
    out = Path(os.environ.get("CBEC_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(out / "tasks.png"))
