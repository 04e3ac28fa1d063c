"""Municipal tables: 表9 各县市区主要指标汇总, 表10 目标任务完成情况, 表11 数据报送情况."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from desktop.core.money import share_percent
from desktop.core.periods import Period
from desktop.reporting.common import Scope, header_block, plan_note, zero
from desktop.reporting.model import Column, Report, Row, Table
from desktop.storage.db import Store
from desktop.storage.figures import Figures, figures_by_unit, milestone_results, plan_for_year
from desktop.storage.reference import CITY_CODE

SUMMARY_UNIT = "亿元"


# -- 表9 ----------------------------------------------------------------------------------------
def _t9_columns() -> list[Column]:
    g1, g2, g3 = "跨境电商交易额", "其中", "市场主体（期末）"
    return [
        Column(("单位",), width=12), Column((g1, "本年累计"), "money", SUMMARY_UNIT), Column((g1, "同比(%)"), "percent"),
        Column((g1, "占全市(%)"), "percent"), Column((g1, "排名"), "int"),
        Column((g2, "出口"), "money", SUMMARY_UNIT), Column((g2, "进口"), "money", SUMMARY_UNIT),
        Column((g2, "B2B出口"), "money", SUMMARY_UNIT),
        Column((g3, "企业"), "int"), Column((g3, "知名企业"), "int"), Column((g3, "园区"), "int"),
        Column((g3, "基地"), "int"), Column(("人才累计",), "int"),
    ]


def _t9_values(name: str, f: Figures, city_volume: int, rank: int | None) -> list[object]:
    vol = f.row("VOLUME")
    talent = f.row("TALENT")
    return [name, zero(vol.ytd), vol.growth, share_percent(zero(vol.ytd), city_volume), rank,
            zero(f.row("EXPORT").ytd), zero(f.row("IMPORT").ytd), zero(f.row("B2B_EXPORT").ytd),
            zero(f.row("ENTERPRISES").value), zero(f.row("KNOWN_ENTERPRISES").value), zero(f.row("PARKS").value),
            zero(f.row("BASES").value), zero(talent.cumulative if talent.cumulative is not None else talent.ytd)]


def build_table9(store: Store, scope: Scope, period: Period) -> Report:
    figs = figures_by_unit(store, period)
    city = figs.pop(CITY_CODE)
    city_volume = zero(city.row("VOLUME").ytd)
    order = sorted(figs, key=lambda u: -zero(figs[u].row("VOLUME").ytd))
    rank = {u: i for i, u in enumerate(order, start=1)}
    rows = [Row(_t9_values(f.unit_name, f, city_volume, rank[u])) for u, f in figs.items()]
    rows.append(Row(_t9_values("全市合计", city, city_volume, None), style="total"))
    notes = [f"交易额为本年累计（{period.ytd_label}），同比为与上年同期累计比较；市场主体为期末台账数。",
             "人才累计为规划期起始年以来培养和引进人才之和；排名按本年累计交易额。",
             plan_note(city.plan)]
    if not city_volume and not any(r.value for r in city.rows):
        notes.insert(0, "本期尚无各单位数据，表中数字均为0。")
    return Report("T9", 9, "各县市区主要指标汇总", "各县市区跨境电商主要指标汇总表", CITY_CODE, scope.name, period,
                  header_block(store, "T9"), SUMMARY_UNIT + "（金额）", [Table(_t9_columns(), rows)], notes,
                  landscape=True)


# -- 表10 ---------------------------------------------------------------------------------------
def status_day(period: Period) -> date:
    """Milestone status as at the end of the report period (or today, if that is earlier)."""
    return min(date.today(), period.end_date() + timedelta(days=1))


def build_table10(store: Store, scope: Scope, period: Period) -> Report:
    plan = plan_for_year(store, period.year)
    results = milestone_results(store, None, today=status_day(period))
    if plan is None:  # no plan covers the year: show the latest plan that ended before it
        ended = [m for m in results if m.year < period.year]
        code = ended[-1].plan_code if ended else None
        results = [m for m in results if m.plan_code == code]
    else:
        results = [m for m in results if m.plan_code == plan.code]
    years = sorted({m.year for m in results})
    metrics: dict[str, list] = {}
    for m in results:
        metrics.setdefault(m.metric_key, []).append(m)
    cols = [Column(("指标",), width=22), Column(("计量单位",))]
    for y in years:
        cols += [Column((f"{y}年", "目标"), "measure", "亿元"), Column((f"{y}年", "实际"), "measure", "亿元"),
                 Column((f"{y}年", "完成(%)"), "percent"), Column((f"{y}年", "状态"))]
    rows = []
    for key, items in metrics.items():
        by_year = {m.year: m for m in items}
        values: list[object] = [items[0].metric_name, items[0].display_unit]
        for y in years:
            m = by_year.get(y)
            values += [m.target, m.actual, m.completion, m.status] if m else [None] * 4
        rows.append(Row(values, money=items[0].display_unit == "亿元"))
    notes = ["状态：已完成 / 未完成 为节点年度结束后的结果；按进度 / 滞后 按截至报告期末的时间进度"
             "（应完成 = 目标 × 已过时间占节点期的比例）；未到期 为节点期尚未开始。",
             "交易额为节点年度全年交易额；园区、知名企业、人才为累计数。"]
    notes.append(plan_note(plan) if plan else
                 ("本年度无规划目标，列示上一规划的节点完成情况，与上年同期比较见表9。" if results
                  else "本年度无规划目标，与上年同期比较见表9。"))
    return Report("T10", 10, "目标任务完成情况", "规划目标任务完成情况表", CITY_CODE, scope.name, period,
                  header_block(store, "T10"), "亿元（交易额）、个、人", [Table(cols, rows)], notes, landscape=True)


# -- 表11 ---------------------------------------------------------------------------------------
def submission_periods(period: Period) -> list[str]:
    """The period keys shown as columns: the months of the span, then its quarters."""
    if period.kind == "month":
        return [str(period)]
    months = period.month_keys() if period.kind == "quarter" else []
    quarters = [f"{period.year}Q{q}" for q in range((period.first_month + 2) // 3, period.last_month // 3 + 1)]
    return months + quarters


def _span_keys(period: Period) -> list[str]:
    return period.month_keys() + [f"{period.year}Q{q}" for q in
                                  range((period.first_month + 2) // 3, period.last_month // 3 + 1)]


def _status(sub: tuple | None, due: str | None, today: date) -> tuple[str, str]:
    """(category, cell text). Categories: ontime, late, missing, returned, pending."""
    if sub is not None and sub[0] == "returned":
        return "returned", "退回"
    if sub is not None and sub[0] == "submitted":
        day = (sub[2] or "")[:10]
        label = f"{day[5:]} 第{sub[1]}版" if day else f"第{sub[1]}版"
        if due and day and day > due:
            return "late", f"逾期 {label}"
        return "ontime", f"已报 {label}"
    if due and today.isoformat() <= due:
        return "pending", "未到期"
    return "missing", "更正中" if sub is not None and sub[0] == "reopened" else "未报"


def build_table11(store: Store, scope: Scope, period: Period, *, today: date | None = None) -> Report:
    today = today or date.today()
    shown, span = submission_periods(period), _span_keys(period)
    marks = ",".join("?" * len(span))
    subs = {(r[0], r[1]): r[2:] for r in store.conn.execute(
        f"SELECT unit_code, period, state, version, submitted_at FROM submission WHERE period IN ({marks})", span)}
    dues = dict(store.conn.execute(f"SELECT period, due_date FROM deadline WHERE period IN ({marks})", span))
    units = store.conn.execute("SELECT code, name FROM unit WHERE code != ? AND active = 1 ORDER BY sort",
                               (CITY_CODE,)).fetchall()
    cols = [Column(("单位",), width=12)] + [Column(("各期报送情况", Period.parse(p).label.replace(f"{period.year}年", "")),
                                                    width=12) for p in shown]
    cols += [Column(("统计", h), "int") for h in ("应报", "按时", "逾期", "未报", "退回")]
    rows, missing, totals = [], [], Counter()
    for code, name in units:
        cats = Counter()
        texts = {}
        for p in span:
            cat, text = _status(subs.get((code, p)), dues.get(p), today)
            cats[cat] += 1
            texts[p] = text
        expected = len(span) - cats["pending"]
        counts = [expected, cats["ontime"], cats["late"], cats["missing"], cats["returned"]]
        totals.update(dict(zip("ABCDE", counts)))
        rows.append(Row([name] + [texts[p] for p in shown] + counts))
        if cats["missing"] or cats["returned"]:
            missing.append(name)
    rows.append(Row(["合计"] + [None] * len(shown) + [totals[k] for k in "ABCDE"], style="total"))
    notes = [f"统计{period.label}各期（{'、'.join(Period.parse(p).label for p in span)}）的报送；按时 / 逾期以市综试办"
             "规定的报送截止日期判断，未规定截止日期的按已报计为按时。"]
    if missing:
        notes.append(f"催报：截至{today.year}年{today.month}月{today.day}日，{'、'.join(missing)}尚有数据未报送或被退回修改，"
                     "请抓紧填报（更正）并报送市综试办。")
    else:
        notes.append("各单位均已报送本期数据。")
    return Report("T11", 11, "数据报送情况", "各县市区数据报送情况表", CITY_CODE, scope.name, period,
                  header_block(store, "T11"), "期", [Table(cols, rows)], notes, landscape=True)
