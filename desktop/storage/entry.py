"""Periodic figures (数据填报): the entry grid, its offline validation rules and submissions.

Decisions (documented for reports and packages):
- A month shows the monthly indicators, a quarter the quarterly ones (INCUBATED). Each period
  key is submitted and locked on its own, so a month's submission never locks quarterly data.
- The 合计 of a disaggregated indicator is by default the sum of its parts. The clerk may also
  type a control total (e.g. the customs total received for the month); it is stored as an
  `indicator_value` row with category ``TOTAL_CATEGORY`` and checked against the parts: a
  difference is a warning that needs a 说明 (stored on the TOTAL row) before the period can be
  submitted. The parts stay the figures: every reader that sums categories (figures,
  consolidation, package declared totals) skips TOTAL rows; packages still carry them as data.
- Submission states: open -> submitted (locked) -> reopened (更正, version + 1) -> submitted …;
  a municipal return (退回修改) moves a submitted period to 'returned' with version + 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from desktop.core.errors import LockedPeriodError, RoleError, ValidationError
from desktop.core.money import format_money, growth_percent
from desktop.core.periods import Period
from desktop.storage import audit
from desktop.storage.db import Store, now_iso

TOTAL_CATEGORY = "TOTAL"
GROWTH_LIMIT = Decimal(50)  # |同比| above this percentage needs a 说明
Key = tuple[str, str]  # (indicator code, category)


# -- result objects ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Submission:
    unit_code: str
    period: str
    state: str  # open / submitted / reopened / returned
    version: int
    submitted_at: str | None
    submitted_by: str | None
    reason: str | None
    return_note: str | None = None  # latest unresolved 退回修改 note

    @property
    def locked(self) -> bool:
        return self.state == "submitted"

    @property
    def state_label(self) -> str:
        return {"open": "未报送", "submitted": "已报送", "reopened": "更正中", "returned": "已退回"}[self.state]


@dataclass(frozen=True)
class Cell:
    indicator: str
    category: str
    value: int | None
    previous: int | None  # previous period (month before / quarter before)
    last_year: int | None  # same period last year
    comment: str | None


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    display_unit: str
    frequency: str
    category_set: str | None
    requires: str | None
    options: tuple[tuple[str, str], ...]  # (code, name); (('', ''),) when not disaggregated

    @property
    def is_money(self) -> bool:
        return self.unit == "元"

    @property
    def disaggregated(self) -> bool:
        return self.category_set is not None

    def category_name(self, category: str) -> str:
        if category == TOTAL_CATEGORY:
            return "合计"
        return dict(self.options).get(category, category)

    def label(self, category: str) -> str:
        return self.name if not category else f"{self.name}·{self.category_name(category)}"

    def format(self, value: int | None) -> str:
        if value is None:
            return ""
        return format_money(value, self.display_unit) if self.is_money else f"{value:,}"

    def format_with_unit(self, value: int) -> str:
        return f"{self.format(value)}{self.display_unit}"


@dataclass(frozen=True)
class GridRow:
    indicator: Indicator
    cells: dict[str, Cell]  # the parts, by category ('' when not disaggregated)
    total: Cell | None = None  # typed control total (合计); None when not disaggregated

    def computed_total(self, which: str = "value") -> int | None:
        vals = [getattr(c, which) for c in self.cells.values() if getattr(c, which) is not None]
        return sum(vals) if vals else None


@dataclass(frozen=True)
class Grid:
    unit_code: str
    period: str
    previous_period: str
    last_year_period: str
    rows: list[GridRow]
    submission: Submission


@dataclass(frozen=True)
class EntryIssue:
    indicator: str
    category: str
    level: str  # 'error' or 'warning'
    message: str
    explained: bool = False  # a warning with a 说明 stored or given

    @property
    def blocking(self) -> bool:
        return self.level == "error" or not self.explained


# -- catalogue --------------------------------------------------------------------------------
def catalogue(store: Store, frequency: str | None = None) -> list[Indicator]:
    opts: dict[str, list[tuple[str, str]]] = {}
    for set_code, code, name in store.conn.execute(
            "SELECT set_code, code, name FROM category_option ORDER BY set_code, sort"):
        opts.setdefault(set_code, []).append((code, name))
    sql = ("SELECT code, name, unit, display_unit, frequency, category_set, requires FROM indicator"
           " WHERE active = 1" + (" AND frequency = ?" if frequency else "") + " ORDER BY sort")
    out = []
    for code, name, unit, dunit, freq, cset, req in store.conn.execute(sql, (frequency,) if frequency else ()):
        options = tuple(opts.get(cset, ())) if cset else (("", ""),)
        out.append(Indicator(code, name, unit, dunit, freq, cset, req, options))
    return out


def _period(period: str | Period) -> Period:
    p = Period.parse(period)
    if p.kind == "year":
        raise ValidationError(f"数据填报按月或按季度进行，期别“{p}”是整年", field="期别")
    return p


# -- reading ----------------------------------------------------------------------------------
def _stored(store: Store, unit_code: str, periods: list[str]) -> dict[tuple[str, str, str], tuple[int, str | None]]:
    marks = ",".join("?" * len(periods))
    rows = store.conn.execute(
        f"SELECT period, indicator_code, category, value, comment FROM indicator_value"
        f" WHERE unit_code = ? AND period IN ({marks})", (unit_code, *periods))
    return {(p, i, c): (v, cm) for p, i, c, v, cm in rows}


def entry_grid(store: Store, unit_code: str, period: str | Period) -> Grid:
    p = _period(period)
    cur, prev, ly = str(p), str(p.previous()), str(p.same_period_last_year())
    data = _stored(store, unit_code, [cur, prev, ly])

    def cell(ind: str, cat: str) -> Cell:
        v, cm = data.get((cur, ind, cat), (None, None))
        return Cell(ind, cat, v, data.get((prev, ind, cat), (None,))[0], data.get((ly, ind, cat), (None,))[0], cm)

    rows = []
    for ind in catalogue(store, p.kind):
        cells = {code: cell(ind.code, code) for code, _ in ind.options}
        rows.append(GridRow(ind, cells, cell(ind.code, TOTAL_CATEGORY) if ind.disaggregated else None))
    return Grid(unit_code, cur, prev, ly, rows, submission_state(store, unit_code, p))


def submission_state(store: Store, unit_code: str, period: str | Period) -> Submission:
    p = str(Period.parse(period))
    row = store.conn.execute(
        "SELECT state, version, submitted_at, submitted_by, reason FROM submission"
        " WHERE unit_code = ? AND period = ?", (unit_code, p)).fetchone()
    note = store.scalar(
        "SELECT note FROM return_note WHERE unit_code = ? AND period = ? AND resolved_at IS NULL"
        " ORDER BY id DESC LIMIT 1", (unit_code, p))
    if row is None:
        return Submission(unit_code, p, "open", 1, None, None, None, note)
    return Submission(unit_code, p, row[0], row[1], row[2], row[3], row[4], note)


# -- validation -------------------------------------------------------------------------------
def _check_keys(inds: dict[str, Indicator], p: Period, values: dict[Key, object]) -> None:
    for (code, cat), v in values.items():
        ind = inds.get(code)
        if ind is None:
            raise ValidationError(f"指标“{code}”不是{'月度' if p.kind == 'month' else '季度'}指标，不能在{p.label}填报",
                                  field=code)
        if cat == TOTAL_CATEGORY and not ind.disaggregated:
            raise ValidationError(f"指标“{ind.name}”没有分项，不能单独填报合计", field=ind.name)
        allowed = {c for c, _ in ind.options} | ({TOTAL_CATEGORY} if ind.disaggregated else set())
        if cat not in allowed:
            raise ValidationError(f"指标“{ind.name}”没有分项“{cat}”", field=ind.name)


def _value_error(ind: Indicator, cat: str, v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        return f"{ind.label(cat)}：“{v}”不是整数"
    if v < 0:
        return f"{ind.label(cat)}：不能为负数（{ind.format_with_unit(v)}）"
    return None


def _growth_issue(ind: Indicator, cat: str, v: int, ly: int | None) -> str | None:
    if not ly:
        return None  # no base: growth undefined, nothing to compare
    if abs(Decimal(v) - ly) * 100 <= GROWTH_LIMIT * ly:
        return None
    g = growth_percent(v, ly)
    return (f"{ind.label(cat)}：比上年同期（{ind.format_with_unit(ly)}）{'增长' if v > ly else '下降'}"
            f"{abs(g)}%，超过±{GROWTH_LIMIT}%，请填写说明")


def validate_entry(store: Store, unit_code: str, period: str | Period,
                   values: dict[Key, int | None] | None = None,
                   comments: dict[Key, str | None] | None = None) -> list[EntryIssue]:
    """Rules from the catalogue over the stored figures with `values`/`comments` laid over them."""
    p = _period(period)
    inds = {i.code: i for i in catalogue(store, p.kind)}
    values = dict(values or {})
    _check_keys(inds, p, values)
    cur, ly = str(p), str(p.same_period_last_year())
    data = _stored(store, unit_code, [cur, ly])
    now: dict[Key, int | None] = {(i, c): v for (pp, i, c), (v, _) in data.items() if pp == cur}
    now.update(values)
    notes = {(i, c): cm for (pp, i, c), (_, cm) in data.items() if pp == cur}
    notes.update(comments or {})
    issues: list[EntryIssue] = []

    def warn(key: Key, msg: str) -> None:
        issues.append(EntryIssue(key[0], key[1], "warning", msg, bool((notes.get(key) or "").strip())))

    for ind in inds.values():
        for cat in [c for c, _ in ind.options] + ([TOTAL_CATEGORY] if ind.disaggregated else []):
            v = now.get((ind.code, cat))
            err = _value_error(ind, cat, v)
            if err:
                issues.append(EntryIssue(ind.code, cat, "error", err))
                continue
            if v is None or cat == TOTAL_CATEGORY:  # a total's growth is its parts' growth
                continue
            ly_v = data.get((ly, ind.code, cat), (None,))[0]
            msg = _growth_issue(ind, cat, v, ly_v)
            if msg:
                warn((ind.code, cat), msg)
        _total_issue(ind, now, warn)
        _requires_issue(ind, inds, now, warn)
    return issues


def _total_issue(ind: Indicator, now: dict[Key, int | None], warn) -> None:
    total = now.get((ind.code, TOTAL_CATEGORY)) if ind.disaggregated else None
    if not isinstance(total, int) or total < 0:
        return
    parts = [now.get((ind.code, c)) for c, _ in ind.options]
    if any(isinstance(x, int) and x < 0 for x in parts if x is not None):
        return
    s = sum(x for x in parts if isinstance(x, int))
    if s != total:
        warn((ind.code, TOTAL_CATEGORY),
             f"{ind.name}：合计 {ind.format_with_unit(total)} 与分项之和 {ind.format_with_unit(s)} 不相等，请核对或填写说明")


def _requires_issue(ind: Indicator, inds: dict[str, Indicator], now: dict[Key, int | None], warn) -> None:
    if not ind.requires or ind.disaggregated:
        return
    v = now.get((ind.code, ""))
    if not isinstance(v, int) or v <= 0:
        return
    req = inds.get(ind.requires)
    if req is None:
        return
    if not any(now.get((req.code, c)) is not None for c, _ in req.options):
        warn((ind.code, ""), f"{ind.name}：已填报 {ind.format_with_unit(v)}，但未填报“{req.name}”，请补填或填写说明")


# -- writing ----------------------------------------------------------------------------------
def _check_writer(store: Store, unit_code: str, *, returning: bool = False) -> None:
    role = store.role
    if role == "municipal" and not returning:
        raise RoleError("市级（综试办）不能修改县市区填报的数据，只能查看或退回修改")
    if role == "county" and unit_code != store.unit_code:
        raise RoleError(f"本数据库属于{store.unit_name()}，不能修改{store.unit_name(unit_code)}的数据")


def _locked_error(sub: Submission, p: Period) -> LockedPeriodError:
    return LockedPeriodError(f"{p.label}已报送（第{sub.version}版），数据已锁定，如需修改请先点击“更正”",
                             detail="原数据未作任何改动。")


def _row_key(unit_code: str, period: str, ind: str, cat: str) -> str:
    return f"{unit_code}/{period}/{ind}/{cat}"


def save_values(store: Store, unit_code: str, period: str | Period,
                values: dict[Key, int | None], comments: dict[Key, str | None] | None = None,
                *, operator: str) -> None:
    """Write typed figures and 说明 in one transaction; a value of None deletes the figure
    (and its 说明). A 说明 for a cell without a value is dropped with it. A typed 合计 of a
    disaggregated indicator is stored under TOTAL_CATEGORY (a control total); None removes it and
    the 合计 is again the sum of the parts. Audit-logged."""
    p = _period(period)
    _check_writer(store, unit_code)
    inds = {i.code: i for i in catalogue(store, p.kind)}
    values = dict(values)
    comments = {k: ((v or "").strip() or None) for k, v in (comments or {}).items()}
    _check_keys(inds, p, {**comments, **values})
    for (code, cat), v in values.items():
        err = _value_error(inds[code], cat, v)
        if err:
            raise ValidationError(err, field=inds[code].label(cat))
    cur = str(p)
    with store.atomic() as conn:
        sub = submission_state(store, unit_code, p)
        if sub.locked:
            raise _locked_error(sub, p)
        old = {(i, c): (v, cm) for (_, i, c), (v, cm) in _stored(store, unit_code, [cur]).items()}
        stamp = now_iso()
        for key in sorted(set(values) | set(comments)):
            _write_cell(conn, unit_code, cur, key, old.get(key), values, comments, stamp, operator)


def _write_cell(conn, unit_code: str, period: str, key: Key, old: tuple[int, str | None] | None,
                values: dict, comments: dict, stamp: str, operator: str) -> None:
    ind, cat = key
    value = values[key] if key in values else (old[0] if old else None)
    comment = comments[key] if key in comments else (old[1] if old else None)
    rk = _row_key(unit_code, period, ind, cat)
    before = {"value": old[0], "comment": old[1]} if old else None
    if value is None:
        if old is None:
            return
        conn.execute("DELETE FROM indicator_value WHERE unit_code = ? AND period = ? AND indicator_code = ?"
                     " AND category = ?", (unit_code, period, ind, cat))
        audit.record(conn, operator=operator, table="indicator_value", row_key=rk, action="delete", before=before)
        return
    after = {"value": value, "comment": comment}
    if old is not None and before == after:
        return
    conn.execute(
        "INSERT INTO indicator_value(unit_code, period, indicator_code, category, value, comment, updated_at,"
        " updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unit_code, period, indicator_code, category)"
        " DO UPDATE SET value = excluded.value, comment = excluded.comment, updated_at = excluded.updated_at,"
        " updated_by = excluded.updated_by", (unit_code, period, ind, cat, value, comment, stamp, operator))
    audit.record(conn, operator=operator, table="indicator_value", row_key=rk,
                 action="insert" if old is None else "update", before=before, after=after)


def _put_submission(conn, sub: Submission, *, state: str, version: int, reason: str | None,
                    submitted_at: str | None, submitted_by: str | None) -> None:
    conn.execute(
        "INSERT INTO submission(unit_code, period, state, version, submitted_at, submitted_by, reason, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unit_code, period) DO UPDATE SET state = excluded.state,"
        " version = excluded.version, submitted_at = excluded.submitted_at, submitted_by = excluded.submitted_by,"
        " reason = excluded.reason, updated_at = excluded.updated_at",
        (sub.unit_code, sub.period, state, version, submitted_at, submitted_by, reason, now_iso()))


def _sub_json(sub: Submission) -> dict:
    return {"state": sub.state, "version": sub.version, "submitted_at": sub.submitted_at, "reason": sub.reason}


def submit_period(store: Store, unit_code: str, period: str | Period, *, operator: str) -> Submission:
    """报送: refuses errors, warnings without 说明 and an empty period; then locks the period."""
    p = _period(period)
    _check_writer(store, unit_code)
    with store.atomic() as conn:
        sub = submission_state(store, unit_code, p)
        if sub.locked:
            raise LockedPeriodError(f"{p.label}已经报送（第{sub.version}版），无需重复报送")
        if not store.scalar("SELECT count(*) FROM indicator_value WHERE unit_code = ? AND period = ?",
                            (unit_code, str(p))):
            raise ValidationError(f"{p.label}还没有填报任何数据，不能报送（没有发生的业务请填 0）", field="期别")
        blocking = [i for i in validate_entry(store, unit_code, p) if i.blocking]
        if blocking:
            lines = [("错误：" if i.level == "error" else "缺少说明：") + i.message for i in blocking]
            raise ValidationError(f"{p.label}有 {len(blocking)} 个问题，处理后才能报送",
                                  detail="\n".join(lines))
        stamp = now_iso()
        _put_submission(conn, sub, state="submitted", version=sub.version, reason=sub.reason,
                        submitted_at=stamp, submitted_by=operator)
        conn.execute("UPDATE return_note SET resolved_at = ? WHERE unit_code = ? AND period = ?"
                     " AND resolved_at IS NULL", (stamp, unit_code, str(p)))
        new = submission_state(store, unit_code, p)
        audit.record(conn, operator=operator, table="submission", row_key=f"{unit_code}/{p}", action="submit",
                     before=_sub_json(sub), after=_sub_json(new))
    return new


def reopen_period(store: Store, unit_code: str, period: str | Period, *, operator: str, reason: str) -> Submission:
    """更正: reopens a submitted period for changes with a reason; the version goes up by one."""
    p = _period(period)
    _check_writer(store, unit_code)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("更正必须填写原因", field="更正原因")
    with store.atomic() as conn:
        sub = submission_state(store, unit_code, p)
        if not sub.locked:
            raise ValidationError(f"{p.label}当前为“{sub.state_label}”，可以直接修改，无需更正", field="期别")
        _put_submission(conn, sub, state="reopened", version=sub.version + 1, reason=reason,
                        submitted_at=sub.submitted_at, submitted_by=sub.submitted_by)
        new = submission_state(store, unit_code, p)
        audit.record(conn, operator=operator, table="submission", row_key=f"{unit_code}/{p}", action="reopen",
                     before=_sub_json(sub), after=_sub_json(new), reason=reason)
    return new


def return_period(store: Store, unit_code: str, period: str | Period, *, note: str, operator: str) -> None:
    """退回修改: the municipal office sends a submitted period back with a note (version + 1)."""
    p = _period(period)
    _check_writer(store, unit_code, returning=True)
    note = (note or "").strip()
    if not note:
        raise ValidationError("退回修改必须填写退回意见", field="退回意见")
    with store.atomic() as conn:
        sub = submission_state(store, unit_code, p)
        if sub.submitted_at is None:
            raise ValidationError(f"{store.unit_name(unit_code)}{p.label}尚未报送，不能退回", field="期别")
        version = sub.version + 1 if sub.locked else sub.version
        _put_submission(conn, sub, state="returned", version=version, reason=note,
                        submitted_at=sub.submitted_at, submitted_by=sub.submitted_by)
        conn.execute("INSERT INTO return_note(unit_code, period, note, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                      (unit_code, str(p), note, now_iso(), operator))
        new = submission_state(store, unit_code, p)
        audit.record(conn, operator=operator, table="submission", row_key=f"{unit_code}/{p}", action="return",
                     before=_sub_json(sub), after=_sub_json(new), reason=note)
