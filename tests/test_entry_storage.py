"""Entry grid, validation rules, save/submit/reopen/return on a real county database."""
from __future__ import annotations

import json

import pytest

from desktop.core.errors import LockedPeriodError, RoleError, ValidationError
from desktop.storage import entry
from desktop.storage.entry import TOTAL_CATEGORY

UNIT = "411323"


def _save(store, period, values, comments=None):
    entry.save_values(store, UNIT, period, values, comments or {}, operator="张三")


def _audit(store, table="indicator_value"):
    return store.query("SELECT * FROM audit_log WHERE table_name = ? ORDER BY id", (table,))


def _snapshot(store):
    return (store.query("SELECT * FROM indicator_value ORDER BY 1, 2, 3, 4"),
            store.query("SELECT * FROM submission ORDER BY 1, 2"),
            store.scalar("SELECT count(*) FROM audit_log"))


def test_month_grid_has_monthly_indicators_and_options(county_store):
    grid = entry.entry_grid(county_store, UNIT, "2025-09")
    codes = [r.indicator.code for r in grid.rows]
    assert codes == ["CBEC_EXPORT", "CBEC_IMPORT", "TALENT_TRAINED", "TALENT_INTRODUCED", "TRAINING_SESSIONS",
                     "TRAINEES", "LIVESTREAM_SALES", "RAIL_TRAINS", "RAIL_TEU"]
    export = grid.rows[0]
    assert list(export.cells) == ["9610", "9710", "9810", "1210", "OTHER"]
    assert export.indicator.category_name("OTHER") == "其他"
    assert list(grid.rows[4].cells) == [""]
    assert (grid.previous_period, grid.last_year_period) == ("2025-08", "2024-09")
    assert grid.submission.state == "open" and grid.submission.version == 1


def test_quarter_grid_has_quarterly_indicators(county_store):
    grid = entry.entry_grid(county_store, UNIT, "2025Q1")
    assert [r.indicator.code for r in grid.rows] == ["INCUBATED"]
    assert (grid.previous_period, grid.last_year_period) == ("2024Q4", "2024Q1")
    with pytest.raises(ValidationError, match="整年"):
        entry.entry_grid(county_store, UNIT, "2025")


def test_grid_shows_previous_and_last_year(county_store):
    _save(county_store, "2024-09", {("CBEC_EXPORT", "9710"): 1_000_000})
    _save(county_store, "2025-08", {("CBEC_EXPORT", "9710"): 1_200_000})
    _save(county_store, "2025-09", {("CBEC_EXPORT", "9710"): 1_300_000, ("CBEC_EXPORT", "9610"): 5},
          {("CBEC_EXPORT", "9710"): "新订单"})
    row = entry.entry_grid(county_store, UNIT, "2025-09").rows[0]
    c = row.cells["9710"]
    assert (c.value, c.previous, c.last_year, c.comment) == (1_300_000, 1_200_000, 1_000_000, "新订单")
    assert row.computed_total() == 1_300_005
    assert row.computed_total("previous") == 1_200_000


def test_negative_value_is_an_error_and_refused(county_store):
    issues = entry.validate_entry(county_store, UNIT, "2025-09", {("TRAINEES", ""): -3})
    assert [(i.indicator, i.level) for i in issues] == [("TRAINEES", "error")]
    assert "不能为负数" in issues[0].message and issues[0].blocking
    before = _snapshot(county_store)
    with pytest.raises(ValidationError, match="培训人次：不能为负数"):
        _save(county_store, "2025-09", {("TRAINEES", ""): -3, ("TRAINING_SESSIONS", ""): 2})
    assert _snapshot(county_store) == before


@pytest.mark.parametrize(("this_year", "warned"), [
    (1_500_000, False),   # +50.0 % exactly: allowed
    (1_500_001, True),    # just over +50 %
    (500_000, False),     # -50.0 % exactly
    (499_999, True),      # just under -50 %
])
def test_growth_rule_boundary(county_store, this_year, warned):
    _save(county_store, "2024-09", {("CBEC_EXPORT", "9610"): 1_000_000})
    issues = entry.validate_entry(county_store, UNIT, "2025-09", {("CBEC_EXPORT", "9610"): this_year})
    assert [(i.indicator, i.category, i.level) for i in issues] == ([("CBEC_EXPORT", "9610", "warning")] if warned else [])


def test_growth_warning_message_and_explanation(county_store):
    _save(county_store, "2024-09", {("TRAINEES", ""): 40})
    [w] = entry.validate_entry(county_store, UNIT, "2025-09", {("TRAINEES", ""): 100})
    # (100 - 40) / 40 = +150.0 %
    assert w.message == "培训人次：比上年同期（40人次）增长150.0%，超过±50%，请填写说明"
    assert w.blocking and not w.explained
    [w] = entry.validate_entry(county_store, UNIT, "2025-09", {("TRAINEES", ""): 100},
                               {("TRAINEES", ""): "新增两个培训基地"})
    assert w.explained and not w.blocking


def test_no_growth_rule_without_last_year_base(county_store):
    _save(county_store, "2024-09", {("TRAINEES", ""): 0})
    assert entry.validate_entry(county_store, UNIT, "2025-09", {("TRAINEES", ""): 500}) == []


def test_money_growth_message_in_wan_yuan(county_store):
    _save(county_store, "2024-09", {("LIVESTREAM_SALES", ""): 1_234_500})
    [w] = entry.validate_entry(county_store, UNIT, "2025-09", {("LIVESTREAM_SALES", ""): 500_000})
    # (50.00 - 123.45) / 123.45 = -59.5 %
    assert w.message.startswith("跨境直播销售额：比上年同期（123.45万元）下降59.5%")


def test_total_not_equal_to_parts_is_a_warning(county_store):
    vals = {("CBEC_EXPORT", "9610"): 100_000, ("CBEC_EXPORT", "9710"): 250_000,
            ("CBEC_EXPORT", TOTAL_CATEGORY): 360_000}
    [w] = entry.validate_entry(county_store, UNIT, "2025-09", vals)
    assert (w.indicator, w.category, w.level) == ("CBEC_EXPORT", TOTAL_CATEGORY, "warning")
    assert w.message == "跨境电商出口额：合计 36.00万元 与分项之和 35.00万元 不相等，请核对或填写说明"
    vals[("CBEC_EXPORT", TOTAL_CATEGORY)] = 350_000
    assert entry.validate_entry(county_store, UNIT, "2025-09", vals) == []


def test_total_only_for_disaggregated_indicators(county_store):
    with pytest.raises(ValidationError, match="指标“培训人次”没有分项，不能单独填报合计"):
        _save(county_store, "2025-09", {("CBEC_EXPORT", "9610"): 1, ("TRAINEES", TOTAL_CATEGORY): 1})
    assert county_store.scalar("SELECT count(*) FROM indicator_value") == 0
    _save(county_store, "2025-09", {("CBEC_EXPORT", "9610"): 1, ("CBEC_EXPORT", "9710"): 2,
                                    ("CBEC_EXPORT", TOTAL_CATEGORY): 3})
    row = entry.entry_grid(county_store, UNIT, "2025-09").rows[0]
    assert row.computed_total() == 3 and row.total.value == 3  # the parts' sum never includes the total


def test_trains_require_teu(county_store):
    [w] = entry.validate_entry(county_store, UNIT, "2025-09", {("RAIL_TRAINS", ""): 2})
    assert (w.indicator, w.level) == ("RAIL_TRAINS", "warning")
    assert "未填报“中欧班列跨境电商货量”" in w.message
    assert entry.validate_entry(county_store, UNIT, "2025-09", {("RAIL_TRAINS", ""): 2, ("RAIL_TEU", ""): 0}) == []
    assert entry.validate_entry(county_store, UNIT, "2025-09", {("RAIL_TRAINS", ""): 0}) == []


def test_unknown_keys_are_refused(county_store):
    with pytest.raises(ValidationError, match="不能在2025年9月填报"):
        entry.validate_entry(county_store, UNIT, "2025-09", {("INCUBATED", ""): 1})
    with pytest.raises(ValidationError, match="没有分项“1239”"):
        _save(county_store, "2025-09", {("CBEC_EXPORT", "1239"): 1})


def test_save_writes_audit_rows(county_store):
    _save(county_store, "2025-09", {("TRAINEES", ""): 10, ("TRAINING_SESSIONS", ""): 1})
    _save(county_store, "2025-09", {("TRAINEES", ""): 12, ("TRAINING_SESSIONS", ""): 1})  # one change
    _save(county_store, "2025-09", {("TRAINING_SESSIONS", ""): None})
    rows = [(a["row_key"], a["action"], a["before"], a["after"], a["operator"]) for a in _audit(county_store)]
    assert rows == [
        ("411323/2025-09/TRAINEES/", "insert", None, json.dumps({"value": 10, "comment": None}), "张三"),
        ("411323/2025-09/TRAINING_SESSIONS/", "insert", None, json.dumps({"value": 1, "comment": None}), "张三"),
        ("411323/2025-09/TRAINEES/", "update", json.dumps({"value": 10, "comment": None}),
         json.dumps({"value": 12, "comment": None}), "张三"),
        ("411323/2025-09/TRAINING_SESSIONS/", "delete", json.dumps({"value": 1, "comment": None}), None, "张三"),
    ]
    assert county_store.query("SELECT indicator_code, value, updated_by FROM indicator_value") == [
        {"indicator_code": "TRAINEES", "value": 12, "updated_by": "张三"}]


def test_comment_alone_updates_stored_value(county_store):
    _save(county_store, "2025-09", {("TRAINEES", ""): 10})
    _save(county_store, "2025-09", {}, {("TRAINEES", ""): "  含线上培训 "})
    assert county_store.scalar("SELECT comment FROM indicator_value") == "含线上培训"
    _save(county_store, "2025-09", {}, {("RAIL_TEU", ""): "无值的说明被丢弃"})
    assert county_store.scalar("SELECT count(*) FROM indicator_value") == 1


def test_submit_refuses_unexplained_warning_then_locks(county_store):
    _save(county_store, "2024-09", {("TRAINEES", ""): 40})
    _save(county_store, "2025-09", {("TRAINEES", ""): 100, ("RAIL_TRAINS", ""): 1})
    with pytest.raises(ValidationError) as exc:
        entry.submit_period(county_store, UNIT, "2025-09", operator="张三")
    assert exc.value.message == "2025年9月有 2 个问题，处理后才能报送"
    assert "缺少说明：培训人次" in exc.value.detail and "缺少说明：中欧班列跨境电商专列" in exc.value.detail
    assert entry.submission_state(county_store, UNIT, "2025-09").state == "open"
    _save(county_store, "2025-09", {}, {("TRAINEES", ""): "新基地投用", ("RAIL_TRAINS", ""): "货量由综保区统计"})
    sub = entry.submit_period(county_store, UNIT, "2025-09", operator="张三")
    assert (sub.state, sub.version, sub.submitted_by, sub.locked) == ("submitted", 1, "张三", True)
    assert sub.submitted_at
    [a] = _audit(county_store, "submission")
    assert (a["row_key"], a["action"]) == ("411323/2025-09", "submit")


def test_submit_refuses_empty_period_and_repeat(county_store):
    with pytest.raises(ValidationError, match="还没有填报任何数据"):
        entry.submit_period(county_store, UNIT, "2025-09", operator="张三")
    _save(county_store, "2025-09", {("TRAINEES", ""): 0})
    entry.submit_period(county_store, UNIT, "2025-09", operator="张三")
    with pytest.raises(LockedPeriodError, match="无需重复报送"):
        entry.submit_period(county_store, UNIT, "2025-09", operator="张三")


def test_locked_save_refused_with_nothing_changed(county_store):
    _save(county_store, "2025-09", {("TRAINEES", ""): 10})
    entry.submit_period(county_store, UNIT, "2025-09", operator="张三")
    before = _snapshot(county_store)
    with pytest.raises(LockedPeriodError) as exc:
        _save(county_store, "2025-09", {("TRAINEES", ""): 11, ("RAIL_TEU", ""): 3})
    assert exc.value.message == "2025年9月已报送（第1版），数据已锁定，如需修改请先点击“更正”"
    assert _snapshot(county_store) == before
    _save(county_store, "2025-10", {("TRAINEES", ""): 11})  # other periods stay open


def test_reopen_bumps_version_and_resubmit(county_store):
    _save(county_store, "2025-09", {("TRAINEES", ""): 10})
    entry.submit_period(county_store, UNIT, "2025-09", operator="张三")
    with pytest.raises(ValidationError, match="更正必须填写原因"):
        entry.reopen_period(county_store, UNIT, "2025-09", operator="张三", reason="  ")
    sub = entry.reopen_period(county_store, UNIT, "2025-09", operator="张三", reason="培训人次漏报")
    assert (sub.state, sub.version, sub.reason, sub.locked) == ("reopened", 2, "培训人次漏报", False)
    _save(county_store, "2025-09", {("TRAINEES", ""): 14})
    sub = entry.submit_period(county_store, UNIT, "2025-09", operator="张三")
    assert (sub.state, sub.version) == ("submitted", 2)
    actions = [(a["action"], a["reason"]) for a in _audit(county_store, "submission")]
    assert actions == [("submit", None), ("reopen", "培训人次漏报"), ("submit", None)]
    with pytest.raises(ValidationError, match="无需更正"):
        entry.reopen_period(county_store, UNIT, "2025-10", operator="张三", reason="x")


def test_return_period_shows_note_and_unlocks(county_store):
    with pytest.raises(ValidationError, match="尚未报送，不能退回"):
        entry.return_period(county_store, UNIT, "2025-09", note="请核对", operator="市综试办")
    _save(county_store, "2025-09", {("TRAINEES", ""): 10})
    entry.submit_period(county_store, UNIT, "2025-09", operator="张三")
    entry.return_period(county_store, UNIT, "2025-09", note="培训人次与基地台账不符", operator="市综试办")
    sub = entry.submission_state(county_store, UNIT, "2025-09")
    assert (sub.state, sub.version, sub.return_note, sub.locked) == ("returned", 2, "培训人次与基地台账不符", False)
    _save(county_store, "2025-09", {("TRAINEES", ""): 12})
    sub = entry.submit_period(county_store, UNIT, "2025-09", operator="张三")
    assert (sub.state, sub.version, sub.return_note) == ("submitted", 2, None)
    assert county_store.scalar("SELECT resolved_at IS NOT NULL FROM return_note") == 1


def test_other_unit_write_refused(county_store):
    with pytest.raises(RoleError, match="不能修改镇平县的数据"):
        entry.save_values(county_store, "411324", "2025-09", {("TRAINEES", ""): 1}, operator="张三")


def test_municipal_write_refused(municipal_store):
    with pytest.raises(RoleError, match="市级"):
        entry.save_values(municipal_store, UNIT, "2025-09", {("TRAINEES", ""): 1}, operator="李四")
