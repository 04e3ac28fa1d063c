"""Home page on hand-built data: the numbers shown are the expected ones written here."""
from __future__ import annotations

from datetime import date

import pytest

from desktop.storage.db import now_iso


def put_months(store, unit: str, indicator: str, category: str, year: int, months: range, value: int) -> None:
    with store.atomic() as conn:
        conn.executemany(
            "INSERT INTO indicator_value(unit_code, period, indicator_code, category, value, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(unit, f"{year}-{m:02d}", indicator, category, value, now_iso()) for m in months])


def put_ledgers(store, unit: str) -> None:
    with store.atomic() as conn:
        for i, (known, year) in enumerate([(1, 2024), (0, None), (0, None)]):
            conn.execute(
                "INSERT INTO enterprise(uid, unit_code, name, credit_code, known, known_year, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (f"e{unit}{i}", unit, f"企业{i}", f"91{unit}MA4000{i:04d}", known, year, now_iso()))
        conn.execute("INSERT INTO park(uid, unit_code, name, level, certified_year, updated_at)"
                     " VALUES (?, ?, '西峡跨境电商产业园', '市级', 2023, ?)", (f"p{unit}", unit, now_iso()))


@pytest.fixture
def county_data(county_store):
    # 2025: export 9710 80 万元/month, import 1210 20 万元/month; 2026 Jan–Nov: 100 and 20 万元.
    put_months(county_store, "411323", "CBEC_EXPORT", "9710", 2025, range(1, 13), 800_000)
    put_months(county_store, "411323", "CBEC_IMPORT", "1210", 2025, range(1, 13), 200_000)
    put_months(county_store, "411323", "CBEC_EXPORT", "9710", 2026, range(1, 12), 1_000_000)
    put_months(county_store, "411323", "CBEC_IMPORT", "1210", 2026, range(1, 12), 200_000)
    put_ledgers(county_store, "411323")
    return county_store


def make_page(qtbot, store, data_dir, today: date):
    from desktop.gui.context import AppContext
    from desktop.gui.pages.home import HomePage
    from desktop.storage.paths import DataDir

    ctx = AppContext(store, DataDir(data_dir))
    page = HomePage(ctx)
    qtbot.addWidget(page)
    page.today = today
    page.refresh()
    return page


def test_county_home_without_plan_compares_with_last_year(qtbot, county_data, county_dir):
    page = make_page(qtbot, county_data, county_dir, date(2026, 12, 3))
    assert page.heading.text() == "西峡县 2026年1—11月 跨境电商主要指标"
    assert page.plan_note.text() == "本年度无规划目标，与上年同期比较"
    volume = page.flow_cards["VOLUME"]
    assert volume.value_text() == "1,320.00 万元"          # 11 × (100 + 20) 万元
    assert "上年同期（2025年1—11月）：1,100.00 万元" in volume.detail_text()
    assert "同比：+20.0%" in volume.detail_text()
    assert "年度目标" not in volume.detail_text()
    assert page.flow_cards["EXPORT"].value_text() == "1,100.00 万元"
    assert "同比：+25.0%" in page.flow_cards["EXPORT"].detail_text()
    assert page.flow_cards["IMPORT"].value_text() == "220.00 万元"
    assert "同比：0.0%" in page.flow_cards["IMPORT"].detail_text()
    assert page.count_cards["ENTERPRISES"].value_text() == "3 家"
    assert page.count_cards["KNOWN_ENTERPRISES"].value_text() == "1 家"
    assert page.count_cards["PARKS"].value_text() == "1 个"
    assert page.count_cards["WAREHOUSES"].value_text() == "0 个"
    # No per-unit split of the plan's milestones: the page says so instead of an empty table.
    assert page.milestones.rows == [] and page.milestones.isHidden()
    assert "尚未向本单位分解" in page.milestone_note.text()
    chart = page.chart.series_values
    assert [str(v) for v in chart["2026年"][:2]] == ["120", "120"] and chart["2026年"][11] == 0
    assert [str(v) for v in chart["2025年"]] == ["100"] * 12


def test_municipal_home_against_plan_targets(qtbot, municipal_store, municipal_dir):
    put_months(municipal_store, "411323", "CBEC_EXPORT", "9710", 2025, range(1, 7), 100_000_000)
    put_months(municipal_store, "411324", "CBEC_EXPORT", "9610", 2025, range(1, 7), 50_000_000)
    put_months(municipal_store, "411324", "CBEC_EXPORT", "9610", 2024, range(1, 13), 25_000_000)
    page = make_page(qtbot, municipal_store, municipal_dir, date(2025, 7, 15))
    assert page.heading.text() == "全市 2025年1—6月 跨境电商主要指标"
    assert "宛政〔2021〕21号" in page.plan_note.text()
    volume = page.flow_cards["VOLUME"]
    assert volume.value_text() == "9.00 亿元"                # 6 × (1 + 0.5) 亿元
    detail = volume.detail_text()
    assert "上年同期（2024年1—6月）：1.50 亿元" in detail
    assert "同比：+500.0%" in detail
    assert "2025年度目标：160.00 亿元" in detail
    assert "完成：5.6%" in detail                             # 9 / 160 = 5.625 %
    cells = page.milestones.rows
    assert len(cells) == 12                                   # 4 metrics × 2021/2023/2025
    volume_2025 = next(c for c in cells if c[0] == "2025" and c[1] == "跨境电商年交易额")
    assert volume_2025[2:] == ("亿元", "160.00", "9.00", "5.6", "滞后")
    volume_2021 = next(c for c in cells if c[0] == "2021" and c[1] == "跨境电商年交易额")
    assert volume_2021[4:] == ("0.00", "0.0", "未完成")
    parks_2025 = next(c for c in cells if c[0] == "2025" and c[1] == "跨境电商产业园区")
    assert parks_2025[3:] == ("6", "0", "0.0", "滞后")
    assert "宛政〔2021〕21号" in page.milestone_note.text() and "按全市目标计算" in page.milestone_note.text()
    copied = page.milestones.to_text().splitlines()             # what Ctrl+C puts on the clipboard
    assert copied[0] == "年份\t指标\t单位\t目标\t实际\t完成%\t状态" and len(copied) == 13
    assert "2025\t跨境电商年交易额\t亿元\t160.00\t9.00\t5.6\t滞后" in copied
    page.resize(1100, 1400)
    image = page.milestones.grab().toImage()                   # 滞后/未完成 on red badges, none green
    colours = [image.pixelColor(x, y).name() for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)]
    assert colours.count("#f9cfd5") > 50 and "#c6ecd2" not in colours


def test_later_refresh_runs_in_worker_and_shows_new_data(qtbot, county_data, county_dir):
    page = make_page(qtbot, county_data, county_dir, date(2026, 12, 3))
    first = page.data
    put_months(county_data, "411323", "CBEC_EXPORT", "9610", 2026, range(1, 12), 100_000)
    page.refresh()
    assert page.data is first                                  # not blocking: still the old figures
    qtbot.waitUntil(lambda: page.data is not first, timeout=10_000)
    assert page.flow_cards["VOLUME"].value_text() == "1,430.00 万元"   # + 11 × 10 万元
    assert page.ctx.wait_for_workers(5000)


def test_county_in_plan_year_without_split_targets_says_so(qtbot, county_data, county_dir):
    page = make_page(qtbot, county_data, county_dir, date(2026, 1, 10))   # last full month 2025-12
    assert page.heading.text() == "西峡县 2025年1—12月 跨境电商主要指标"
    assert page.plan_note.text().endswith("市级尚未向本单位分解2025年度目标，与上年同期比较")
    assert "宛政〔2021〕21号" in page.plan_note.text()
    assert page.flow_cards["VOLUME"].value_text() == "1,200.00 万元"    # 12 × (80 + 20) 万元
    assert "年度目标" not in page.flow_cards["VOLUME"].detail_text()


def test_closing_the_window_caches_figures_changed_in_the_session(qtbot, county_data, county_dir, monkeypatch):
    """Figures changed while the program is open are stored at close, so the next start reads
    them from figure_cache instead of computing them (and they are the new ones)."""
    from desktop.gui import main_window
    from desktop.gui.context import AppContext
    from desktop.gui.main_window import MainWindow
    from desktop.gui.pages.home_data import load_home_data
    from desktop.storage import figure_cache, figures
    from desktop.storage.paths import DataDir

    monkeypatch.setattr(main_window, "PAGE_MODULES", ("desktop.gui.pages.home",))
    window = MainWindow(AppContext(county_data, DataDir(county_dir)))
    qtbot.addWidget(window)
    window.show()
    window.current_page().today = date(2026, 12, 3)
    put_months(county_data, "411323", "CBEC_EXPORT", "9610", 2025, range(1, 13), 50_000)  # after the first picture
    assert county_data.scalar("SELECT count(*) FROM figure_cache c JOIN data_generation g"
                              " ON c.generation = g.generation") == 0
    window.close()
    calls = []
    monkeypatch.setattr(figures, "plan_figures_and_series", lambda *a, **k: calls.append(1))
    unit_data = load_home_data(county_data, "411323", date(2026, 12, 3))   # "the next start"
    assert calls == [] and unit_data.figures.row("EXPORT").ytd_last_year == 11 * (800_000 + 50_000)
    assert figure_cache.generation(county_data) == county_data.scalar("SELECT generation FROM figure_cache")
