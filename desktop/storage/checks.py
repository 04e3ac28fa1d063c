"""`cbec check`: SQLite integrity, foreign keys and the data invariants a clerk relies on."""
from __future__ import annotations

from dataclasses import dataclass, field

from desktop.core import credit
from desktop.storage.db import Store


@dataclass
class CheckReport:
    items: list[tuple[str, bool, str]] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(ok for _, ok, _ in self.items)

    def add(self, name: str, problems: list[str], ok_text: str = "正常") -> None:
        if problems:
            more = f"（另有{len(problems) - 10}条）" if len(problems) > 10 else ""
            self.items.append((name, False, "；".join(problems[:10]) + more))
        else:
            self.items.append((name, True, ok_text))

    def to_json(self) -> dict:
        return {"healthy": self.healthy,
                "checks": [{"name": n, "ok": ok, "message": m} for n, ok, m in self.items]}


_LEDGERS = ("park", "enterprise", "base", "warehouse", "livestream_base", "o2o_store")


def run_checks(store: Store) -> CheckReport:
    rep = CheckReport()
    c = store.conn
    res = [r[0] for r in c.execute("PRAGMA integrity_check")]
    rep.add("数据库完整性", [] if res == ["ok"] else res)
    fk = c.execute("PRAGMA foreign_key_check").fetchall()
    rep.add("外键关联", [f"表 {r[0]} 第 {r[1]} 行引用的 {r[2]} 不存在" for r in fk])

    role, unit = store.role, store.unit_code
    rep.add("初始化", [] if role in ("county", "municipal") and unit else ["数据库未初始化角色和单位"])
    if role == "county":
        problems = []
        for t in _LEDGERS:
            n = store.scalar(f"SELECT count(*) FROM {t} WHERE unit_code != ?", (unit,))
            if n:
                problems.append(f"{t} 中有 {n} 条不属于本单位的记录")
        n = store.scalar("SELECT count(*) FROM indicator_value WHERE unit_code != ?", (unit,))
        if n:
            problems.append(f"indicator_value 中有 {n} 条不属于本单位的数据")
        rep.add("数据归属（本单位）", problems)

    bad = []
    for rid, uc, name, code in c.execute(
            "SELECT id, unit_code, name, credit_code FROM enterprise WHERE deleted_at IS NULL AND credit_override = 0"):
        if not credit.is_valid(code):
            bad.append(f"{name}（{code}）")
    rep.add("统一社会信用代码校验", bad)

    bad = [f"{r[0]} {r[1]} {r[2]}" for r in c.execute(
        "SELECT v.unit_code, v.period, v.indicator_code FROM indicator_value v JOIN indicator i ON i.code = v.indicator_code"
        " WHERE (i.frequency = 'month' AND v.period NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]')"
        "    OR (i.frequency = 'quarter' AND v.period NOT GLOB '[0-9][0-9][0-9][0-9]Q[1-4]') LIMIT 50")]
    rep.add("指标期别格式", bad)

    bad = [f"{r[0]} 的 {r[1]} 分类“{r[2]}”" for r in c.execute(
        "SELECT v.indicator_code, v.period, v.category FROM indicator_value v JOIN indicator i ON i.code = v.indicator_code"
        " WHERE (i.category_set IS NULL AND v.category != '') OR (i.category_set IS NOT NULL AND v.category != 'TOTAL'"
        " AND NOT EXISTS ("
        "  SELECT 1 FROM category_option o WHERE o.set_code = i.category_set AND o.code = v.category)) LIMIT 50")]
    rep.add("指标分类", bad)

    bad = [f"{r[0]}（{r[1]}，{r[2]}）" for r in c.execute(
        "SELECT e.name, e.unit_code, p.unit_code FROM enterprise e JOIN park p ON p.id = e.park_id"
        " WHERE e.unit_code != p.unit_code LIMIT 50")]
    rep.add("企业所属园区同属一个单位", bad)

    bad = [f"{r[0]}{r[1]}" for r in c.execute(
        "SELECT unit_code, period FROM submission s WHERE state = 'submitted' AND submitted_at IS NULL")]
    rep.add("报送记录", bad)
    return rep
