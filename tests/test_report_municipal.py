"""Municipal summaries 9–11 on hand-made data; role rules."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from desktop.core.errors import RoleError
from desktop.core.periods import Period
from desktop.reporting.common import scope_of
from desktop.reporting.municipal_reports import build_table11
from desktop.reporting.registry import build_report
from desktop.storage.db import Store, now_iso
from desktop.storage.figures import milestone_results


def _values(store: Store, rows: list[tuple[str, str, str, str, int]]) -> None:
    with store.atomic() as conn:
        conn.executemany("INSERT INTO indicator_value(unit_code, period, indicator_code, category, value, updated_at)"
                         " VALUES (?, ?, ?, ?, ?, ?)", [(*r, now_iso()) for r in rows])


def test_table9_shares_rank_and_city_total(municipal_store: Store) -> None:
    _values(municipal_store, [
        ("411323", "2025-07", "CBEC_EXPORT", "9710", 9_000_000),
        ("411323", "2025-09", "CBEC_IMPORT", "1210", 500_000),
        ("411324", "2025-08", "CBEC_EXPORT", "9610", 500_000),
        ("411324", "2024-08", "CBEC_EXPORT", "9610", 250_000),
    ])
    r = build_report(municipal_store, "9", "2025Q3")
    rows = {row.values[0]: row.values for row in r.tables[0].rows}
    assert len(rows) == 19 and r.tables[0].rows[-1].values[0] == "全市合计"
    assert rows["西峡县"][1:5] == [9_500_000, None, Decimal("95.0"), 1]
    assert rows["镇平县"][1:5] == [500_000, Decimal("100.0"), Decimal("5.0"), 2]
    assert rows["全市合计"][1] == 10_000_000 and rows["全市合计"][3] == Decimal("100.0")
    assert rows["西峡县"][5:8] == [9_000_000, 500_000, 9_000_000]
    assert r.tables[0].columns[1].unit == "亿元" and r.header.table_no == "南跨电汇1表"


def _deadlines_and_submissions(store: Store) -> None:
    with store.atomic() as conn:
        conn.executemany("INSERT INTO deadline(period, due_date) VALUES (?, ?)", [
            ("2025-07", "2025-08-10"), ("2025-08", "2025-09-10"), ("2025-09", "2025-10-10"), ("2025Q3", "2025-10-15")])
        conn.executemany(
            "INSERT INTO submission(unit_code, period, state, version, submitted_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [("411323", "2025-07", "submitted", 1, "2025-08-05T09:00:00+08:00", now_iso()),
             ("411323", "2025-08", "submitted", 2, "2025-09-15T09:00:00+08:00", now_iso()),
             ("411323", "2025-09", "returned", 2, "2025-10-08T09:00:00+08:00", now_iso())])


def test_table11_on_time_late_missing_returned(municipal_store: Store) -> None:
    _deadlines_and_submissions(municipal_store)
    r = build_table11(municipal_store, scope_of(municipal_store, "411300"), Period.parse("2025Q3"),
                      today=date(2025, 11, 1))
    cols = [c.path[-1] for c in r.tables[0].columns]
    assert cols == ["单位", "7月", "8月", "9月", "第三季度", "应报", "按时", "逾期", "未报", "退回"]
    rows = {row.values[0]: row.values for row in r.tables[0].rows}
    assert rows["西峡县"][1:5] == ["已报 08-05 第1版", "逾期 09-15 第2版", "退回", "未报"]
    assert rows["西峡县"][5:] == [4, 1, 1, 1, 1]
    assert rows["镇平县"][5:] == [4, 0, 0, 4, 0]
    assert rows["合计"][5:] == [4 * 18, 1, 1, 4 * 17 + 1, 1]
    assert any(n.startswith("催报：") and "西峡县" in n for n in r.notes)


def test_table11_before_the_deadline_is_not_yet_due(municipal_store: Store) -> None:
    _deadlines_and_submissions(municipal_store)
    r = build_table11(municipal_store, scope_of(municipal_store, "411300"), Period.parse("2025Q3"),
                      today=date(2025, 10, 12))
    rows = {row.values[0]: row.values for row in r.tables[0].rows}
    assert rows["镇平县"][4] == "未到期" and rows["镇平县"][5] == 3


def test_table10_matches_the_engine_milestones(municipal_store: Store) -> None:
    r = build_report(municipal_store, "10", "2025")
    table = r.tables[0]
    assert [c.path[0] for c in table.columns[2::4]] == ["2021年", "2023年", "2025年"]
    engine = {(m.metric_key, m.year): m for m in milestone_results(municipal_store, None, today=date(2026, 1, 1))}
    volume = next(row for row in table.rows if row.values[0] == engine[("VOLUME", 2025)].metric_name)
    assert volume.values[2] == 9_000_000_000 and volume.values[10] == 16_000_000_000
    assert volume.values[13] == engine[("VOLUME", 2025)].status == "未完成"
    assert len(table.rows) == 4 and volume.money


def test_municipal_tables_are_refused_to_a_county(county_store: Store) -> None:
    with pytest.raises(RoleError, match="市级"):
        build_report(county_store, "9", "2025Q3")
    with pytest.raises(RoleError, match="西峡县"):
        build_report(county_store, "1", "2025Q3", "411324")


def test_municipal_office_picks_any_unit_or_the_city(municipal_store: Store) -> None:
    assert build_report(municipal_store, "1", "2025Q3", "411324").unit_name == "镇平县"
    city = build_report(municipal_store, "2", "2025Q3")
    assert city.unit_name == "南阳市" and city.tables[0].columns[1].title == "所属单位"
