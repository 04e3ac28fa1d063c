"""Task ledger: which tasks a unit sees, carried-over status, filter, save and audit."""
from __future__ import annotations

import json

import pytest

from desktop.core.errors import RoleError, ValidationError
from desktop.storage import tasks

UNIT = "411323"  # 西峡县: the all-units tasks plus task 23 (B2B export pilot)
ALL_UNIT_TASKS = [2, 3, 4, 5, 6, 8, 20, 21, 22]


def _save(store, quarter, no, status, **kw):
    tasks.save_progress(store, UNIT, quarter, no, status=status, operator="张三", **kw)


def test_unit_sees_its_tasks_with_lead(county_store):
    led = tasks.task_ledger(county_store, UNIT, "2025Q3")
    assert (led.plan_code, led.plan_covers, led.notice) == ("NY2021", True, "")
    assert [r.no for r in led.rows] == ALL_UNIT_TASKS + [23]
    by_no = {r.no: r for r in led.rows}
    assert by_no[20].title == "发展“跨境电商+直播”" and by_no[20].lead == "市商务局"
    assert by_no[23].lead_label == "（试点县市区自行推进）"
    assert {r.status for r in led.rows} == {"未启动"}
    assert led.counts() == {"未启动": 10, "推进中": 0, "已完成": 0, "长期推进": 0}


def test_other_unit_does_not_get_pilot_task(municipal_store):
    led = tasks.task_ledger(municipal_store, "411302", "2025Q3")  # 宛城区: not a pilot
    assert [r.no for r in led.rows] == ALL_UNIT_TASKS


def test_save_filter_and_audit(county_store):
    _save(county_store, "2025Q3", 20, "推进中", progress="建成直播基地1个", next_steps="培训主播50名",
          progress_date="2025-09-28")
    _save(county_store, "2025Q3", 23, "长期推进", progress="B2B出口试点持续推进")
    led = tasks.task_ledger(county_store, UNIT, "2025Q3", status="推进中")
    [r] = led.rows
    assert (r.no, r.progress, r.next_steps, r.progress_date, r.carried_from) == (
        20, "建成直播基地1个", "培训主播50名", "2025-09-28", None)
    assert [r.no for r in tasks.task_ledger(county_store, UNIT, "2025Q3", status="未启动").rows] == [
        2, 3, 4, 5, 6, 8, 21, 22]
    _save(county_store, "2025Q3", 20, "已完成", progress="建成直播基地1个", next_steps="",
          progress_date="2025-09-30")
    _save(county_store, "2025Q3", 20, "已完成", progress="建成直播基地1个", next_steps="",
          progress_date="2025-09-30")  # unchanged: no audit row
    audit = county_store.query("SELECT row_key, action, before, after FROM audit_log WHERE table_name = 'task_progress'"
                               " ORDER BY id")
    assert [(a["row_key"], a["action"]) for a in audit] == [
        ("411323/2025Q3/NY2021/20", "insert"), ("411323/2025Q3/NY2021/23", "insert"),
        ("411323/2025Q3/NY2021/20", "update")]
    assert json.loads(audit[2]["before"])["status"] == "推进中"
    assert json.loads(audit[2]["after"]) == {"status": "已完成", "progress": "建成直播基地1个", "next_steps": "",
                                             "progress_date": "2025-09-30"}


def test_status_carries_over_to_later_quarter(county_store):
    _save(county_store, "2025Q2", 6, "推进中", progress="举办培训3期")
    led = tasks.task_ledger(county_store, UNIT, "2025Q3")
    r = next(r for r in led.rows if r.no == 6)
    assert (r.status, r.progress, r.carried_from) == ("推进中", "", "2025Q2")
    earlier = tasks.task_ledger(county_store, UNIT, "2025Q1")
    assert next(r for r in earlier.rows if r.no == 6).status == "未启动"


def test_after_plan_end_keeps_last_plan_with_notice(county_store):
    led = tasks.task_ledger(county_store, UNIT, "2026Q1")
    assert (led.plan_code, led.plan_covers) == ("NY2021", False)
    assert led.notice.startswith("2026年尚无新规划的任务清单，沿用《中国（南阳）跨境电子商务综合试验区建设行动计划")
    assert tasks.task_ledger(county_store, UNIT, "2019Q1").rows == []


def test_bad_input_refused(county_store):
    with pytest.raises(ValidationError, match="状态“完成”无效"):
        _save(county_store, "2025Q3", 20, "完成")
    with pytest.raises(ValidationError, match="日期“2025/9/30”格式不对"):
        _save(county_store, "2025Q3", 20, "推进中", progress_date="2025/9/30")
    with pytest.raises(ValidationError, match="任务 1 不是西峡县负责的任务"):
        _save(county_store, "2025Q3", 1, "推进中")
    with pytest.raises(ValidationError, match="不是季度"):
        _save(county_store, "2025-09", 20, "推进中")
    with pytest.raises(RoleError, match="不能修改镇平县的任务台账"):
        tasks.save_progress(county_store, "411324", "2025Q3", 23, status="推进中", operator="张三")
    assert county_store.scalar("SELECT count(*) FROM task_progress") == 0
    assert county_store.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'task_progress'") == 0


def test_municipal_cannot_write(municipal_store):
    with pytest.raises(RoleError, match="只能查看"):
        tasks.save_progress(municipal_store, UNIT, "2025Q3", 20, status="推进中", operator="李四")
