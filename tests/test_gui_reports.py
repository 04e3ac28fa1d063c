"""报表 page through pytest-qt: preview, save off the GUI thread, open folder, narrative text."""
from __future__ import annotations


import pytest
from PySide6.QtCore import Qt

import test_report_data as hand
from desktop.core.periods import Period
from desktop.reporting.narrative import load_texts



@pytest.fixture
def page(qtbot, county_store, county_ctx, monkeypatch):
    from desktop.gui.pages import reports as page_mod

    hand.fill(county_store)
    errors: list[str] = []
    monkeypatch.setattr(page_mod, "show_error", lambda parent, exc, *a: errors.append(str(exc)))
    p = page_mod.ReportsPage(county_ctx)
    qtbot.addWidget(p)
    p.errors = errors
    p.picker.set_period(Period.parse("2025Q3"))
    return p


def test_preview_model_passes_qtmodeltester(qtmodeltester, county_store):
    from desktop.gui.pages.reports import ReportTableModel
    from desktop.reporting.registry import build_report

    hand.fill(county_store)
    model = ReportTableModel()
    model.set_table(build_report(county_store, "1", "2025Q3").tables[0])
    qtmodeltester.check(model)


def test_preview_draws_the_model_with_its_header_block(page, qtbot):
    page.select_report("T1")
    page.preview()
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10000)
    m = page.model
    assert m.data(m.index(0, 0)) == "一、跨境电商交易额" and m.data(m.index(0, 2)) == "850.00"
    assert m.headerData(3, Qt.Orientation.Horizontal) == "累计\n本年累计"
    assert "南跨电统1表" in page.head.text() and "填报单位（盖章）：西峡县" in page.head.text()
    assert not page.units.isEnabled() and not page.progress.isVisibleTo(page) and page.errors == []


def test_save_both_off_the_gui_thread_and_open_folder(page, qtbot, tmp_path, monkeypatch):
    from desktop.gui.pages import reports as page_mod

    opened: list[str] = []
    monkeypatch.setattr(page_mod.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    out = tmp_path / "输出"
    page.set_output_dir(out)
    page.select_report("T2")
    assert not page.open_folder.isEnabled()
    page.save("both")
    assert page.busy and page.progress.isVisibleTo(page)
    qtbot.waitUntil(lambda: not page.busy, timeout=15000)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["西峡县_表2_跨境电商企业名录_2025Q3.pdf", "西峡县_表2_跨境电商企业名录_2025Q3.xlsx"]
    assert "已保存" in page.status.text() and page.open_folder.isEnabled()
    page.open_folder.click()
    assert opened == [str(out)]


def test_errors_reach_the_clerk(page, qtbot, tmp_path, monkeypatch):
    from desktop.reporting import fonts

    with page.ctx.store.atomic():
        page.ctx.store.set_setting(fonts.SETTING_KEY, str(tmp_path / "nofont.ttf"))
    page.set_output_dir(tmp_path / "out")
    page.select_report("T1")
    page.save("pdf")
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)
    assert page.errors and "nofont.ttf" in page.errors[0]
    assert page.save_pdf.isEnabled() and page.status.text() == "未生成。"


def test_narrative_text_is_written_in_the_window(page, qtbot, tmp_path):
    page.select_report("T8")
    assert page.texts_box.isVisibleTo(page) and not page.save_xlsx.isEnabled()
    page.editors["problems"].setPlainText("冷链物流成本偏高。")
    page.save_texts()
    assert load_texts(page.ctx.store, hand.UNIT, Period.parse("2025Q3")) == {"problems": "冷链物流成本偏高。"}
    page.preview()
    qtbot.waitUntil(lambda: page.report is not None, timeout=10000)
    html = page.narrative.toPlainText()
    assert "冷链物流成本偏高。" in html and "1—9月，全县跨境电商交易额950.00万元" in html
