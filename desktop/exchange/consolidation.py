"""Municipal consolidation: who has reported what (报送情况 matrix and 催报 text) and the
cross-unit checks run after each import (one credit code in two units; totals per unit)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from desktop.core.money import format_money
from desktop.core.periods import Period
from desktop.storage.db import Store
from desktop.storage.reference import CITY_CODE, unit_codes

STATUS_LABELS = {"on_time": "已报", "late": "逾期报送", "missing": "未报", "pending": "未到期",
                 "returned": "退回", "reopened": "更正中"}
VOLUME_TOLERANCE = 0.05


# -- completeness ---------------------------------------------------------------------------------
def due_date(store: Store, period: str) -> date:
    """The deadline table wins; else the 10th of the month after the period (季后/月后10日内)."""
    text = store.scalar("SELECT due_date FROM deadline WHERE period = ?", (period,))
    if text:
        return date.fromisoformat(text)
    end = Period.parse(period).end_date()
    return end + timedelta(days=10)


@dataclass(frozen=True)
class Cell:
    status: str
    sequence: int | None = None
    received: str | None = None      # YYYY-MM-DD
    due: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        text = STATUS_LABELS[self.status]
        if self.status in ("on_time", "late", "reopened") and self.received:
            text += f" {self.received[5:]}"
            if self.sequence:
                text += f" 第{self.sequence}号"
        return text


@dataclass
class Matrix:
    units: list[tuple[str, str]]
    periods: list[str]
    cells: dict[tuple[str, str], Cell]
    today: date

    def cell(self, unit: str, period: str) -> Cell:
        return self.cells[(unit, period)]

    def missing(self, period: str) -> list[tuple[str, str]]:
        return [(c, n) for c, n in self.units if self.cells[(c, period)].status in ("missing", "returned")]

    def to_json(self) -> dict[str, Any]:
        return {"today": self.today.isoformat(), "periods": self.periods,
                "units": [{"code": c, "name": n, "cells": {p: {"status": self.cells[(c, p)].status,
                                                              "label": self.cells[(c, p)].label,
                                                              "sequence": self.cells[(c, p)].sequence,
                                                              "received": self.cells[(c, p)].received,
                                                              "due": self.cells[(c, p)].due}
                                                          for p in self.periods}}
                          for c, n in self.units]}


def _cell(state: str | None, rec: tuple | None, submitted_at: str | None, due: date, today: date,
          note: str | None) -> Cell:
    due_s = due.isoformat()
    if state == "returned" or note is not None:  # an unresolved return note outranks an older report
        return Cell("returned", due=due_s, note=note or "")
    if state in ("submitted", "reopened"):
        seq = rec[0] if rec else None
        received = (rec[1] if rec else submitted_at or "")[:10] or None
        if state == "reopened":
            return Cell("reopened", seq, received, due_s)
        late = received is not None and received > due_s
        return Cell("late" if late else "on_time", seq, received, due_s)
    return Cell("missing" if today > due else "pending", due=due_s)


def completeness(store: Store, periods: list[str], *, today: date | None = None) -> Matrix:
    today = today or date.today()
    units = [(c, store.unit_name(c)) for c in unit_codes(store)]
    subs = {(r[0], r[1]): (r[2], r[3]) for r in store.conn.execute(
        "SELECT unit_code, period, state, submitted_at FROM submission")}
    recs = {(r[0], r[1]): (r[2], r[3]) for r in store.conn.execute(
        "SELECT unit_code, period, first_sequence, first_received_at FROM received_period")}
    notes = {(r[0], r[1]): r[2] for r in store.conn.execute(
        "SELECT unit_code, period, note FROM return_note WHERE resolved_at IS NULL ORDER BY created_at")}
    cells = {}
    for p in periods:
        due = due_date(store, p)
        for code, _ in units:
            state, submitted_at = subs.get((code, p), (None, None))
            cells[(code, p)] = _cell(state, recs.get((code, p)), submitted_at, due, today, notes.get((code, p)))
    return Matrix(units, list(periods), cells, today)


def months_of(year: int) -> list[str]:
    return [str(Period.month(year, m)) for m in range(1, 13)]


def urge_text(store: Store, matrix: Matrix, period: str) -> str:
    """催报 paragraph for the units that have not reported `period` (or whose report was returned)."""
    p = Period.parse(period)
    missing = [n for c, n in matrix.units if matrix.cells[(c, period)].status == "missing"]
    returned = [n for c, n in matrix.units if matrix.cells[(c, period)].status == "returned"]
    due = due_date(store, period)
    today = matrix.today
    if not missing and not returned:
        return f"截至{today.year}年{today.month}月{today.day}日，各县市区均已报送{p.label}跨境电商统计数据。"
    parts = [f"各县市区商务主管部门：\n截至{today.year}年{today.month}月{today.day}日，"]
    if missing:
        parts.append(f"{'、'.join(missing)}尚未报送{p.label}跨境电商统计数据")
        parts.append(f"（报送截止日期为{due.year}年{due.month}月{due.day}日{'，已逾期' if today > due else ''}）")
    if returned:
        parts.append(("；" if missing else "") + f"{'、'.join(returned)}的{p.label}数据已退回修改，尚未重新报送")
    parts.append("。请以上单位抓紧核实填报，通过统计填报系统导出数据包报送市跨境电商综试办。\n"
                 "南阳市跨境电商综试区建设工作领导小组办公室")
    return "".join(parts)


# -- cross-unit checks ----------------------------------------------------------------------------
@dataclass
class Finding:
    kind: str                    # duplicate_credit | declared_totals | volume_vs_ledger
    units: list[str]
    message: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "units": self.units, "message": self.message, "detail": self.detail}


def duplicate_credit_codes(store: Store, units: list[str] | None = None) -> list[Finding]:
    rows = store.conn.execute(
        "SELECT e.credit_code, e.unit_code, e.name FROM enterprise e WHERE e.deleted_at IS NULL AND e.credit_code IN ("
        " SELECT credit_code FROM enterprise WHERE deleted_at IS NULL GROUP BY credit_code"
        " HAVING count(DISTINCT unit_code) > 1) ORDER BY e.credit_code, e.unit_code").fetchall()
    by_code: dict[str, list[tuple[str, str]]] = {}
    for code, unit, name in rows:
        by_code.setdefault(code, []).append((unit, name))
    out = []
    for code, holders in by_code.items():
        codes = sorted({u for u, _ in holders})
        if units is not None and not set(codes) & set(units):
            continue
        listing = "；".join(f"{store.unit_name(u)}：{n}" for u, n in holders)
        out.append(Finding("duplicate_credit", codes,
                           f"统一社会信用代码 {code} 同时出现在{'、'.join(store.unit_name(u) for u in codes)}（{listing}），"
                           "请核定其归属单位并通知另一单位删除",
                           {"credit_code": code, "holders": [{"unit_code": u, "name": n} for u, n in holders]}))
    return out


def _declared_totals(store: Store, unit: str, declared: dict[str, Any] | None) -> list[Finding]:
    if not isinstance(declared, dict):
        return []
    want = declared.get("indicator_totals")
    if not isinstance(want, dict):
        return []
    have: dict[str, dict[str, int]] = {}
    for period, code, total in store.conn.execute(
            "SELECT period, indicator_code, sum(value) FROM indicator_value WHERE unit_code = ?"
            " AND category != 'TOTAL' GROUP BY period, indicator_code", (unit,)):
        have.setdefault(period, {})[code] = total
    bad = [f"{p} {c}：报送 {v}，入库 {have.get(p, {}).get(c)}" for p, vals in want.items() if isinstance(vals, dict)
           for c, v in vals.items() if have.get(p, {}).get(c) != v]
    if not bad:
        return []
    return [Finding("declared_totals", [unit], f"{store.unit_name(unit)}数据包声明的合计与入库数据不一致：" + "；".join(bad[:10]),
                    {"mismatches": bad})]


def volume_vs_ledger(store: Store, unit: str) -> list[Finding]:
    """Enterprise annual volumes in the roster should not exceed the unit's reported annual total."""
    # Only years with all twelve months reported: a year-to-date total is not comparable.
    reported = dict(store.conn.execute(
        "SELECT substr(period, 1, 4), sum(value) FROM indicator_value WHERE unit_code = ?"
        " AND category != 'TOTAL' AND indicator_code IN ('CBEC_EXPORT', 'CBEC_IMPORT') GROUP BY 1"
        " HAVING count(DISTINCT period) = 12", (unit,)).fetchall())
    ledger = store.conn.execute(
        "SELECT v.year, sum(v.amount) FROM enterprise_volume v JOIN enterprise e ON e.id = v.enterprise_id"
        " WHERE e.unit_code = ? AND e.deleted_at IS NULL GROUP BY v.year", (unit,)).fetchall()
    out = []
    for year, total in ledger:
        rep = reported.get(str(year))
        if rep is None or total <= rep * (1 + VOLUME_TOLERANCE):
            continue
        out.append(Finding("volume_vs_ledger", [unit],
                           f"{store.unit_name(unit)}{year}年企业名录交易额合计 {format_money(total)} 万元，"
                           f"高于报送的全年交易额 {format_money(rep)} 万元",
                           {"year": year, "ledger": total, "reported": rep}))
    return out


def cross_checks(store: Store, units: list[str] | None = None, *,
                 declared: dict[str, Any] | None = None) -> list[Finding]:
    units = [u for u in (units or unit_codes(store)) if u != CITY_CODE]
    found = duplicate_credit_codes(store, units)
    for u in units:
        found += _declared_totals(store, u, (declared or {}).get(u))
        found += volume_vs_ledger(store, u)
    return found


def decide_credit_owner(store: Store, credit_code: str, owner_unit: str, *, operator: str) -> list[str]:
    """The municipal clerk decides which unit an enterprise belongs to; every other unit that lists
    it gets a note, which travels down in the next municipal package. Returns the notified units."""
    from desktop.core.errors import ValidationError
    from desktop.storage import audit
    from desktop.storage.db import new_uid, now_iso

    holders = store.conn.execute(
        "SELECT unit_code, name FROM enterprise WHERE credit_code = ? AND deleted_at IS NULL ORDER BY unit_code",
        (credit_code,)).fetchall()
    units = sorted({u for u, _ in holders})
    if owner_unit not in units or len(units) < 2:
        raise ValidationError(f"统一社会信用代码 {credit_code} 没有同时出现在包括“{owner_unit}”在内的两个单位",
                              field="统一社会信用代码")
    owner_name = store.unit_name(owner_unit)
    others = [u for u in units if u != owner_unit]
    with store.atomic() as conn:
        for u in others:
            names = "、".join(n for uu, n in holders if uu == u)
            note = (f"企业“{names}”（统一社会信用代码 {credit_code}）经市级核定属于{owner_name}，"
                    "请从本单位企业名录中删除或注明，并重新报送。")
            conn.execute("INSERT INTO unit_note(uid, unit_code, subject, note, created_at, created_by)"
                         " VALUES (?, ?, '企业归属核定', ?, ?, ?)", (new_uid(), u, note, now_iso(), operator))
            audit.record(conn, operator=operator, table="unit_note", row_key=f"{u}/{credit_code}", action="insert",
                         after={"unit_code": u, "credit_code": credit_code, "owner": owner_unit})
    return others


def county_notes_text(store: Store) -> str:
    """County side: return notes and municipal notes received, newest first; the pinned city key."""
    from desktop.exchange.keys import pinned_fingerprint

    lines = []
    for period, note, created, resolved in store.conn.execute(
            "SELECT period, note, created_at, resolved_at FROM return_note WHERE unit_code = ?"
            " ORDER BY created_at DESC", (store.unit_code,)):
        state = "已重新报送" if resolved else "待修改后重新报送"
        lines.append(f"【退回修改】{period}（{created[:10]}，{state}）：{note}")
    for subject, note, created in store.conn.execute(
            "SELECT subject, note, created_at FROM unit_note WHERE unit_code = ? ORDER BY created_at DESC",
            (store.unit_code,)):
        lines.append(f"【{subject}】（{created[:10]}）：{note}")
    fp = pinned_fingerprint(store.conn, CITY_CODE)
    lines.append(f"已登记的市级签名密钥指纹：{fp}" if fp else "尚未收到市级数据包（市级签名密钥未登记）。")
    return "\n".join(lines)
