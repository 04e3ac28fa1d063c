"""What importing a package would change: per table added / changed / removed rows, with the
changed figures spelled out for the clerk's preview."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from desktop.core.money import format_money
from desktop.exchange.package_format import Table
from desktop.exchange.package_tables import Spec, read_rows

MAX_DETAILS = 200
TABLE_LABELS = {
    "park": "园区", "enterprise": "企业", "enterprise_volume": "企业年交易额", "base": "培训孵化基地",
    "base_period": "基地分期数据", "warehouse": "海外仓", "livestream_base": "直播基地",
    "livestream_period": "直播分期数据", "o2o_store": "O2O体验店", "indicator_value": "指标数据",
    "submission": "报送状态", "task_progress": "任务进展", "unit": "单位", "industry_belt": "产业带",
    "customs_mode": "监管方式", "category_option": "指标分类", "indicator": "指标目录", "plan": "规划",
    "plan_metric": "规划指标", "plan_target": "目标值", "task": "重点任务", "task_unit": "任务责任单位",
    "report_header": "报表表头", "deadline": "报送截止日期", "return_note": "退回修改意见",
    "unit_note": "市级通知",
}


@dataclass
class TableChange:
    table: str
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return TABLE_LABELS.get(self.table, self.table)

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def to_json(self) -> dict[str, Any]:
        return {"table": self.table, "label": self.label, "added": self.added, "changed": self.changed,
                "removed": self.removed, "unchanged": self.unchanged, "details": self.details}


class _Describer:
    """Readable names of rows and values (indicator names, money in 万元)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.ind = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT code, name, unit FROM indicator")}
        self.cat = {(r[0], r[1]): r[2] for r in conn.execute("SELECT set_code, code, name FROM category_option")}
        self.cat_set = {r[0]: r[1] for r in conn.execute("SELECT code, category_set FROM indicator")}

    def indicator(self, code: str, category: str) -> str:
        name = self.ind.get(code, (code, ""))[0]
        if category:
            fallback = "合计" if category == "TOTAL" else category  # a typed control total
            name += f"（{self.cat.get((self.cat_set.get(code), category), fallback)}）"
        return name

    def value(self, code: str, v: Any) -> str:
        unit = self.ind.get(code, ("", ""))[1]
        if unit == "元" and isinstance(v, int):
            return f"{format_money(v)} 万元"
        return "空" if v is None else f"{v}{unit}"


def _row_label(spec: Spec, cols: list[str], row: tuple[Any, ...] | list[Any], d: _Describer) -> str:
    get = dict(zip(cols, row)).get
    if spec.name == "indicator_value":
        return f"{get('period')} {d.indicator(get('indicator_code'), get('category') or '')}"
    if "name" in cols:
        return str(get("name"))
    return " / ".join(str(get(k)) for k in spec.key)


def _change_text(spec: Spec, cols: list[str], old: tuple[Any, ...], new: tuple[Any, ...], d: _Describer) -> str:
    label = _row_label(spec, cols, new, d)
    if spec.name == "indicator_value":
        i = cols.index("value")
        code = new[cols.index("indicator_code")]
        text = f"{label}：{d.value(code, old[i])} → {d.value(code, new[i])}"
        c = cols.index("comment")
        if old[c] != new[c]:
            text += f"；说明：{old[c] or '空'} → {new[c] or '空'}"
        return text
    skip = {"updated_at", "initials"}
    parts = [f"{c} {old[i]!r} → {new[i]!r}" for i, c in enumerate(cols) if old[i] != new[i] and c not in skip]
    return f"{label}：" + ("；".join(parts) if parts else "更新时间变化")


def diff_table(conn: sqlite3.Connection, spec: Spec, table: Table, unit_filter: str | None, *, only_unit: str | None = None) -> TableChange:
    """Compare the package rows of one table with the rows the import would replace."""
    cols, existing_rows = read_rows(conn, spec, unit_filter)
    if only_unit is not None and "unit_code" in cols:
        u = cols.index("unit_code")
        existing_rows = [r for r in existing_rows if r[u] == only_unit]
    if not existing_rows:  # first package of a unit: everything is new, nothing to compare
        return TableChange(spec.name, added=len(table.rows))
    common = [c for c in cols if c in table.columns]
    ei = [cols.index(c) for c in common]
    pi = [table.columns.index(c) for c in common]
    ek = [common.index(k) for k in spec.key]
    existing = {}
    for r in existing_rows:
        t = tuple(r[i] for i in ei)
        existing[tuple(t[k] for k in ek)] = t
    change = TableChange(spec.name)
    d: _Describer | None = None
    for r in table.rows:
        t = tuple(r[i] for i in pi)
        key = tuple(t[k] for k in ek)
        old = existing.pop(key, None)
        if old is None:
            change.added += 1
        elif old == t:
            change.unchanged += 1
        else:
            change.changed += 1
            if len(change.details) < MAX_DETAILS:
                d = d or _Describer(conn)
                change.details.append(_change_text(spec, common, old, t, d))
    change.removed = len(existing)
    for old in list(existing.values())[: max(0, MAX_DETAILS - len(change.details))]:
        d = d or _Describer(conn)
        change.details.append(f"删除 {_row_label(spec, common, old, d)}")
    return change
