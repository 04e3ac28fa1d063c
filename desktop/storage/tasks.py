"""Task ledger (重点任务台账): per unit and quarter, the plan's tasks the unit is responsible for,
with status, progress text, next steps and date.

A unit is responsible for a task when `task.all_units = 1` or a `task_unit` row names it. The plan
of a quarter is the one whose years cover it; after a plan has ended (and before its successor is
sent down) the ledger keeps the last plan's tasks and says so (`Ledger.plan_covers` is False).
A task without progress in the quarter shows the status of its latest earlier quarter, marked
as carried over (`TaskRow.carried_from`), so long-running work need not be retyped from nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.core.errors import RoleError, ValidationError
from desktop.core.periods import Period
from desktop.storage import audit
from desktop.storage.db import Store, now_iso

STATUSES = ("未启动", "推进中", "已完成", "长期推进")
NOT_STARTED = STATUSES[0]


@dataclass(frozen=True)
class TaskRow:
    plan_code: str
    no: int
    section: str
    title: str
    summary: str
    lead: str
    responsible: str
    status: str
    progress: str
    next_steps: str
    progress_date: str | None
    updated_at: str | None
    carried_from: str | None  # earlier quarter whose entry is shown; None = this quarter's own

    @property
    def lead_label(self) -> str:
        return self.lead or "（试点县市区自行推进）"


@dataclass(frozen=True)
class Ledger:
    unit_code: str
    quarter: str
    plan_code: str | None
    plan_name: str | None
    plan_covers: bool
    rows: list[TaskRow]

    @property
    def notice(self) -> str:
        if self.plan_code is None:
            return f"{Period.parse(self.quarter).label}没有适用的规划任务"
        if not self.plan_covers:
            return (f"{Period.parse(self.quarter).year}年尚无新规划的任务清单，"
                    f"沿用《{self.plan_name}》的任务继续记录推进情况")
        return ""

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for r in self.rows:
            out[r.status] += 1
        return out


def _quarter(quarter: str | Period) -> Period:
    p = Period.parse(quarter)
    if p.kind != "quarter":
        raise ValidationError(f"任务台账按季度填写，期别“{p}”不是季度", field="季度")
    return p


def ledger_plan(store: Store, quarter: str | Period) -> tuple[str, str, bool] | None:
    """(plan code, name, covers the quarter's year) for the ledger of `quarter`."""
    year = _quarter(quarter).year
    row = store.conn.execute(
        "SELECT code, name FROM plan WHERE start_year <= ? AND end_year >= ? ORDER BY start_year DESC LIMIT 1",
        (year, year)).fetchone()
    if row:
        return row[0], row[1], True
    row = store.conn.execute(
        "SELECT code, name FROM plan WHERE end_year < ? ORDER BY end_year DESC LIMIT 1", (year,)).fetchone()
    return (row[0], row[1], False) if row else None


_TASKS_SQL = """
SELECT t.no, t.section, t.title, t.summary, t.lead, t.responsible
FROM task t
WHERE t.plan_code = :plan AND (t.all_units = 1 OR EXISTS (
    SELECT 1 FROM task_unit u WHERE u.plan_code = t.plan_code AND u.task_no = t.no AND u.unit_code = :unit))
ORDER BY t.no
"""

_PROGRESS_SQL = """
SELECT task_no, quarter, status, progress, next_steps, progress_date, updated_at
FROM task_progress WHERE unit_code = :unit AND plan_code = :plan AND quarter <= :quarter
ORDER BY task_no, quarter
"""


def task_ledger(store: Store, unit_code: str, quarter: str | Period, *, status: str | None = None) -> Ledger:
    q = _quarter(quarter)
    plan = ledger_plan(store, q)
    if plan is None:
        return Ledger(unit_code, str(q), None, None, False, [])
    args = {"plan": plan[0], "unit": unit_code, "quarter": str(q)}
    latest: dict[int, tuple] = {}
    for row in store.conn.execute(_PROGRESS_SQL, args):
        latest[row[0]] = row  # ordered by quarter: the last one wins
    rows = []
    for no, section, title, summary, lead, resp in store.conn.execute(_TASKS_SQL, args):
        p = latest.get(no)
        if p is None:
            rows.append(TaskRow(plan[0], no, section, title, summary, lead, resp, NOT_STARTED, "", "", None, None,
                                None))
            continue
        own = p[1] == str(q)  # only the status carries over; texts belong to their own quarter
        rows.append(TaskRow(plan[0], no, section, title, summary, lead, resp, p[2], p[3] if own else "",
                            p[4] if own else "", p[5] if own else None, p[6] if own else None,
                            None if own else p[1]))
    if status is not None:
        if status not in STATUSES:
            raise ValidationError(f"状态“{status}”无效，应为{'、'.join(STATUSES)}", field="状态")
        rows = [r for r in rows if r.status == status]
    return Ledger(unit_code, str(q), plan[0], plan[1], plan[2], rows)


def _check_date(text: str | None) -> str | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValidationError(f"日期“{text}”格式不对，应为 2025-09-30", field="日期") from None


def save_progress(store: Store, unit_code: str, quarter: str | Period, task_no: int, *, status: str,
                  progress: str = "", next_steps: str = "", progress_date: str | None = None,
                  operator: str) -> None:
    """Write one task's entry for the quarter (insert or update), audit-logged, in one transaction."""
    q = _quarter(quarter)
    if store.role == "municipal":
        raise RoleError("市级（综试办）只能查看各县市区的任务台账，不能修改")
    if store.role == "county" and unit_code != store.unit_code:
        raise RoleError(f"本数据库属于{store.unit_name()}，不能修改{store.unit_name(unit_code)}的任务台账")
    if status not in STATUSES:
        raise ValidationError(f"状态“{status}”无效，应为{'、'.join(STATUSES)}", field="状态")
    when = _check_date(progress_date)
    ledger = task_ledger(store, unit_code, q)
    if not any(r.no == task_no for r in ledger.rows):
        raise ValidationError(f"任务 {task_no} 不是{store.unit_name(unit_code)}负责的任务", field="任务")
    new = {"status": status, "progress": progress.strip(), "next_steps": next_steps.strip(), "progress_date": when}
    key = (unit_code, str(q), ledger.plan_code, task_no)
    with store.atomic() as conn:
        old = conn.execute("SELECT status, progress, next_steps, progress_date FROM task_progress WHERE unit_code = ?"
                           " AND quarter = ? AND plan_code = ? AND task_no = ?", key).fetchone()
        before = dict(zip(new, old)) if old else None
        if before == new:
            return
        conn.execute(
            "INSERT INTO task_progress(unit_code, quarter, plan_code, task_no, status, progress, next_steps,"
            " progress_date, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unit_code, quarter,"
            " plan_code, task_no) DO UPDATE SET status = excluded.status, progress = excluded.progress,"
            " next_steps = excluded.next_steps, progress_date = excluded.progress_date,"
            " updated_at = excluded.updated_at", (*key, *new.values(), now_iso()))
        audit.record(conn, operator=operator, table="task_progress", row_key="/".join(map(str, key)),
                     action="update" if old else "insert", before=before, after=new)
