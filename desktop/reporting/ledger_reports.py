"""表2 企业名录, 表3 园区, 表4 培训孵化基地, 表6 海外仓及直播基地, 表7 重点任务推进台账 — from the
ledgers (soft-deleted rows excluded), as they stand at the period's end."""
from __future__ import annotations

from collections import defaultdict

from desktop.core.periods import Period
from desktop.reporting.common import Scope, deadline_note, header_block
from desktop.reporting.model import Column, Report, Row, Table
from desktop.storage.db import Store
from desktop.storage.figures import plan_for_year

_NO_ROWS = "本期无记录。"


def _unit_col(scope: Scope) -> list[Column]:
    return [Column(("所属单位",))] if scope.city else []


def _unit_val(scope: Scope, name: str) -> list[str]:
    return [name] if scope.city else []


def _report(store: Store, code: str, number: int, short: str, title: str, scope: Scope, period: Period,
            measure: str, tables: list[Table], notes: list[str], landscape: bool = True) -> Report:
    return Report(code, number, short, title, scope.code, scope.name, period, header_block(store, code), measure,
                  tables, notes + [deadline_note(store, period)], landscape=landscape)


# -- 表2 ----------------------------------------------------------------------------------------
def build_table2(store: Store, scope: Scope, period: Period) -> Report:
    where, params = scope.sql("e.unit_code")
    year = period.year
    cur = store.conn.execute(
        "SELECT u.name, e.name, e.credit_code, coalesce(p.name, ''), e.main_products, e.modes, coalesce(b.name, ''),"
        " e.known, e.known_year, e.brought_in, e.brought_in_year, v.amount, e.contact, e.phone"
        " FROM enterprise e JOIN unit u ON u.code = e.unit_code"
        " LEFT JOIN park p ON p.id = e.park_id LEFT JOIN industry_belt b ON b.code = e.belt_code"
        " LEFT JOIN enterprise_volume v ON v.enterprise_id = e.id AND v.year = ?"
        f" WHERE e.deleted_at IS NULL AND e.status = '在营'{where} ORDER BY u.sort, e.initials, e.id",
        (year - 1, *params))
    rows, total = [], 0
    for n, r in enumerate(cur, start=1):
        known = "是" if r[7] and (r[8] or 0) <= year else ""
        brought = r[10] if r[9] else None
        total += r[11] or 0
        rows.append(Row([n, *_unit_val(scope, r[0]), r[1], r[2], r[3], r[4], r[5].replace(",", "、"), r[6], known,
                         brought, r[11], r[12], r[13]]))
    cols = [Column(("序号",), "int"), *_unit_col(scope), Column(("企业名称",), width=28, wrap=True),
            Column(("统一社会信用代码",), width=19), Column(("所属园区",), width=14, wrap=True),
            Column(("主营产品",), width=12, wrap=True), Column(("经营模式",), width=10, wrap=True), Column(("产业带",), width=8),
            Column(("知名企业",)), Column(("引进年份",), "int"), Column((f"{year - 1}年交易额",), "money"),
            Column(("联系人",)), Column(("联系电话",), width=12)]
    if rows:
        rows.append(Row(_total_row(cols, f"共{len(rows)}家", {len(cols) - 3: total}), style="total"))
    notes = ["名录为报告期末在营的跨境电商企业（已删除、停业、注销的不列入）。",
             f"交易额为{year - 1}年全年跨境电商交易额；知名企业、引进企业按台账认定年份。"]
    return _report(store, "T2", 2, "跨境电商企业名录", "跨境电商企业名录", scope, period, "万元",
                   [Table(cols, rows)], notes if rows else [_NO_ROWS] + notes)


def _total_row(cols: list[Column], label: str, values: dict[int, int]) -> list[object]:
    out: list[object] = [None] * len(cols)
    out[1 if cols[0].title == "序号" else 0] = label
    for j, v in values.items():
        out[j] = v
    return out


# -- 表3 ----------------------------------------------------------------------------------------
def build_table3(store: Store, scope: Scope, period: Period) -> Report:
    where, params = scope.sql("p.unit_code")
    cur = store.conn.execute(
        "SELECT u.name, p.name, p.level, p.demonstration, p.operator, p.area_m2, p.tenants, p.cbec_tenants,"
        " p.certified_year, p.status FROM park p JOIN unit u ON u.code = p.unit_code"
        f" WHERE p.deleted_at IS NULL AND coalesce(p.certified_year, 0) <= ?{where} ORDER BY u.sort, p.id",
        (period.year, *params))
    rows = []
    sums = defaultdict(int)
    for n, r in enumerate(cur, start=1):
        level = r[2] + ("（示范）" if r[3] else "")
        rows.append(Row([n, *_unit_val(scope, r[0]), r[1], level, r[4], r[5], r[6], r[7], r[8], r[9]]))
        for k, v in (("area", r[5]), ("tenants", r[6]), ("cbec", r[7])):
            sums[k] += v or 0
    cols = [Column(("序号",), "int"), *_unit_col(scope), Column(("园区名称",), width=24, wrap=True),
            Column(("级别",)), Column(("运营主体",), width=20, wrap=True), Column(("面积(m²)",), "int"),
            Column(("入驻企业",), "int"), Column(("其中跨境电商企业",), "int"), Column(("认定年份",), "int"),
            Column(("状态",))]
    off = len(cols) - 9
    if rows:
        rows.append(Row(_total_row(cols, f"共{len(rows)}个", {4 + off: sums["area"], 5 + off: sums["tenants"],
                                                            6 + off: sums["cbec"]}), style="total"))
    notes = ["列入报告期末前认定（或未填认定年份）的园区；运营中的园区计入表1“跨境电商产业园区”。"]
    return _report(store, "T3", 3, "跨境电商园区情况", "跨境电商园区情况表", scope, period, "平方米、家",
                   [Table(cols, rows)], notes if rows else [_NO_ROWS] + notes)


# -- 表4 ----------------------------------------------------------------------------------------
def _period_keys(period: Period) -> set[str]:
    keys = set(period.month_keys())
    if period.kind in ("quarter", "year"):
        keys |= {f"{period.year}Q{q}" for q in range((period.first_month + 2) // 3, period.last_month // 3 + 1)}
    if period.kind == "year":
        keys.add(str(period))
    return keys


def _ends_by(key: str, end: Period) -> bool:
    try:
        return Period.parse(key) <= end
    except Exception:  # a malformed period key in old data is not this report's business
        return False


def build_table4(store: Store, scope: Scope, period: Period) -> Report:
    where, params = scope.sql("b.unit_code")
    bases = store.conn.execute(
        "SELECT b.id, u.name, b.name, b.kind, b.level, b.demonstration, b.operator, b.area_m2"
        " FROM base b JOIN unit u ON u.code = b.unit_code"
        f" WHERE b.deleted_at IS NULL AND coalesce(b.established_year, 0) <= ?{where} ORDER BY u.sort, b.id",
        (period.year, *params)).fetchall()
    keys = _period_keys(period)
    now: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    cum: dict[int, int] = defaultdict(int)
    bp_where, bp_params = scope.sql("b.unit_code")
    for bid, p, sessions, trainees, incubated in store.conn.execute(
            "SELECT bp.base_id, bp.period, bp.sessions, bp.trainees, bp.incubated FROM base_period bp"
            f" JOIN base b ON b.id = bp.base_id WHERE b.deleted_at IS NULL{bp_where}", bp_params):
        if p in keys:
            acc = now[bid]
            acc[0] += sessions
            acc[1] += trainees
            acc[2] += incubated
        if _ends_by(p, period):
            cum[bid] += incubated
    rows, tot = [], [0, 0, 0, 0, 0]
    for n, (bid, unit, name, kind, level, demo, operator, area) in enumerate(bases, start=1):
        s, t, i = now[bid]
        rows.append(Row([n, *_unit_val(scope, unit), name, kind, level + ("（示范）" if demo else ""), operator,
                         area, s, t, i, cum[bid]]))
        for k, v in enumerate((area or 0, s, t, i, cum[bid])):
            tot[k] += v
    cols = [Column(("序号",), "int"), *_unit_col(scope), Column(("基地名称",), width=22, wrap=True),
            Column(("类型",)), Column(("级别",)), Column(("运营主体",), width=18, wrap=True),
            Column(("面积(m²)",), "int"), Column(("本期", "培训场次"), "int"), Column(("本期", "培训人次"), "int"),
            Column(("本期", "孵化企业"), "int"), Column(("累计孵化企业",), "int")]
    off = len(cols) - 10
    if rows:
        rows.append(Row(_total_row(cols, f"共{len(rows)}个", {5 + off + k: v for k, v in enumerate(tot)}),
                        style="total"))
    notes = ["本期培训、孵化数为各基地报告期内填报数之和；累计孵化为截至本期末的全部孵化企业数。"]
    return _report(store, "T4", 4, "培训孵化基地情况", "跨境电商培训孵化基地情况表", scope, period, "平方米、场、人次、家",
                   [Table(cols, rows)], notes if rows else [_NO_ROWS] + notes)


# -- 表6 ----------------------------------------------------------------------------------------
def build_table6(store: Store, scope: Scope, period: Period) -> Report:
    where, params = scope.sql("w.unit_code")
    wrows, area = [], 0
    for n, r in enumerate(store.conn.execute(
            "SELECT u.name, w.name, w.operator, w.country, w.city, w.area_m2, w.public, w.demonstration, w.status"
            " FROM warehouse w JOIN unit u ON u.code = w.unit_code"
            f" WHERE w.deleted_at IS NULL AND coalesce(w.opened_year, 0) <= ?{where} ORDER BY u.sort, w.id",
            (period.year, *params)), start=1):
        wrows.append(Row([n, *_unit_val(scope, r[0]), r[1], r[2], r[3], r[4], r[5], "是" if r[6] else "",
                          "是" if r[7] else "", r[8]]))
        area += r[5] or 0
    wcols = [Column(("序号",), "int"), *_unit_col(scope), Column(("海外仓名称",), width=20, wrap=True),
             Column(("运营企业",), width=20, wrap=True), Column(("国家/地区",)), Column(("城市",)),
             Column(("面积(m²)",), "int"), Column(("公共海外仓",)), Column(("示范",)), Column(("状态",))]
    if wrows:
        wrows.append(Row(_total_row(wcols, f"共{len(wrows)}个", {len(wcols) - 4: area}), style="total"))
    keys = _period_keys(period)
    lwhere, lparams = scope.sql("l.unit_code")
    per: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for bid, p, sessions, sales in store.conn.execute(
            "SELECT lp.base_id, lp.period, lp.sessions, lp.sales FROM livestream_period lp"
            f" JOIN livestream_base l ON l.id = lp.base_id WHERE l.deleted_at IS NULL{lwhere}", lparams):
        if p in keys:
            per[bid][0] += sessions
            per[bid][1] += sales
    lrows, ltot = [], [0, 0, 0, 0]
    for n, r in enumerate(store.conn.execute(
            "SELECT l.id, u.name, l.name, l.operator, l.hosts, l.rooms FROM livestream_base l"
            " JOIN unit u ON u.code = l.unit_code"
            f" WHERE l.deleted_at IS NULL AND coalesce(l.established_year, 0) <= ?{lwhere} ORDER BY u.sort, l.id",
            (period.year, *lparams)), start=1):
        s, sales = per[r[0]]
        lrows.append(Row([n, *_unit_val(scope, r[1]), r[2], r[3], r[4], r[5], s, sales]))
        for k, v in enumerate((r[4], r[5], s, sales)):
            ltot[k] += v
    lcols = [Column(("序号",), "int"), *_unit_col(scope), Column(("直播基地名称",), width=22, wrap=True),
             Column(("运营主体",), width=20, wrap=True), Column(("主播数",), "int"), Column(("直播间",), "int"),
             Column(("本期直播场次",), "int"), Column(("本期销售额(万元)",), "money")]
    if lrows:
        n0 = len(lcols) - 4
        lrows.append(Row(_total_row(lcols, f"共{len(lrows)}个", {n0 + k: v for k, v in enumerate(ltot)}),
                         style="total"))
    notes = ["海外仓、直播基地为报告期末台账记录；本期直播场次、销售额为报告期内填报数之和。"]
    if not wrows and not lrows:
        notes.insert(0, _NO_ROWS)
    return _report(store, "T6", 6, "海外仓及直播基地情况", "跨境电商海外仓及直播基地情况表", scope, period,
                   "平方米、万元", [Table(wcols, wrows, "一、海外仓", "海外仓"),
                                  Table(lcols, lrows, "二、直播基地", "直播基地")], notes)


# -- 表7 ----------------------------------------------------------------------------------------
def task_plan_code(store: Store, year: int) -> str | None:
    plan = plan_for_year(store, year)
    if plan:
        return plan.code
    return store.scalar("SELECT code FROM plan WHERE start_year <= ? ORDER BY end_year DESC LIMIT 1", (year,))


def build_table7(store: Store, scope: Scope, period: Period) -> Report:
    quarter = period.quarter_of()
    plan_code = task_plan_code(store, period.year)
    cols = [Column(("序号",), "int"), *_unit_col(scope), Column(("任务",), width=18, wrap=True),
            Column(("牵头单位",), width=14, wrap=True), Column(("本单位职责",), width=30, wrap=True),
            Column(("进展状态",)), Column(("本季度进展",), width=34, wrap=True),
            Column(("下步计划",), width=24, wrap=True)]
    rows = []
    if scope.city:
        cur = store.conn.execute(
            "SELECT u.name, t.no, t.title, t.lead, t.summary, tp.status, tp.progress, tp.next_steps"
            " FROM task_progress tp JOIN task t ON t.plan_code = tp.plan_code AND t.no = tp.task_no"
            " JOIN unit u ON u.code = tp.unit_code WHERE tp.quarter = ? AND tp.plan_code = ?"
            " ORDER BY t.no, u.sort", (str(quarter), plan_code))
        data = [(r[0], *r[1:]) for r in cur]
    else:
        cur = store.conn.execute(
            "SELECT t.no, t.title, t.lead, t.summary, tp.status, tp.progress, tp.next_steps FROM task t"
            " LEFT JOIN task_progress tp ON tp.plan_code = t.plan_code AND tp.task_no = t.no"
            "  AND tp.unit_code = ? AND tp.quarter = ?"
            " WHERE t.plan_code = ? AND (t.all_units = 1 OR EXISTS (SELECT 1 FROM task_unit x"
            "  WHERE x.plan_code = t.plan_code AND x.task_no = t.no AND x.unit_code = ?)) ORDER BY t.no",
            (scope.code, str(quarter), plan_code, scope.code))
        data = [(None, *r) for r in cur]
    for n, (unit, no, title, lead, summary, status, progress, next_steps) in enumerate(data, start=1):
        rows.append(Row([n, *_unit_val(scope, unit or ""), f"{no}. {title}", lead, summary,
                         status or "未填报", progress or "", next_steps or ""]))
    notes = [f"按规划任务分工列出本单位负责的任务；进展为{quarter.label}填报内容，“未填报”表示本季度尚未填写。"]
    if not rows:
        notes.insert(0, _NO_ROWS)
    return _report(store, "T7", 7, "重点任务推进台账", "重点任务推进台账", scope, quarter, "—",
                   [Table(cols, rows)], notes)
