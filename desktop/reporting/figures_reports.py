"""表1 跨境电商主要指标完成情况表 and 表5 人才培养引进情况表 — figures from the plan-figure engine only."""
from __future__ import annotations

from desktop.core.periods import Period
from desktop.reporting.common import Scope, deadline_note, header_block, plan_note, zero
from desktop.reporting.model import Column, Report, Row, Table
from desktop.storage.db import Store
from desktop.storage.figures import Figures, FigureRow, plan_figures

# (label, engine key or None for a section line, level)
T1_LAYOUT: list[tuple[str, str | None, int]] = [
    ("一、跨境电商交易额", "VOLUME", 0),
    ("（一）出口额", "EXPORT", 1),
    ("其中：9610", "EXPORT.9610", 2), ("9710", "EXPORT.9710", 2), ("9810", "EXPORT.9810", 2),
    ("1210", "EXPORT.1210", 2), ("其他", "EXPORT.OTHER", 2),
    ("（二）进口额", "IMPORT", 1),
    ("其中：9610", "IMPORT.9610", 2), ("1210", "IMPORT.1210", 2), ("1239", "IMPORT.1239", 2),
    ("其他", "IMPORT.OTHER", 2),
    ("其中：B2B出口（9710+9810）", "B2B_EXPORT", 1),
    ("B2C出口（9610+1210）", "B2C_EXPORT", 1),
    ("二、市场主体（期末数）", None, 0),
    ("跨境电商企业", "ENTERPRISES", 1), ("其中：知名企业", "KNOWN_ENTERPRISES", 2),
    ("本年引进企业", "BROUGHT_IN_YEAR", 2),
    ("跨境电商产业园区", "PARKS", 1), ("培训孵化基地", "BASES", 1),
    ("海外仓", "WAREHOUSES", 1), ("海外仓面积", "WAREHOUSE_AREA", 2),
    ("直播基地", "LIVESTREAM_BASES", 1), ("直播主播", "LIVESTREAM_HOSTS", 2),
    ("O2O体验店", "O2O_STORES", 1),
    ("三、跨境电商人才（培养+引进）", "TALENT", 0),
    ("培养人才", "TALENT_TRAINED", 1), ("引进人才", "TALENT_INTRODUCED", 1),
    ("四、培训孵化", None, 0),
    ("开展跨境电商培训", "TRAINING_SESSIONS", 1), ("培训人次", "TRAINEES", 1),
    ("孵化跨境电商企业", "INCUBATED", 1),
    ("五、跨境直播销售额", "LIVESTREAM_SALES", 0),
    ("六、中欧班列", None, 0),
    ("跨境电商专列", "RAIL_TRAINS", 1), ("跨境电商货量", "RAIL_TEU", 1),
]

T1_COLUMNS = [
    Column(("指标名称",), width=26), Column(("计量单位",)), Column(("本期",), "measure"),
    Column(("累计", "本年累计"), "measure"), Column(("累计", "上年同期累计"), "measure"),
    Column(("同比增长(%)",), "percent"), Column(("年度目标", "目标值"), "measure"),
    Column(("年度目标", "完成(%)"), "percent"),
]

TALENT_CATS = (("EXEC", "企业高管"), ("OPS", "运营推广"), ("TECH", "技术研发"), ("HOST", "直播主播"), ("OTHER", "其他"))


def is_empty(figs: Figures) -> bool:
    return not any(r.value or r.ytd for r in figs.rows)


def _t1_row(label: str, r: FigureRow, level: int) -> Row:
    # None = not applicable (no last-year roster count; a quarterly figure mid-quarter): left blank
    values = [label, r.unit, r.value, zero(r.ytd), r.ytd_last_year, r.growth, r.target, r.completion]
    return Row(values, level=level, money=r.storage_unit == "元", style="total" if level == 0 else "normal")


def table1_rows(figs: Figures) -> list[Row]:
    rows = []
    for label, key, level in T1_LAYOUT:
        if key is None:
            rows.append(Row([label] + [None] * 7, level=level, style="section"))
        else:
            rows.append(_t1_row(label, figs.row(key), level))
    return rows


def build_table1(store: Store, scope: Scope, period: Period) -> Report:
    figs = plan_figures(store, period, scope.filter_code)
    notes = [f"本年累计为1月至本期末（{period.ytd_label}）；“市场主体”各行为报告期末台账数，由台账自动统计。",
             "交易额 = 出口额 + 进口额；B2B出口 = 9710 + 9810；B2C出口 = 9610 + 1210。",
             plan_note(figs.plan), deadline_note(store, period)]
    if is_empty(figs):
        notes.insert(0, "本期尚无填报数据，表中数字均为0。")
    return Report(
        "T1", 1, "跨境电商主要指标", "跨境电商主要指标完成情况表", scope.code, scope.name, period,
        header_block(store, "T1"), "万元（金额）；其余见各行", [Table(list(T1_COLUMNS), table1_rows(figs))], notes,
    )


# -- 表5 --------------------------------------------------------------------------------------
def _t5_columns(since: int) -> list[Column]:
    return [
        Column(("人才类别",), width=16), Column(("本期", "培养"), "int"), Column(("本期", "引进"), "int"),
        Column(("本年累计", "培养"), "int"), Column(("本年累计", "引进"), "int"), Column(("本年累计", "合计"), "int"),
        Column(("累计", f"{since}年以来"), "int"), Column(("规划目标",), "int"), Column(("完成(%)",), "percent"),
    ]


def table5_rows(figs: Figures) -> list[Row]:
    rows = []
    for cat, name in TALENT_CATS:
        t, i = figs.row(f"TALENT_TRAINED.{cat}"), figs.row(f"TALENT_INTRODUCED.{cat}")
        cum = None if t.cumulative is None and i.cumulative is None else zero(t.cumulative) + zero(i.cumulative)
        rows.append(Row([name, zero(t.value), zero(i.value), zero(t.ytd), zero(i.ytd), zero(t.ytd) + zero(i.ytd),
                         cum, None, None]))
    t, i, total = figs.row("TALENT_TRAINED"), figs.row("TALENT_INTRODUCED"), figs.row("TALENT")
    rows.append(Row(["合计", zero(t.value), zero(i.value), zero(t.ytd), zero(i.ytd), zero(total.ytd),
                     total.cumulative, total.target, total.completion], style="total"))
    return rows


def build_table5(store: Store, scope: Scope, period: Period) -> Report:
    figs = plan_figures(store, period, scope.filter_code)
    since = figs.plan.start_year if figs.plan else period.year
    notes = [f"“{since}年以来”为规划期起始年至本期末累计；规划目标为规划确定的本年末累计人才数（培养+引进）。",
             plan_note(figs.plan), deadline_note(store, period)]
    if is_empty(figs):
        notes.insert(0, "本期尚无填报数据，表中数字均为0。")
    return Report(
        "T5", 5, "人才培养引进情况", "跨境电商人才培养引进情况表", scope.code, scope.name, period,
        header_block(store, "T5"), "人", [Table(_t5_columns(since), table5_rows(figs))], notes,
    )
