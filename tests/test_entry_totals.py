"""Typed control totals (合计, category TOTAL): stored with their 说明, checked against the parts,
blocking 报送 until explained — and never counted by a reader that sums the parts."""
from __future__ import annotations

from datetime import date

import pytest

from desktop.core.errors import ValidationError
from desktop.exchange.consolidation import cross_checks
from desktop.exchange.package_export import _county_totals
from desktop.storage import entry, figures
from desktop.storage.checks import run_checks
from desktop.storage.entry import TOTAL_CATEGORY

UNIT = "411323"
EXPORT_TOTAL = ("CBEC_EXPORT", TOTAL_CATEGORY)
PARTS = {("CBEC_EXPORT", "9610"): 1_000_000, ("CBEC_EXPORT", "9710"): 2_500_000}  # 350.00 万元


def _save(store, period, values, comments=None):
    entry.save_values(store, UNIT, period, values, comments or {}, operator="张三")


def _issues(store, period="2025-09"):
    return [(i.indicator, i.category, i.level, i.explained) for i in entry.validate_entry(store, UNIT, period)]


def test_total_saved_with_comment_and_shown_in_grid(county_store):
    _save(county_store, "2024-09", {("CBEC_EXPORT", "9610"): 900_000, EXPORT_TOTAL: 900_000})
    _save(county_store, "2025-08", {("CBEC_EXPORT", "9610"): 950_000, EXPORT_TOTAL: 960_000},
          {EXPORT_TOTAL: "海关八月数含退运"})
    _save(county_store, "2025-09", {**PARTS, EXPORT_TOTAL: 3_600_000}, {EXPORT_TOTAL: "海关总数含跨月清单"})
    grid = entry.entry_grid(county_store, UNIT, "2025-09")
    export = grid.rows[0]
    t = export.total
    assert (t.category, t.value, t.previous, t.last_year, t.comment) == (
        TOTAL_CATEGORY, 3_600_000, 960_000, 900_000, "海关总数含跨月清单")
    assert TOTAL_CATEGORY not in export.cells and export.computed_total() == 3_500_000
    assert [r.total is None for r in grid.rows] == [not r.indicator.disaggregated for r in grid.rows]
    audit = county_store.query("SELECT action, after FROM audit_log WHERE row_key = ?",
                               (f"{UNIT}/2025-09/CBEC_EXPORT/TOTAL",))
    assert [a["action"] for a in audit] == ["insert"] and "海关总数含跨月清单" in audit[0]["after"]
    _save(county_store, "2025-09", {EXPORT_TOTAL: None})  # clearing the 合计 deletes total and 说明
    assert entry.entry_grid(county_store, UNIT, "2025-09").rows[0].total.value is None
    assert county_store.scalar("SELECT count(*) FROM indicator_value WHERE period = '2025-09'"
                               " AND category = 'TOTAL'") == 0


def test_total_refused_where_it_makes_no_sense(county_store):
    with pytest.raises(ValidationError, match="指标“培训人次”没有分项，不能单独填报合计"):
        _save(county_store, "2025-09", {**PARTS, ("TRAINEES", TOTAL_CATEGORY): 5})
    with pytest.raises(ValidationError, match="跨境电商出口额·合计：不能为负数"):
        _save(county_store, "2025-09", {**PARTS, EXPORT_TOTAL: -1})
    assert county_store.scalar("SELECT count(*) FROM indicator_value") == 0


def test_stored_total_off_the_parts_warns_until_explained(county_store):
    _save(county_store, "2025-09", {**PARTS, EXPORT_TOTAL: 3_600_000})
    assert _issues(county_store) == [("CBEC_EXPORT", TOTAL_CATEGORY, "warning", False)]
    [w] = entry.validate_entry(county_store, UNIT, "2025-09")
    assert w.message == "跨境电商出口额：合计 360.00万元 与分项之和 350.00万元 不相等，请核对或填写说明"
    _save(county_store, "2025-09", {}, {("CBEC_EXPORT", "9610"): "说明写在分项上不算"})
    assert _issues(county_store) == [("CBEC_EXPORT", TOTAL_CATEGORY, "warning", False)]
    _save(county_store, "2025-09", {}, {EXPORT_TOTAL: "海关总数含跨月清单"})
    assert _issues(county_store) == [("CBEC_EXPORT", TOTAL_CATEGORY, "warning", True)]
    _save(county_store, "2025-09", {EXPORT_TOTAL: 3_500_000})  # equal to the parts: no warning
    assert _issues(county_store) == []
    _save(county_store, "2025-09", {("CBEC_EXPORT", "9810"): 1})  # a part changes: warns again
    assert _issues(county_store) == [("CBEC_EXPORT", TOTAL_CATEGORY, "warning", True)]


def test_total_alone_is_checked_against_empty_parts(county_store):
    _save(county_store, "2025-09", {("CBEC_IMPORT", TOTAL_CATEGORY): 10_000})
    [w] = entry.validate_entry(county_store, UNIT, "2025-09")
    assert w.message == "跨境电商进口额：合计 1.00万元 与分项之和 0.00万元 不相等，请核对或填写说明"


def test_growth_rule_does_not_warn_twice_on_the_total(county_store):
    _save(county_store, "2024-09", {("CBEC_EXPORT", "9610"): 1_000_000, EXPORT_TOTAL: 1_000_000})
    _save(county_store, "2025-09", {("CBEC_EXPORT", "9610"): 2_000_000, EXPORT_TOTAL: 2_000_000})
    assert _issues(county_store) == [("CBEC_EXPORT", "9610", "warning", False)]  # the part only


def test_submit_refused_until_the_total_is_explained(county_store):
    _save(county_store, "2025-09", {**PARTS, EXPORT_TOTAL: 3_600_000})
    with pytest.raises(ValidationError, match="2025年9月有 1 个问题，处理后才能报送") as exc:
        entry.submit_period(county_store, UNIT, "2025-09", operator="张三")
    assert "缺少说明：跨境电商出口额：合计 360.00万元 与分项之和 350.00万元 不相等" in exc.value.detail
    assert entry.submission_state(county_store, UNIT, "2025-09").state == "open"
    _save(county_store, "2025-09", {}, {EXPORT_TOTAL: "海关总数含跨月清单"})
    assert entry.submit_period(county_store, UNIT, "2025-09", operator="张三").locked
    assert county_store.scalar("SELECT comment FROM indicator_value WHERE category = 'TOTAL'") == "海关总数含跨月清单"


def _readers(store) -> dict:
    """Everything that sums categories, for 2025-09 and the year."""
    fig = figures.plan_figures(store, "2025-09", UNIT, today=date(2025, 10, 12))
    by_unit = figures.figures_by_unit(store, "2025-09", today=date(2025, 10, 12))[UNIT]
    return {
        "figures": {k: (fig.row(k).value, fig.row(k).ytd) for k in ("VOLUME", "EXPORT", "EXPORT.9610", "B2B_EXPORT")},
        "by_unit": (by_unit.row("EXPORT").value, by_unit.row("VOLUME").ytd),
        "series": figures.monthly_series(store, "EXPORT", UNIT, "2025-01", "2025-12"),
        "milestones": [(m.metric_key, m.year, m.actual) for m in figures.milestone_results(store, UNIT, today=date(2025, 10, 12))],
        "declared": _county_totals(store, UNIT)["indicator_totals"],
    }


def test_no_reader_counts_a_typed_total(county_store):
    for month in range(1, 13):
        _save(county_store, f"2025-{month:02d}", PARTS)
    before = _readers(county_store)
    assert before["figures"]["EXPORT"] == (3_500_000, 9 * 3_500_000)
    for month in range(1, 13):  # totals that disagree with the parts, so that counting them shows
        _save(county_store, f"2025-{month:02d}", {EXPORT_TOTAL: 7_777_700}, {EXPORT_TOTAL: "海关口径"})
    assert _readers(county_store) == before
    assert before["declared"]["2025-09"] == {"CBEC_EXPORT": 3_500_000}
    # the roster's annual volume exceeds the 12 reported months by far: found only if TOTAL is skipped
    with county_store.atomic() as conn:
        conn.execute("INSERT INTO enterprise(uid, unit_code, name, initials, credit_code, updated_at)"
                     " VALUES ('e1', ?, '西峡香菇进出口有限公司', 'xxxg', '914403001922038216', '2025-10-01')", (UNIT,))
        conn.execute("INSERT INTO enterprise_volume(enterprise_id, year, amount)"
                     " VALUES ((SELECT id FROM enterprise WHERE uid = 'e1'), 2025, 60000000)")
    [vol] = [f for f in cross_checks(county_store, [UNIT]) if f.kind == "volume_vs_ledger"]
    assert vol.detail["reported"] == 12 * 3_500_000
    declared = {UNIT: {"indicator_totals": {"2025-09": {"CBEC_EXPORT": 3_500_000}}}}
    assert not [f for f in cross_checks(county_store, [UNIT], declared=declared) if f.kind == "declared_totals"]


def _check(store, name: str) -> tuple[bool, str]:
    return next((ok, msg) for n, ok, msg in run_checks(store).items if n == name)


def test_check_accepts_total_only_for_disaggregated_indicators(county_store):
    _save(county_store, "2025-09", {**PARTS, EXPORT_TOTAL: 3_500_000})
    assert _check(county_store, "指标分类") == (True, "正常")
    with county_store.atomic() as conn:  # bypassing save_values, as a damaged database would
        conn.execute("INSERT INTO indicator_value(unit_code, period, indicator_code, category, value, updated_at)"
                     " VALUES (?, '2025-09', 'TRAINEES', 'TOTAL', 1, '2025-10-01')", (UNIT,))
    assert _check(county_store, "指标分类") == (False, "TRAINEES 的 2025-09 分类“TOTAL”")


def test_total_travels_in_packages_without_touching_declared_totals(tmp_path):
    from desktop.exchange.keys import ensure_keypair
    from desktop.exchange.package_export import export_package
    from desktop.exchange.package_import import import_packages, preview_package
    from desktop.storage.db import Store
    from desktop.storage.setup import init_data_dir

    county, city = tmp_path / "county", tmp_path / "city"
    init_data_dir(county, role="county", unit_code=UNIT, operator="张三")
    init_data_dir(city, role="municipal", operator="李四")
    for folder in (county, city):
        ensure_keypair(folder)
    with Store.open(county) as cs:
        _save(cs, "2025-09", {**PARTS, EXPORT_TOTAL: 3_600_000}, {EXPORT_TOTAL: "海关总数含跨月清单"})
        first = export_package(cs, tmp_path / "up1").path
        _save(cs, "2025-09", {EXPORT_TOTAL: 3_700_000})
        second = export_package(cs, tmp_path / "up2").path
    with Store.open(city) as store:
        result = import_packages(store, [first])
        assert not [f for f in result.findings if f["kind"] == "declared_totals"]
        assert store.query("SELECT value, comment FROM indicator_value WHERE category = 'TOTAL'") == [
            {"value": 3_600_000, "comment": "海关总数含跨月清单"}]
        assert figures.plan_figures(store, "2025-09", today=date(2025, 10, 12)).row("EXPORT").value == 3_500_000
        assert _check(store, "指标分类") == (True, "正常")
        [change] = [c for c in preview_package(store, second).changes if c.table == "indicator_value"]
        assert change.details == ["2025-09 跨境电商出口额（合计）：360.00 万元 → 370.00 万元"]


def test_cli_sets_shows_and_checks_a_total(capsys, county_dir):
    import json

    from desktop.cli import main

    def run(*argv):
        code = main(["--data-dir", str(county_dir), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("entry", "set", "--period", "2025-09", "CBEC_EXPORT.9610=100", "CBEC_EXPORT.9710=250",
               "CBEC_EXPORT.TOTAL=360")[0] == 0
    code, out, _ = run("entry", "show", "--period", "2025-09", "--json")
    cells = {(c["indicator"], c["category"]): c for c in json.loads(out)["cells"]}
    assert cells[("CBEC_EXPORT", "TOTAL")]["value"] == 3_600_000 and cells[("CBEC_EXPORT", "TOTAL")]["name"] == "跨境电商出口额·合计"
    assert ("CBEC_IMPORT", "TOTAL") not in cells  # no typed total, no line
    code, out, _ = run("entry", "show", "--period", "2025-09")
    assert "跨境电商出口额\t合计\t360.00" in out
    code, out, _ = run("entry", "check", "--period", "2025-09")
    assert code == 1 and "预警：跨境电商出口额：合计 360.00万元 与分项之和 350.00万元 不相等" in out
    run("entry", "set", "--period", "2025-09", "CBEC_EXPORT.TOTAL=360", "--comment", "CBEC_EXPORT.TOTAL=海关口径")
    code, out, _ = run("entry", "check", "--period", "2025-09")
    assert code == 0 and "（已说明）" in out
    code, _, err = run("entry", "set", "--period", "2025-09", "TRAINEES.TOTAL=3")
    assert code == 1 and "没有分项，不能单独填报合计" in err
