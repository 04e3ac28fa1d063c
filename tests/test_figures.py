"""Plan-figure engine on a small data set whose expected numbers are computed by hand."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from desktop.core.credit import make_valid
from desktop.core.periods import Period
from desktop.storage.db import new_uid, now_iso
from desktop.storage.figures import (
    figures_by_unit, milestone_results, monthly_series, plan_figures, plan_figures_and_series,
)

U = "411323"
TODAY = date(2026, 12, 3)


def _value(conn, period, ind, cat, value):
    conn.execute("INSERT INTO indicator_value(unit_code, period, indicator_code, category, value, updated_at)"
                 " VALUES (?, ?, ?, ?, ?, ?)", (U, period, ind, cat, value, now_iso()))


def _ent(conn, n, **kw):
    cols = dict(uid=new_uid(), unit_code=U, name=f"企业{n}", credit_code=make_valid(f"91411323MA{n:07d}"),
                updated_at=now_iso(), **kw)
    conn.execute(f"INSERT INTO enterprise({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", tuple(cols.values()))


@pytest.fixture
def small(county_store):
    c = county_store.conn
    with county_store.atomic():
        for per, v in [("2024-01", 1_000_000), ("2024-02", 2_000_000), ("2025-01", 1_500_000), ("2025-02", 2_500_000)]:
            _value(c, per, "CBEC_EXPORT", "9610", v)
        _value(c, "2025-02", "CBEC_EXPORT", "9710", 10_000_000)
        _value(c, "2025-02", "CBEC_IMPORT", "1210", 500_000)
        _value(c, "2025Q1", "INCUBATED", "", 3)
        _value(c, "2021-05", "TALENT_TRAINED", "EXEC", 10)
        _value(c, "2025-01", "TALENT_TRAINED", "OPS", 5)
        _value(c, "2023-03", "TALENT_INTRODUCED", "TECH", 7)
        for name, year, status in [("园区甲", 2020, "运营"), ("园区乙", 2025, "运营"), ("园区丙", 2019, "停运")]:
            c.execute("INSERT INTO park(uid, unit_code, name, level, certified_year, status, updated_at)"
                      " VALUES (?, ?, ?, '县级', ?, ?, ?)", (new_uid(), U, name, year, status, now_iso()))
        _ent(c, 1)
        _ent(c, 2, known=1, known_year=2024)
        _ent(c, 3, brought_in=1, brought_in_year=2025, brought_in_origin="深圳")
        _ent(c, 4, deleted_at=now_iso())
        c.execute("INSERT INTO plan_target(plan_code, metric_key, year, unit_code, value)"
                  " VALUES ('NY2021', 'VOLUME', 2025, ?, 50000000)", (U,))
    return county_store


def test_flows_for_a_month(small):
    f = plan_figures(small, Period.parse("2025-02"), U, today=TODAY)
    exp = f.row("EXPORT")
    assert (exp.value, exp.ytd, exp.ytd_last_year) == (12_500_000, 14_000_000, 3_000_000)
    assert exp.growth == Decimal("366.7")
    vol = f.row("VOLUME")
    assert (vol.value, vol.ytd, vol.ytd_last_year, vol.growth) == (13_000_000, 14_500_000, 3_000_000, Decimal("383.3"))
    assert vol.target == 50_000_000 and vol.completion == Decimal("29.0")
    assert f.row("B2B_EXPORT").ytd == 10_000_000 and f.row("B2C_EXPORT").ytd == 4_000_000
    assert f.row("EXPORT.9810").ytd == 0 and f.row("IMPORT.1210").value == 500_000
    assert f.plan is not None and f.plan.code == "NY2021" and f.no_plan_note is None


def test_quarterly_indicator_counts_once_quarter_is_complete(small):
    feb = plan_figures(small, "2025-02", U, today=TODAY).row("INCUBATED")
    mar = plan_figures(small, "2025-03", U, today=TODAY).row("INCUBATED")
    q1 = plan_figures(small, "2025Q1", U, today=TODAY).row("INCUBATED")
    assert (feb.value, feb.ytd) == (None, 0)
    assert (mar.value, mar.ytd) == (3, 3)
    assert (q1.value, q1.ytd) == (3, 3)


def test_talent_cumulative_since_plan_start(small):
    t = plan_figures(small, "2025-02", U, today=TODAY).row("TALENT")
    assert (t.value, t.ytd, t.cumulative) == (0, 5, 22)
    assert plan_figures(small, "2025-02", U, today=TODAY).row("TALENT_TRAINED.EXEC").cumulative == 10


def test_ledger_counts(small):
    f = plan_figures(small, "2025-02", U, today=TODAY)
    assert (f.row("PARKS").value, f.row("PARKS").ytd_last_year) == (2, 1)
    assert f.row("ENTERPRISES").value == 3 and f.row("ENTERPRISES").ytd_last_year is None
    assert f.row("KNOWN_ENTERPRISES").value == 1 and f.row("BROUGHT_IN_YEAR").value == 1
    assert plan_figures(small, "2024-12", U, today=TODAY).row("BROUGHT_IN_YEAR").value == 0


def test_year_without_plan_compares_with_last_year(small):
    f = plan_figures(small, "2026", U, today=TODAY)
    assert f.plan is None and f.no_plan_note == "本年度无规划目标，与上年同期比较"
    vol = f.row("VOLUME")
    assert vol.target is None and vol.completion is None and vol.ytd == 0 and vol.ytd_last_year == 14_500_000
    assert vol.growth == Decimal("-100.0")


def test_city_equals_sum_of_units(small):
    city = plan_figures(small, "2025Q1", None, today=TODAY)
    assert city.unit_code == "411300" and city.row("VOLUME").ytd == 14_500_000
    assert city.row("VOLUME").target == 16_000_000_000  # city target for 2025: 160 亿元
    by_unit = figures_by_unit(small, "2025Q1", today=TODAY)
    assert by_unit[U].row("VOLUME").ytd == 14_500_000
    assert sum(f.row("EXPORT").ytd for k, f in by_unit.items() if k != "411300") == by_unit["411300"].row("EXPORT").ytd


def test_milestones(small):
    ms = {(m.metric_key, m.year): m for m in milestone_results(small, U, today=TODAY)}
    m = ms[("VOLUME", 2025)]
    assert (m.actual, m.status, m.completion) == (14_500_000, "未完成", Decimal("29.0"))
    city = {(m.metric_key, m.year): m for m in milestone_results(small, None, today=TODAY)}
    assert city[("PARKS", 2021)].actual == 1 and city[("PARKS", 2021)].status == "已完成"
    assert city[("PARKS", 2025)].actual == 2 and city[("PARKS", 2025)].status == "未完成"
    assert city[("TALENT", 2023)].actual == 17
    # during the plan: progress against the elapsed share of the milestone span
    mid = {(m.metric_key, m.year): m for m in milestone_results(small, None, today=date(2025, 3, 5))}
    assert mid[("VOLUME", 2025)].status == "滞后" and mid[("VOLUME", 2025)].actual == 14_500_000
    assert mid[("KNOWN_ENTERPRISES", 2023)].status == "未完成"


def test_monthly_series(small):
    s = monthly_series(small, "VOLUME", U, "2025-01", "2025-03")
    assert s == [("2025-01", 1_500_000), ("2025-02", 13_000_000), ("2025-03", 0)]
    assert monthly_series(small, "EXPORT.9710", None, "2025Q1", "2025Q1")[1] == ("2025-02", 10_000_000)


def test_series_taken_with_the_figures_equal_monthly_series(small):
    """The home page reads figures and chart from one load of the values (a typed 合计 of
    2025-02 is in the small data set and must be skipped by both)."""
    small.conn.execute("INSERT INTO indicator_value(unit_code, period, indicator_code, category, value, updated_at)"
                       " VALUES (?, '2025-02', 'CBEC_EXPORT', 'TOTAL', 99000000, ?)", (U, now_iso()))
    spans = ((Period.parse("2025-01"), Period.parse("2025-03")), (Period.parse("2024-01"), Period.parse("2024-12")))
    for unit in (U, None):
        for key in ("VOLUME", "EXPORT", "EXPORT.9710", "IMPORT"):
            figs, series = plan_figures_and_series(small, "2025-03", unit, key=key, spans=spans,
                                                   today=date(2025, 4, 2))
            assert series == [monthly_series(small, key, unit, a, b) for a, b in spans]
            assert figs == plan_figures(small, "2025-03", unit, today=date(2025, 4, 2))
    assert series[0][1] == ("2025-02", 500_000)  # IMPORT 1210 of February
