"""Periods as values: '2025-09' (month), '2025Q3' (quarter), '2025' (year).

Year-to-date, same-period-last-year and the months a period covers all come from here.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Iterator, Literal

from desktop.core.errors import PeriodError

Kind = Literal["month", "quarter", "year"]
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})\s*Q([1-4])$", re.I)
_YEAR = re.compile(r"^(\d{4})$")
_CN_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月$")
_CN_QUARTER = re.compile(r"^(\d{4})年(?:第)?([1-4一二三四])季度$")
_CN_YEAR = re.compile(r"^(\d{4})年$")
_CN_DIGIT = {"一": "1", "二": "2", "三": "3", "四": "4"}


@dataclass(frozen=True, order=False)
class Period:
    year: int
    kind: Kind
    index: int = 0  # month 1-12 or quarter 1-4; 0 for a year

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str | Period) -> Period:
        if isinstance(text, Period):
            return text
        s = unicodedata.normalize("NFKC", str(text)).strip()
        for rx, kind in ((_MONTH, "month"), (_CN_MONTH, "month")):
            m = rx.match(s)
            if m:
                return cls._make(int(m[1]), "month", int(m[2]), text)
        for rx in (_QUARTER, _CN_QUARTER):
            m = rx.match(s)
            if m:
                return cls._make(int(m[1]), "quarter", int(_CN_DIGIT.get(m[2], m[2])), text)
        for rx in (_YEAR, _CN_YEAR):
            m = rx.match(s)
            if m:
                return cls._make(int(m[1]), "year", 0, text)
        raise PeriodError(f"期别“{text}”格式不对，应为 2025-09（月）、2025Q3（季）或 2025（年）", field="期别")

    @classmethod
    def _make(cls, year: int, kind: Kind, index: int, text: object) -> Period:
        if not 2000 <= year <= 2100:
            raise PeriodError(f"期别“{text}”的年份超出范围（2000—2100）", field="期别")
        if kind == "month" and not 1 <= index <= 12:
            raise PeriodError(f"期别“{text}”的月份应为 1—12", field="期别")
        return cls(year, kind, index)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls._make(year, "month", month, f"{year}-{month}")

    @classmethod
    def quarter(cls, year: int, q: int) -> Period:
        if not 1 <= q <= 4:
            raise PeriodError(f"季度应为 1—4（{q}）", field="期别")
        return cls._make(year, "quarter", q, f"{year}Q{q}")

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls._make(year, "year", 0, year)

    @classmethod
    def last_full_month(cls, today: date | None = None) -> Period:
        today = today or date.today()
        y, m = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return cls.month(y, m)

    # -- text -------------------------------------------------------------------------------
    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.index}"
        return f"{self.year}"

    @property
    def label(self) -> str:
        """Chinese label: 2025年9月 / 2025年第三季度 / 2025年."""
        if self.kind == "month":
            return f"{self.year}年{self.index}月"
        if self.kind == "quarter":
            return f"{self.year}年第{'一二三四'[self.index - 1]}季度"
        return f"{self.year}年"

    @property
    def ytd_label(self) -> str:
        """1—9月 style label of the year-to-date span ending with this period."""
        last = self.last_month
        return "1月" if last == 1 else f"1—{last}月"

    # -- arithmetic -------------------------------------------------------------------------
    @property
    def first_month(self) -> int:
        return {"month": self.index, "quarter": 3 * self.index - 2, "year": 1}[self.kind]

    @property
    def last_month(self) -> int:
        return {"month": self.index, "quarter": 3 * self.index, "year": 12}[self.kind]

    def months(self) -> list[Period]:
        return [Period(self.year, "month", m) for m in range(self.first_month, self.last_month + 1)]

    def month_keys(self) -> list[str]:
        return [str(p) for p in self.months()]

    def ytd_months(self) -> list[Period]:
        """January up to the end of this period."""
        return [Period(self.year, "month", m) for m in range(1, self.last_month + 1)]

    def quarter_of(self) -> Period:
        return Period(self.year, "quarter", (self.last_month - 1) // 3 + 1)

    def ytd_quarters(self) -> list[Period]:
        """Quarters fully or partly inside year-to-date (a quarterly figure counts once reported)."""
        return [Period(self.year, "quarter", q) for q in range(1, (self.last_month - 1) // 3 + 2)]

    def same_period_last_year(self) -> Period:
        return Period(self.year - 1, self.kind, self.index)

    def previous(self) -> Period:
        if self.kind == "year":
            return Period(self.year - 1, "year", 0)
        n = 12 if self.kind == "month" else 4
        if self.index > 1:
            return Period(self.year, self.kind, self.index - 1)
        return Period(self.year - 1, self.kind, n)

    def next(self) -> Period:
        if self.kind == "year":
            return Period(self.year + 1, "year", 0)
        n = 12 if self.kind == "month" else 4
        if self.index < n:
            return Period(self.year, self.kind, self.index + 1)
        return Period(self.year + 1, self.kind, 1)

    def end_date(self) -> date:
        m = self.last_month
        if m == 12:
            return date(self.year, 12, 31)
        return date.fromordinal(date(self.year, m + 1, 1).toordinal() - 1)

    def start_date(self) -> date:
        return date(self.year, self.first_month, 1)

    def contains(self, other: Period) -> bool:
        return other.year == self.year and self.first_month <= other.first_month and other.last_month <= self.last_month

    def elapsed_share(self) -> float:
        """Share of the year covered by year-to-date (for 按进度 status)."""
        return self.last_month / 12

    def _key(self) -> tuple[int, int, int]:
        # Order by end month, then longer spans after shorter ones ending the same month.
        span = {"month": 0, "quarter": 1, "year": 2}[self.kind]
        return (self.year, self.last_month, span)

    def __lt__(self, other: Period) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Period) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Period) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Period) -> bool:
        return self._key() >= other._key()


def month_range(start: Period, end: Period) -> Iterator[Period]:
    """Months from the first month of `start` to the last month of `end`, inclusive."""
    p = Period(start.year, "month", start.first_month)
    stop = Period(end.year, "month", end.last_month)
    while p <= stop:
        yield p
        p = p.next()
