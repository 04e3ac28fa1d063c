"""Helpers every report builder shares: 表号 block, unit scope, deadline and plan notes."""
from __future__ import annotations

from dataclasses import dataclass

from desktop.core.periods import Period
from desktop.reporting.model import HeaderBlock
from desktop.storage.db import Store
from desktop.storage.reference import CITY_CODE

DEFAULT_AUTHORITY = "南阳市跨境电商综试区建设工作领导小组办公室"
_PLACE = {"county": "全县", "district": "全区", "county_city": "全市", "zone": "全区", "city": "全市"}


@dataclass(frozen=True)
class Scope:
    """Whose data a report shows: one unit, or the whole city (code 411300)."""

    code: str
    name: str
    kind: str

    @property
    def city(self) -> bool:
        return self.code == CITY_CODE

    @property
    def filter_code(self) -> str | None:
        """None for the whole city (the engine's convention)."""
        return None if self.city else self.code

    @property
    def place(self) -> str:
        """全县 / 全区 / 全市 for narrative sentences."""
        return _PLACE.get(self.kind, "全县")

    def sql(self, column: str = "unit_code") -> tuple[str, tuple[str, ...]]:
        """A WHERE fragment (starting with AND) limiting rows to this scope."""
        return ("", ()) if self.city else (f" AND {column} = ?", (self.code,))


def scope_of(store: Store, unit_code: str | None) -> Scope:
    code = unit_code or CITY_CODE
    row = store.conn.execute("SELECT name, kind FROM unit WHERE code = ?", (code,)).fetchone()
    if row is None:
        from desktop.core.errors import ValidationError

        raise ValidationError(f"单位代码“{code}”不存在", field="单位代码")
    return Scope(code, row[0], row[1])


def header_block(store: Store, report_code: str) -> HeaderBlock | None:
    row = store.conn.execute(
        "SELECT table_no, authority, approval_no, valid_until FROM report_header WHERE report_code = ?",
        (report_code,)).fetchone()
    return HeaderBlock(*row) if row else None


def deadline_note(store: Store, period: Period) -> str:
    due = store.scalar("SELECT due_date FROM deadline WHERE period = ?", (str(period),))
    if due:
        return f"报送时间：{due}前报送市综试办。"
    return "报送时间：按市综试办规定的时间报送。"


def plan_note(plan: object | None) -> str:
    if plan is None:
        return "本年度无规划目标，与上年同期比较。"
    return f"年度目标依据《{plan.name}》（{plan.doc_no or ''}）。".replace("（）", "")


def zero(v: int | None) -> int:
    return v or 0
