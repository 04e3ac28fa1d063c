"""Plan-figure engine: every figure the home page, the reports and the municipal summary show.

For one unit or the whole city (unit None or '411300') and any period it gives, per row key:
the period value, year to date, the same span last year and growth, cumulative since the
covering plan's start, the plan's target for the year and completion %, and the counts that
follow from the ledgers. Nothing else computes these numbers, so nothing can disagree.

Row keys: VOLUME, EXPORT, EXPORT.<mode>, IMPORT, IMPORT.<mode>, B2B_EXPORT, B2C_EXPORT,
ENTERPRISES, KNOWN_ENTERPRISES, BROUGHT_IN_YEAR, BROUGHT_IN_TOTAL, PARKS, BASES, WAREHOUSES,
WAREHOUSE_AREA, LIVESTREAM_BASES, LIVESTREAM_HOSTS, O2O_STORES, TALENT, TALENT_TRAINED[.<cat>],
TALENT_INTRODUCED[.<cat>], TRAINING_SESSIONS, TRAINEES, INCUBATED, LIVESTREAM_SALES, RAIL_TRAINS,
RAIL_TEU. Money is integer 元 in every field.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import NamedTuple

from desktop.core.money import format_money, growth_percent
from desktop.core.periods import Period, month_range
from desktop.storage.db import Store
from desktop.storage.reference import CITY_CODE

EXPORT_MODES = ("9610", "9710", "9810", "1210", "OTHER")
IMPORT_MODES = ("9610", "1210", "1239", "OTHER")
TALENT_CATS = ("EXEC", "OPS", "TECH", "HOST", "OTHER")
_MODE_NAMES = {"OTHER": "其他"}
_CAT_NAMES = {"EXEC": "企业高管", "OPS": "运营推广", "TECH": "技术研发", "HOST": "直播主播", "OTHER": "其他"}

# key -> (name, display unit, level, sources [(indicator, category or None = all)])
_FLOW_DEFS: list[tuple[str, str, str, int, list[tuple[str, str | None]]]] = [
    ("VOLUME", "跨境电商交易额", "万元", 0, [("CBEC_EXPORT", None), ("CBEC_IMPORT", None)]),
    ("EXPORT", "出口额", "万元", 1, [("CBEC_EXPORT", None)]),
    *[(f"EXPORT.{m}", _MODE_NAMES.get(m, m), "万元", 2, [("CBEC_EXPORT", m)]) for m in EXPORT_MODES],
    ("IMPORT", "进口额", "万元", 1, [("CBEC_IMPORT", None)]),
    *[(f"IMPORT.{m}", _MODE_NAMES.get(m, m), "万元", 2, [("CBEC_IMPORT", m)]) for m in IMPORT_MODES],
    ("B2B_EXPORT", "其中：B2B出口（9710+9810）", "万元", 1, [("CBEC_EXPORT", "9710"), ("CBEC_EXPORT", "9810")]),
    ("B2C_EXPORT", "其中：B2C出口（9610+1210）", "万元", 1, [("CBEC_EXPORT", "9610"), ("CBEC_EXPORT", "1210")]),
    ("TALENT", "跨境电商人才（培养+引进）", "人", 0, [("TALENT_TRAINED", None), ("TALENT_INTRODUCED", None)]),
    ("TALENT_TRAINED", "培养人才", "人", 1, [("TALENT_TRAINED", None)]),
    *[(f"TALENT_TRAINED.{c}", n, "人", 2, [("TALENT_TRAINED", c)]) for c, n in _CAT_NAMES.items()],
    ("TALENT_INTRODUCED", "引进人才", "人", 1, [("TALENT_INTRODUCED", None)]),
    *[(f"TALENT_INTRODUCED.{c}", n, "人", 2, [("TALENT_INTRODUCED", c)]) for c, n in _CAT_NAMES.items()],
    ("TRAINING_SESSIONS", "开展跨境电商培训", "场", 0, [("TRAINING_SESSIONS", None)]),
    ("TRAINEES", "培训人次", "人次", 0, [("TRAINEES", None)]),
    ("INCUBATED", "孵化跨境电商企业", "家", 0, [("INCUBATED", None)]),
    ("LIVESTREAM_SALES", "跨境直播销售额", "万元", 0, [("LIVESTREAM_SALES", None)]),
    ("RAIL_TRAINS", "中欧班列跨境电商专列", "列", 0, [("RAIL_TRAINS", None)]),
    ("RAIL_TEU", "中欧班列跨境电商货量", "标箱", 0, [("RAIL_TEU", None)]),
]
FLOW_KEYS = tuple(d[0] for d in _FLOW_DEFS)

_STOCK_DEFS: list[tuple[str, str, str, int]] = [
    ("ENTERPRISES", "跨境电商企业", "家", 0),
    ("KNOWN_ENTERPRISES", "其中：知名企业", "家", 1),
    ("BROUGHT_IN_YEAR", "其中：本年引进企业", "家", 1),
    ("BROUGHT_IN_TOTAL", "其中：规划期以来引进企业", "家", 1),
    ("PARKS", "跨境电商产业园区", "个", 0),
    ("BASES", "培训孵化基地", "个", 0),
    ("WAREHOUSES", "海外仓", "个", 0),
    ("WAREHOUSE_AREA", "海外仓面积", "平方米", 1),
    ("LIVESTREAM_BASES", "直播基地", "个", 0),
    ("LIVESTREAM_HOSTS", "直播主播", "人", 1),
    ("O2O_STORES", "O2O体验店", "个", 0),
]
STOCK_KEYS = tuple(d[0] for d in _STOCK_DEFS)

# Which row answers which plan metric, and which of the row's numbers is the "actual".
_METRIC_OF_ROW = {"VOLUME": ("VOLUME", "ytd"), "PARKS": ("PARKS", "value"),
                  "KNOWN_ENTERPRISES": ("KNOWN_ENTERPRISES", "value"), "TALENT": ("TALENT", "cumulative")}
DEFAULT_START_YEAR = 2021


# The value records are NamedTuples: immutable like frozen dataclasses, and created several times
# faster at import — this module is on the start-up path of the home page.
class PlanInfo(NamedTuple):
    code: str
    name: str
    doc_no: str | None
    start_year: int
    end_year: int
    milestones: list[int]


class FigureRow(NamedTuple):
    key: str
    name: str
    unit: str
    storage_unit: str
    level: int
    kind: str  # 'flow' | 'stock'
    value: int | None
    ytd: int | None
    ytd_last_year: int | None
    growth: Decimal | None
    target: int | None
    completion: Decimal | None
    cumulative: int | None


class MilestoneResult(NamedTuple):
    plan_code: str
    metric_key: str
    metric_name: str
    display_unit: str
    year: int
    target: int
    actual: int | None
    completion: Decimal | None
    status: str  # 已完成 | 未完成 | 按进度 | 滞后 | 未到期


@dataclass
class Figures:
    unit_code: str
    unit_name: str
    period: Period
    plan: PlanInfo | None
    rows: list[FigureRow]
    milestones: list[MilestoneResult] = field(default_factory=list)
    pilot: str | None = None

    def row(self, key: str) -> FigureRow:
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(key)

    @property
    def no_plan_note(self) -> str | None:
        return None if self.plan else "本年度无规划目标，与上年同期比较"

    def to_record(self) -> dict:
        """Lossless and JSON-serialisable (Decimals as text), for figure_cache; from_record reverses."""
        def clean(d: dict) -> dict:
            return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in d.items()}
        return {"unit_code": self.unit_code, "unit_name": self.unit_name, "period": str(self.period),
                "plan": self.plan._asdict() if self.plan else None, "pilot": self.pilot,
                "rows": [clean(r._asdict()) for r in self.rows],
                "milestones": [clean(m._asdict()) for m in self.milestones]}

    @classmethod
    def from_record(cls, rec: dict) -> Figures:
        def dec(d: dict, *names: str) -> dict:
            return {**d, **{n: None if d[n] is None else Decimal(d[n]) for n in names}}
        return cls(rec["unit_code"], rec["unit_name"], Period.parse(rec["period"]),
                   PlanInfo(**rec["plan"]) if rec["plan"] else None,
                   [FigureRow(**dec(r, "growth", "completion")) for r in rec["rows"]],
                   [MilestoneResult(**dec(m, "completion")) for m in rec["milestones"]], rec["pilot"])

    def to_json(self) -> dict:
        def clean(d: dict) -> dict:
            return {k: (float(v) if isinstance(v, Decimal) else v) for k, v in d.items()}
        return {
            "unit_code": self.unit_code, "unit_name": self.unit_name, "period": str(self.period),
            "plan": self.plan._asdict() if self.plan else None, "note": self.no_plan_note,
            "pilot": self.pilot,
            "rows": [clean(r._asdict()) for r in self.rows],
            "milestones": [clean(m._asdict()) for m in self.milestones],
        }


# ---------------------------------------------------------------------------------------------
# plans and targets

def plan_for_year(store: Store, year: int) -> PlanInfo | None:
    row = store.conn.execute(
        "SELECT code, name, doc_no, start_year, end_year, milestones FROM plan"
        " WHERE start_year <= ? AND end_year >= ? ORDER BY start_year DESC LIMIT 1", (year, year)).fetchone()
    if row is None:
        return None
    return PlanInfo(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]))


def _targets(store: Store, plan: PlanInfo | None, unit: str) -> dict[tuple[str, int], int]:
    if plan is None:
        return {}
    return {(k, y): v for k, y, v in store.conn.execute(
        "SELECT metric_key, year, value FROM plan_target WHERE plan_code = ? AND unit_code = ?", (plan.code, unit))}


def _unit_filter(unit: str | None) -> tuple[str, tuple]:
    if unit is None or unit == CITY_CODE:
        return "", ()
    return " AND unit_code = ?", (unit,)


# ---------------------------------------------------------------------------------------------
# flows: sums of indicator values over sets of periods

_Sums = dict[tuple[str, str], dict[str, int]]  # (indicator, category) -> period -> value


def _load_sums(store: Store, since_year: int, unit: str | None, *, by_unit: bool = False) -> dict[str, _Sums]:
    """Values since `since_year` grouped by (unit or '*', indicator, category, period).

    The GROUP BY follows the covering index indicator_value_agg, so SQLite needs no sort.
    Typed control totals (category 'TOTAL') are checks on the parts, not figures: skipped."""
    where, params = _unit_filter(unit)
    out: dict[str, _Sums] = defaultdict(lambda: defaultdict(dict))
    if by_unit:
        sql = (f"SELECT indicator_code, category, period, unit_code, SUM(value) FROM indicator_value"
               f" WHERE period >= ? AND category != 'TOTAL'{where} GROUP BY 1, 2, 3, 4")
        for ind, cat, per, u, total in store.conn.execute(sql, (f"{since_year:04d}", *params)):
            out[u][(ind, cat)][per] = total
        return out
    sql = (f"SELECT indicator_code, category, period, SUM(value) FROM indicator_value"
           f" WHERE period >= ? AND category != 'TOTAL'{where} GROUP BY 1, 2, 3")
    star = out["*"]
    for ind, cat, per, total in store.conn.execute(sql, (f"{since_year:04d}", *params)):
        star[(ind, cat)][per] = total
    return out


def _frequencies(store: Store) -> dict[str, str]:
    return dict(store.conn.execute("SELECT code, frequency FROM indicator"))


@lru_cache(maxsize=4096)
def _span_keys(freq: str, period: Period, first_year: int | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(this period's keys, year-to-date keys) for an indicator of `freq`; with first_year the
    second list runs from January of first_year instead (cumulative). Cached: pure and hot."""
    last, y0 = period.last_month, first_year or period.year
    if freq == "month":
        cur = tuple(f"{period.year}-{m:02d}" for m in range(period.first_month, last + 1))
        span = tuple(f"{y}-{m:02d}" for y in range(y0, period.year + 1)
                     for m in range(1, (12 if y < period.year else last) + 1))
        return cur, span
    # quarterly: a quarter counts once the span includes its last month
    cur = tuple(str(q) for q in _quarters_in(period))
    span = tuple(f"{y}Q{q}" for y in range(y0, period.year + 1) for q in range(1, 5)
                 if y < period.year or 3 * q <= last)
    return cur, span


def _quarters_in(period: Period) -> list[Period]:
    if period.kind == "quarter":
        return [period]
    if period.kind == "year":
        return [Period.quarter(period.year, q) for q in range(1, 5)]
    return [period.quarter_of()] if period.index % 3 == 0 else []


def _span_totals(sums: _Sums, spans: dict[str, tuple[list[str], ...]]) -> dict[str, dict[str, list[int | None]]]:
    """Per indicator and category: the total over each span (None where the span has no periods
    for that indicator's frequency, e.g. a quarterly figure in a mid-quarter month)."""
    out: dict[str, dict[str, list[int | None]]] = {}
    for (ind, cat), per in sums.items():
        ks = spans.get(ind)
        if ks is None:
            continue
        out.setdefault(ind, {})[cat] = [sum(per.get(k, 0) for k in keys) if keys else None for keys in ks]
    return out


def _sum(totals: dict[str, dict[str, list[int | None]]], spans: dict[str, tuple[list[str], ...]],
         sources: list[tuple[str, str | None]], i: int) -> int | None:
    applicable = any(spans.get(ind) and spans[ind][i] for ind, _ in sources)
    if not applicable:
        return None
    total = 0
    for s_ind, s_cat in sources:
        for cat, vals in totals.get(s_ind, {}).items():
            if (s_cat is None or s_cat == cat) and vals[i] is not None:
                total += vals[i]
    return total


def _flow_rows(sums: _Sums, freqs: dict[str, str], period: Period, start_year: int) -> dict[str, dict]:
    ly = period.same_period_last_year()
    spans: dict[str, tuple[list[str], ...]] = {}
    for ind, freq in freqs.items():
        cur, ytd = _span_keys(freq, period)
        _, ly_ytd = _span_keys(freq, ly)
        _, cum = _span_keys(freq, period, start_year)
        spans[ind] = (cur, ytd, ly_ytd, cum)
    totals = _span_totals(sums, spans)
    out = {}
    for key, name, unit, level, sources in _FLOW_DEFS:
        ytd = _sum(totals, spans, sources, 1) or 0
        ly_ytd = _sum(totals, spans, sources, 2) or 0
        out[key] = dict(key=key, name=name, unit=unit, storage_unit="元" if unit == "万元" else unit,
                        level=level, kind="flow", value=_sum(totals, spans, sources, 0), ytd=ytd,
                        ytd_last_year=ly_ytd, growth=growth_percent(ytd, ly_ytd),
                        cumulative=_sum(totals, spans, sources, 3) or 0)
    return out


# ---------------------------------------------------------------------------------------------
# stocks: counts that follow from the ledgers

_LIVE = "deleted_at IS NULL"


class LedgerProfile:
    """The ledgers grouped by the years that decide whether a record counts at a date.

    One small GROUP BY per table; counts for any number of dates then come from memory."""

    def __init__(self, store: Store, unit_code: str | None, *, by_unit: bool = False) -> None:
        where, params = _unit_filter(unit_code)
        g = "unit_code" if by_unit else "'*'"
        q = lambda sql: store.conn.execute(sql + where + " GROUP BY 1, 2, 3, 4, 5", params).fetchall()  # noqa: E731
        live = f"FROM enterprise INDEXED BY enterprise_counts WHERE {_LIVE} AND status = '在营'"
        # All live enterprises by unit, then only the few known / brought-in ones by their years:
        # two cheap scans of the covering index instead of one GROUP BY over every row.
        self.enterprise_totals = dict(store.conn.execute(
            f"SELECT {g}, count(*) {live}{where} GROUP BY 1", params).fetchall())
        self.enterprises = q(f"SELECT {g}, known, known_year, brought_in, brought_in_year, count(*)"
                             f" {live} AND (known = 1 OR brought_in = 1)")
        self.others = {
            key: q(f"SELECT {g}, coalesce({year}, 0), 0, 0, 0, count(*), {extra} FROM {table}"
                   f" WHERE {_LIVE} AND status = '运营'")
            for key, table, year, extra in (
                ("PARKS", "park", "certified_year", "0"), ("BASES", "base", "established_year", "0"),
                ("WAREHOUSES", "warehouse", "opened_year", "sum(coalesce(area_m2, 0))"),
                ("LIVESTREAM_BASES", "livestream_base", "established_year", "sum(hosts)"),
                ("O2O_STORES", "o2o_store", "opened_year", "0"))
        }

    def counts(self, year: int, plan_start: int) -> dict[str, dict[str, int]]:
        res: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STOCK_KEYS, 0))
        for u, n in self.enterprise_totals.items():
            res[u]["ENTERPRISES"] = n
        for u, known, known_year, brought, brought_year, n in self.enterprises:
            r = res[u]
            if known and known_year is not None and known_year <= year:
                r["KNOWN_ENTERPRISES"] += n
            if brought and brought_year == year:
                r["BROUGHT_IN_YEAR"] += n
            if brought and brought_year is not None and plan_start <= brought_year <= year:
                r["BROUGHT_IN_TOTAL"] += n
        extra_key = {"WAREHOUSES": "WAREHOUSE_AREA", "LIVESTREAM_BASES": "LIVESTREAM_HOSTS"}
        for key, rows in self.others.items():
            for u, y, _a, _b, _c, n, extra in rows:
                if y <= year:
                    res[u][key] += n
                    if key in extra_key:
                        res[u][extra_key[key]] += extra or 0
        return dict(res)


def _stock_rows(now: dict[str, int], last_year: dict[str, int]) -> dict[str, dict]:
    out = {}
    for key, name, unit, level in _STOCK_DEFS:
        v, lv = now.get(key, 0), last_year.get(key, 0)
        # The enterprise roster is a current list without entry dates: no last-year count.
        lv_or_none = None if key == "ENTERPRISES" else lv
        out[key] = dict(key=key, name=name, unit=unit, storage_unit=unit, level=level, kind="stock",
                        value=v, ytd=v, ytd_last_year=lv_or_none,
                        growth=None if lv_or_none is None else growth_percent(v, lv), cumulative=None)
    return out


# ---------------------------------------------------------------------------------------------
# assembling

def _pct(actual: int | None, target: int | None) -> Decimal | None:
    if actual is None or not target:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _assemble(flows: dict[str, dict], stocks: dict[str, dict], targets: dict[tuple[str, int], int],
              year: int) -> list[FigureRow]:
    merged = {**flows, **stocks}
    order = ["VOLUME", "EXPORT", *[f"EXPORT.{m}" for m in EXPORT_MODES], "IMPORT",
             *[f"IMPORT.{m}" for m in IMPORT_MODES], "B2B_EXPORT", "B2C_EXPORT", *STOCK_KEYS,
             "TALENT", "TALENT_TRAINED", *[f"TALENT_TRAINED.{c}" for c in TALENT_CATS], "TALENT_INTRODUCED",
             *[f"TALENT_INTRODUCED.{c}" for c in TALENT_CATS], "TRAINING_SESSIONS", "TRAINEES", "INCUBATED",
             "LIVESTREAM_SALES", "RAIL_TRAINS", "RAIL_TEU"]
    rows = []
    for key in order:
        d = merged[key]
        target = completion = None
        if key in _METRIC_OF_ROW:
            metric, which = _METRIC_OF_ROW[key]
            target = targets.get((metric, year))
            completion = _pct(d[which], target)
        rows.append(FigureRow(target=target, completion=completion, **d))
    return rows


def _unit_meta(store: Store, unit: str | None) -> tuple[str, str, str | None]:
    code = unit or CITY_CODE
    row = store.conn.execute("SELECT name, pilot FROM unit WHERE code = ?", (code,)).fetchone()
    return code, (row[0] if row else code), (row[1] if row else None)


def plan_figures(store: Store, period: Period | str, unit_code: str | None = None, *,
                 today: date | None = None) -> Figures:
    """Every plan indicator for one unit (or the city) and one period."""
    return plan_figures_and_series(store, period, unit_code, today=today)[0]


def plan_figures_and_series(store: Store, period: Period | str, unit_code: str | None = None, *,
                            today: date | None = None, key: str = "VOLUME",
                            spans: tuple[tuple[Period, Period], ...] = ()) -> tuple[Figures, list[list[tuple[str, int]]]]:
    """plan_figures, and for each (first, last) month span the monthly totals of flow row `key`
    (as monthly_series gives them), taken from the values already read for the figures."""
    period = Period.parse(period)
    unit = None if unit_code in (None, CITY_CODE) else unit_code
    plan = plan_for_year(store, period.year)
    start = plan.start_year if plan else DEFAULT_START_YEAR
    since = min(start, period.year - 1, *(first.year for first, _ in spans))
    sums = _load_sums(store, since, unit).get("*", {})
    flows = _flow_rows(sums, _frequencies(store), period, start)
    profile = LedgerProfile(store, unit)
    empty = dict.fromkeys(STOCK_KEYS, 0)
    stocks = _stock_rows(profile.counts(period.year, start).get("*", empty),
                         profile.counts(period.year - 1, start).get("*", empty))
    code, name, pilot = _unit_meta(store, unit)
    rows = _assemble(flows, stocks, _targets(store, plan, code), period.year)
    milestones = milestone_results(store, unit, today=today, _profile=profile, _loaded=(since, sums))
    series = [_series_from_sums(sums, key, first, last) for first, last in spans]
    return Figures(code, name, period, plan, rows, milestones, pilot), series


def figures_by_unit(store: Store, period: Period | str, *, today: date | None = None) -> dict[str, Figures]:
    """Figures of every reporting unit and of the city ('411300') for one period, in bulk."""
    period = Period.parse(period)
    plan = plan_for_year(store, period.year)
    start = plan.start_year if plan else DEFAULT_START_YEAR
    freqs = _frequencies(store)
    sums = _load_sums(store, min(start, period.year - 1), None, by_unit=True)
    profile = LedgerProfile(store, None, by_unit=True)
    now, last = profile.counts(period.year, start), profile.counts(period.year - 1, start)
    empty = dict.fromkeys(STOCK_KEYS, 0)
    out: dict[str, Figures] = {}
    units = [r[0] for r in store.conn.execute(
        "SELECT code FROM unit WHERE code != ? AND active = 1 ORDER BY sort", (CITY_CODE,))]
    for u in units:
        flows = _flow_rows(sums.get(u, {}), freqs, period, start)
        stocks = _stock_rows(now.get(u, empty), last.get(u, empty))
        code, name, pilot = _unit_meta(store, u)
        out[u] = Figures(code, name, period, plan, _assemble(flows, stocks, _targets(store, plan, u), period.year),
                         [], pilot)
    out[CITY_CODE] = plan_figures(store, period, None, today=today)
    return out


def _sources(key: str) -> list[tuple[str, str | None]]:
    return next(d[4] for d in _FLOW_DEFS if d[0] == key)


def monthly_series(store: Store, key: str, unit_code: str | None, start: Period | str,
                   end: Period | str) -> list[tuple[str, int]]:
    """Monthly totals of a flow row (VOLUME, EXPORT, EXPORT.9610 …) from start to end."""
    start, end = Period.parse(start), Period.parse(end)
    sources = _sources(key)
    unit = None if unit_code in (None, CITY_CODE) else unit_code
    where, params = _unit_filter(unit)
    first, last = str(Period.month(start.year, start.first_month)), str(Period.month(end.year, end.last_month))
    conds = " OR ".join("(indicator_code = ?" + ("" if c is None else " AND category = ?") + ")" for _, c in sources)
    args = [x for i, c in sources for x in ((i,) if c is None else (i, c))]
    got = dict(store.conn.execute(
        f"SELECT period, SUM(value) FROM indicator_value WHERE period BETWEEN ? AND ? AND length(period) = 7"
        f" AND category != 'TOTAL' AND ({conds}){where} GROUP BY period", (first, last, *args, *params)))
    return [(str(p), got.get(str(p), 0)) for p in month_range(Period.parse(first), Period.parse(last))]


def _series_from_sums(sums: _Sums, key: str, start: Period, end: Period) -> list[tuple[str, int]]:
    """monthly_series from values already loaded by _load_sums (which skips TOTAL as it does)."""
    sources = _sources(key)
    picked = [per for (ind, cat), per in sums.items() if any(i == ind and c in (None, cat) for i, c in sources)]
    months = month_range(Period.month(start.year, start.first_month), Period.month(end.year, end.last_month))
    return [(str(m), sum(per.get(str(m), 0) for per in picked)) for m in months]


# ---------------------------------------------------------------------------------------------
# milestones

class _Actuals:
    """Plan-metric actuals for one unit; loads the unit's values once for all milestones."""

    def __init__(self, store: Store, plan: PlanInfo, unit: str | None, profile: LedgerProfile | None,
                 loaded: tuple[int, _Sums] | None) -> None:
        self.plan = plan
        # Values already loaded by plan_figures serve when they reach back to the plan's start.
        if loaded is not None and loaded[0] <= plan.start_year:
            self.sums = loaded[1]
        else:
            self.sums = _load_sums(store, plan.start_year, unit).get("*", {})
        self.freqs = _frequencies(store)
        self.profile = profile or LedgerProfile(store, unit)
        self.flows: dict[Period, dict[str, dict]] = {}

    def get(self, metric: str, upto: Period) -> int:
        if metric in ("VOLUME", "TALENT"):
            if upto not in self.flows:
                self.flows[upto] = _flow_rows(self.sums, self.freqs, upto, self.plan.start_year)
            flows = self.flows[upto]
            return flows["VOLUME"]["ytd"] if metric == "VOLUME" else flows["TALENT"]["cumulative"]
        counts = self.profile.counts(upto.year, self.plan.start_year).get("*", dict.fromkeys(STOCK_KEYS, 0))
        return counts["PARKS" if metric == "PARKS" else "KNOWN_ENTERPRISES"]


def _meets(actual: int, target: int, comparison: str) -> bool:
    return actual > target if comparison == "gt" else actual >= target


def milestone_results(store: Store, unit_code: str | None = None, today: date | None = None, *,
                      _profile: LedgerProfile | None = None,
                      _loaded: tuple[int, _Sums] | None = None) -> list[MilestoneResult]:
    """Every plan's milestones (city-wide targets, or the unit's own split targets)."""
    today = today or date.today()
    unit = None if unit_code in (None, CITY_CODE) else unit_code
    target_unit = unit or CITY_CODE
    last_full = Period.last_full_month(today)
    out = []
    for prow in store.conn.execute("SELECT code FROM plan ORDER BY start_year").fetchall():
        plan = plan_for_year(store, store.scalar("SELECT start_year FROM plan WHERE code = ?", (prow[0],)))
        if plan is None or plan.code != prow[0]:
            continue
        metrics = store.conn.execute(
            "SELECT m.key, m.name, m.display_unit, m.basis, m.comparison, t.year, t.value FROM plan_metric m"
            " JOIN plan_target t ON t.plan_code = m.plan_code AND t.metric_key = m.key"
            " WHERE m.plan_code = ? AND t.unit_code = ? ORDER BY m.sort, t.year", (plan.code, target_unit)).fetchall()
        actuals = _Actuals(store, plan, unit, _profile, _loaded)
        for key, name, dunit, basis, comparison, year, target in metrics:
            out.append(_milestone(actuals, key, name, dunit, basis, comparison, year, target, last_full))
    return out


def _milestone(actuals: _Actuals, key: str, name: str, dunit: str, basis: str, comparison: str,
               year: int, target: int, last_full: Period) -> MilestoneResult:
    plan = actuals.plan

    def result(actual: int | None, status: str) -> MilestoneResult:
        return MilestoneResult(plan.code, key, name, dunit, year, target, actual, _pct(actual, target), status)

    if last_full.year > year or (last_full.year == year and last_full.index == 12):
        actual = actuals.get(key, Period.month(year, 12))
        return result(actual, "已完成" if _meets(actual, target, comparison) else "未完成")
    earlier = [m for m in plan.milestones if m < year]
    span_start = (max(earlier) + 1) if earlier else plan.start_year
    if last_full.year < span_start:
        return result(None, "未到期")
    actual = actuals.get(key, last_full)
    if _meets(actual, target, comparison):
        return result(actual, "已完成")
    if basis == "annual":
        if last_full.year < year:
            return result(None, "未到期")
        share = Decimal(last_full.index) / 12
    else:
        months_total = (year - span_start + 1) * 12
        months_done = (last_full.year - span_start) * 12 + last_full.index
        share = Decimal(months_done) / months_total
    expected = Decimal(target) * share
    return result(actual, "按进度" if actual >= expected else "滞后")


# ---------------------------------------------------------------------------------------------
# text rendering for `cbec figures`

def _fmt(row: FigureRow, v: int | None) -> str:
    if v is None:
        return "—"
    return format_money(v, "万元") if row.storage_unit == "元" else f"{v:,}"


def figures_table_text(figs: Figures) -> str:
    head = f"{figs.unit_name}（{figs.unit_code}） {figs.period.label} 规划指标"
    plan = f"规划：{figs.plan.name}" if figs.plan else figs.no_plan_note
    cols = ("指标", "单位", "本期", "本年累计", "上年同期累计", "同比%", "年度目标", "完成%", "规划期累计")
    lines = [head, plan or "", "\t".join(cols)]
    for r in figs.rows:
        lines.append("\t".join([
            "  " * r.level + r.name, r.unit, _fmt(r, r.value), _fmt(r, r.ytd), _fmt(r, r.ytd_last_year),
            "—" if r.growth is None else f"{r.growth}", "—" if r.target is None else _fmt(r, r.target),
            "—" if r.completion is None else f"{r.completion}", "—" if r.cumulative is None else _fmt(r, r.cumulative),
        ]))
    if figs.milestones:
        lines.append("规划节点：")
        for m in figs.milestones:
            unit = m.display_unit
            tv = format_money(m.target, "亿元") if unit == "亿元" else f"{m.target:,}"
            av = "—" if m.actual is None else (format_money(m.actual, "亿元") if unit == "亿元" else f"{m.actual:,}")
            lines.append(f"  {m.year}年 {m.metric_name}：目标 {tv}{unit}，实际 {av}{unit}，{m.status}")
    return "\n".join(lines)
