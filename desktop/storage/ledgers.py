"""Ledger (台账) rows in SQL: query ids, fetch display rows, create/update/delete, undo, bulk upsert.

Rules live in desktop.core.ledgers; every write here runs inside store.atomic() and is audited.
"""
from __future__ import annotations

import json
import sqlite3
import weakref
from typing import Any, Callable, Sequence

from desktop.core.errors import RoleError, ValidationError
from desktop.core.ledgers import (
    KINDS,
    TABLE_TO_KIND,
    FieldIssue,
    LedgerKind,
    Lookups,
    RecordCheck,
    kind_of,
    validate_record,
)
from desktop.core.text import clean_name, initials
from desktop.storage import audit
from desktop.storage.db import Store, new_uid, now_iso

CHUNK = 900          # ids per IN (...) query
UNDO_PREFIX = "撤销操作 #"
IMPORT_PREFIX = "导入"
LEDGER_TABLES = tuple(k.table for k in KINDS.values())


class RecordInvalid(ValidationError):
    """A record breaks the ledger rules; `issues` lists every problem (the message shows the first)."""

    def __init__(self, issues: list[FieldIssue], *, prefix: str = "") -> None:
        first = issues[0]
        detail = "；".join(i.message for i in issues[1:]) or None
        super().__init__(prefix + first.message, field=first.label, detail=detail)
        self.issues = issues


# -- lookups -----------------------------------------------------------------------------------------
def load_lookups(store: Store, unit_code: str | None = None) -> Lookups:
    """Parks of the unit (by name), belts (by name and code) and customs modes, for validate_record."""
    unit = unit_code or store.unit_code
    parks: dict[str, int] = {}
    for pid, name in store.conn.execute(
            "SELECT id, name FROM park WHERE unit_code = ? AND deleted_at IS NULL ORDER BY id", (unit,)):
        parks.setdefault(name, pid)
    belts: dict[str, str] = {}
    for code, name in store.conn.execute("SELECT code, name FROM industry_belt"):
        belts[name] = code
        belts[code] = code
    modes = dict(store.conn.execute("SELECT code, name FROM customs_mode ORDER BY sort"))
    return Lookups(parks=parks, park_ids=frozenset(parks.values()), belts=belts, modes=modes)


def _unit_for(store: Store, values: dict[str, Any]) -> str:
    own = store.unit_code
    wanted = values.get("unit_code") or None
    if store.is_municipal:
        if not wanted:
            raise RoleError("市级汇总库中的台账属于各县区单位：请指明单位代码")
        return str(wanted)
    if wanted and wanted != own:
        raise RoleError(f"本数据库属于{store.unit_name()}，不能修改其他单位（{wanted}）的台账")
    if not own:
        raise RoleError("数据库尚未初始化本单位，无法保存台账")
    return str(own)


# -- queries ------------------------------------------------------------------------------------------
def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search_sql(kind: LedgerKind, search: str) -> tuple[str, list[Any]]:
    parts, params = [], []
    for term in clean_name(search).split():
        ors = " OR ".join(f"t.{c} LIKE ? ESCAPE '\\'" for c in kind.search_columns)
        parts.append(f"({ors})")
        params.extend([_like(term.upper() if c == "credit_code" else term) for c in kind.search_columns])
    return " AND ".join(parts), params


def _filter_sql(kind: LedgerKind, filters: dict[str, Any]) -> tuple[list[str], list[Any]]:
    where, params = [], []
    allowed = set(kind.field_names) | {"unit_code"}
    for key, value in filters.items():
        if value is None or value == "":
            continue
        if key not in allowed:
            raise ValueError(f"unknown filter {key!r} for {kind.key}")
        if key == "modes":
            where.append("instr(',' || t.modes || ',', ?) > 0")
            params.append(f",{value},")
        elif isinstance(value, (list, tuple, set, frozenset)):
            where.append(f"t.{key} IN ({', '.join('?' * len(value))})")
            params.extend(value)
        else:
            where.append(f"t.{key} = ?")
            params.append(int(value) if isinstance(value, bool) else value)
    return where, params


def _order_sql(kind: LedgerKind, order_by: str | None) -> str:
    if not order_by or order_by == "id":
        return "t.id"
    if order_by in ("name", "initials"):
        return "t.initials, t.name"
    if order_by in ("park_id", "park_name"):
        return "(SELECT p.initials FROM park p WHERE p.id = t.park_id)"
    if order_by in ("belt_code", "belt_name"):
        return "(SELECT b.sort FROM industry_belt b WHERE b.code = t.belt_code)"
    if order_by in ("latest_volume", "volume") and kind.has_volumes:
        return ("(SELECT v.amount FROM enterprise_volume v WHERE v.enterprise_id = t.id"
                " ORDER BY v.year DESC LIMIT 1)")
    if order_by in ("unit_code", "unit_name"):
        return "(SELECT u.sort FROM unit u WHERE u.code = t.unit_code)"
    if order_by in kind.field_names or order_by in ("updated_at", "deleted_at"):
        return f"t.{order_by}"
    raise ValueError(f"unknown order_by {order_by!r} for {kind.key}")


def _has_search_table(store: Store) -> bool:
    # A development database numbered past 0002 before it existed lacks the table: plain scan.
    return store.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'enterprise_search'").fetchone() is not None


# store -> ((total_changes, data_version), ids, lower-cased search texts)
_SEARCH_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _search_in_memory(store: Store, terms: list[str], *, descending: bool) -> list[int]:
    """Unfiltered search by keystroke: substring tests over the narrow search texts held in
    memory (about 8 MB for 100,000 enterprises) beat a LIKE scan that returns most of the table.
    The copy is re-read whenever this or another connection has changed the database."""
    stamp = (store.conn.total_changes, store.scalar("PRAGMA data_version"))
    cached = _SEARCH_CACHE.get(store)
    if not terms and (cached is None or cached[0] != stamp):
        # Opening the page lists everything: ids alone are 4x cheaper than the texts.
        ids = [r[0] for r in store.conn.execute("SELECT id FROM enterprise_search ORDER BY id")]
        return ids[::-1] if descending else ids
    if cached is None or cached[0] != stamp:
        rows = store.conn.execute("SELECT id, lower(text) FROM enterprise_search ORDER BY id").fetchall()
        cached = (stamp, [r[0] for r in rows], [r[1] for r in rows])
        _SEARCH_CACHE[store] = cached
    _, ids, texts = cached
    needles = [t.lower() for t in terms]
    if not needles:
        out = list(ids)
    elif len(needles) == 1:
        n = needles[0]
        out = [i for i, t in zip(ids, texts) if n in t]
    else:
        out = [i for i, t in zip(ids, texts) if all(n in t for n in needles)]
    if descending:
        out.reverse()
    return out


def _search_table_ids(store: Store, k: LedgerKind, search: str, filters: dict[str, Any],
                      order_by: str | None, direction: str) -> list[int]:
    """Live enterprises through the narrow enterprise_search table (migration 0002): it drives
    the query, and the wide ledger rows are joined only for filters or another sort order."""
    terms = clean_name(search).split()
    if not filters and order_by in (None, "id"):
        return _search_in_memory(store, terms, descending=direction == "DESC")
    where = ["s.text LIKE ? ESCAPE '\\'"] * len(terms)
    params: list[Any] = [_like(t) for t in terms]
    f_where, f_params = _filter_sql(k, filters)
    where += f_where
    params += f_params
    join = "" if not f_where and order_by in (None, "id") else f" CROSS JOIN {k.table} t ON t.id = s.id"
    order = "s.id" if not join else f"{_order_sql(k, order_by)} {direction}, t.id"
    sql = (f"SELECT s.id FROM enterprise_search s{join}" + (" WHERE " + " AND ".join(where) if where else "")
           + f" ORDER BY {order} {direction}")
    return [r[0] for r in store.conn.execute(sql, params)]


def list_ids(store: Store, kind: str, *, search: str = "", filters: dict | None = None,
             order_by: str | None = None, descending: bool = False,
             include_deleted: bool = False) -> list[int]:
    """Ids of the matching rows in display order (search: name, pinyin initials, credit code;
    every word must match)."""
    k = kind_of(kind)
    direction = "DESC" if descending else "ASC"
    filters = {key: v for key, v in (filters or {}).items() if v is not None and v != ""}
    if k.has_volumes and not include_deleted and _has_search_table(store):
        return _search_table_ids(store, k, search or "", filters, order_by, direction)
    where, params = _filter_sql(k, filters)
    if not include_deleted:
        where.insert(0, "t.deleted_at IS NULL")
    s_sql, s_params = _search_sql(k, search or "")
    if s_sql:
        where.append(s_sql)
        params.extend(s_params)
    sql = (f"SELECT t.id FROM {k.table} t" + (" WHERE " + " AND ".join(where) if where else "")
           + f" ORDER BY {_order_sql(k, order_by)} {direction}, t.id {direction}")
    return [r[0] for r in store.conn.execute(sql, params)]


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _rows_by_id(conn: sqlite3.Connection, sql: str, ids: Sequence[int]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for part in _chunks(list(ids)):
        cur = conn.execute(sql.format(marks=", ".join("?" * len(part))), list(part))
        cols = [d[0] for d in cur.description]
        for row in cur:
            d = dict(zip(cols, row))
            out[d["id"]] = d
    return out


def _volumes_of(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, dict[int, int]]:
    out: dict[int, dict[int, int]] = {i: {} for i in ids}
    for part in _chunks(list(ids)):
        for eid, year, amount in conn.execute(
                f"SELECT enterprise_id, year, amount FROM enterprise_volume WHERE enterprise_id IN"
                f" ({', '.join('?' * len(part))}) ORDER BY year", list(part)):
            out[eid][year] = amount
    return out


def fetch_rows(store: Store, kind: str, ids: Sequence[int]) -> dict[int, dict]:
    """Display-ready rows: stored columns plus unit_name, park_name, belt_name, modes_text
    ('9610、9710') and, for enterprises, volumes {year: 元}, latest_volume (元), latest_volume_year."""
    k = kind_of(kind)
    joins, extra = "", ""
    if k.has_volumes:
        joins = (" LEFT JOIN park p ON p.id = t.park_id"
                 " LEFT JOIN industry_belt b ON b.code = t.belt_code")
        extra = ", p.name AS park_name, b.name AS belt_name"
    sql = (f"SELECT t.*, u.name AS unit_name{extra} FROM {k.table} t"
           f" LEFT JOIN unit u ON u.code = t.unit_code{joins} WHERE t.id IN ({{marks}})")
    rows = _rows_by_id(store.conn, sql, ids)
    if k.has_volumes:
        vols = _volumes_of(store.conn, list(rows))
        for rid, row in rows.items():
            v = vols.get(rid, {})
            row["volumes"] = v
            row["latest_volume_year"] = max(v) if v else None
            row["latest_volume"] = v[max(v)] if v else None
            row["modes_text"] = row["modes"].replace(",", "、")
            row["park_name"] = row["park_name"] or ""
            row["belt_name"] = row["belt_name"] or ""
    for row in rows.values():
        row["deleted"] = row["deleted_at"] is not None
    return rows


def _snapshot(conn: sqlite3.Connection, k: LedgerKind, record_id: int) -> dict[str, Any] | None:
    cols = ", ".join(("id", "uid", "unit_code", *k.field_names, "deleted_at", "updated_at")
                     + (("credit_override",) if k.has_volumes else ()))
    cur = conn.execute(f"SELECT {cols} FROM {k.table} WHERE id = ?", (record_id,))
    row = cur.fetchone()
    if row is None:
        return None
    snap = dict(zip([d[0] for d in cur.description], row))
    if k.has_volumes:
        snap["volumes"] = _volumes_of(conn, [record_id])[record_id]
    return snap


def get(store: Store, kind: str, id: int) -> dict:
    """Editable values of one record (plus id, uid, unit_code, deleted_at; volumes for enterprises)."""
    k = kind_of(kind)
    snap = _snapshot(store.conn, k, id)
    if snap is None:
        raise ValidationError(f"{k.title}台账中没有编号为 {id} 的记录（可能已被删除）", field=k.title)
    return snap


# -- writes ---------------------------------------------------------------------------------------------
def _editable(k: LedgerKind, snap: dict[str, Any]) -> dict[str, Any]:
    out = {f: snap.get(f) for f in k.field_names}
    if k.has_volumes:
        out["volumes"] = {int(y): a for y, a in (snap.get("volumes") or {}).items()}
    return out


def _accept(k: LedgerKind, check: RecordCheck, override_reason: str | None,
            stored: dict[str, Any] | None) -> int:
    """Raise RecordInvalid unless the record may be saved; return the credit_override flag."""
    if check.ok:
        return 0
    if check.only_credit_check_failed:
        if stored and stored.get("credit_override") and stored.get("credit_code") == check.clean["credit_code"]:
            return 1
        if override_reason and override_reason.strip():
            return 1
    raise RecordInvalid(check.errors)


def _ensure_unique(conn: sqlite3.Connection, k: LedgerKind, unit: str, clean: dict[str, Any],
                   exclude_id: int | None) -> None:
    col = k.match_field
    row = conn.execute(
        f"SELECT id, name FROM {k.table} WHERE unit_code = ? AND {col} = ? AND deleted_at IS NULL"
        " AND id IS NOT ?", (unit, clean[col], exclude_id)).fetchone()
    if row is None:
        return
    spec = k.field(col)
    if col == "credit_code":
        msg = f"统一社会信用代码“{clean[col]}”已登记为“{row[1]}”，同一单位内不能重复"
    else:
        msg = f"已有同名{k.title}“{clean[col]}”"
    raise RecordInvalid([FieldIssue(col, spec.label, msg, "duplicate")])


def _write_volumes(conn: sqlite3.Connection, record_id: int, volumes: dict[int, int]) -> None:
    conn.execute("DELETE FROM enterprise_volume WHERE enterprise_id = ?", (record_id,))
    conn.executemany("INSERT INTO enterprise_volume(enterprise_id, year, amount) VALUES (?, ?, ?)",
                     [(record_id, int(y), int(a)) for y, a in sorted(volumes.items())])


def _insert(conn: sqlite3.Connection, k: LedgerKind, unit: str, clean: dict[str, Any],
            override: int) -> tuple[int, dict[str, Any]]:
    """Insert a validated record; returns its id and its snapshot (as _snapshot would read it)."""
    uid, stamp = new_uid(), now_iso()
    cols = ["uid", "unit_code", "initials", "updated_at", *k.field_names]
    vals = [uid, unit, initials(clean["name"]), stamp, *(clean[f] for f in k.field_names)]
    if k.has_volumes:
        cols.append("credit_override")
        vals.append(override)
    cur = conn.execute(f"INSERT INTO {k.table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", vals)
    record_id = int(cur.lastrowid)
    snap = {"id": record_id, "uid": uid, "unit_code": unit, **{f: clean[f] for f in k.field_names},
            "deleted_at": None, "updated_at": stamp}
    if k.has_volumes:
        volumes = clean.get("volumes") or {}
        conn.executemany("INSERT INTO enterprise_volume(enterprise_id, year, amount) VALUES (?, ?, ?)",
                         [(record_id, int(y), int(a)) for y, a in sorted(volumes.items())])
        snap["credit_override"] = override
        snap["volumes"] = dict(sorted(volumes.items()))
    return record_id, snap


def _write_fields(conn: sqlite3.Connection, k: LedgerKind, record_id: int, values: dict[str, Any],
                  override: int | None) -> None:
    sets = [f"{f} = ?" for f in k.field_names] + ["initials = ?", "updated_at = ?"]
    params = [values[f] for f in k.field_names] + [initials(values["name"]), now_iso()]
    if k.has_volumes and override is not None:
        sets.append("credit_override = ?")
        params.append(override)
    conn.execute(f"UPDATE {k.table} SET {', '.join(sets)} WHERE id = ?", (*params, record_id))
    if k.has_volumes and "volumes" in values:
        _write_volumes(conn, record_id, values["volumes"])


def _audit(conn: sqlite3.Connection, k: LedgerKind, record_id: int, action: str, operator: str,
           before: dict | None, after: dict | None, reason: str | None = None) -> None:
    audit.record(conn, operator=operator, table=k.table, row_key=record_id, action=action,
                 before=before, after=after, reason=reason)


def create(store: Store, kind: str, values: dict, *, operator: str,
           credit_override_reason: str | None = None) -> int:
    """Validate and insert one record; returns its id. A failed credit check needs a reason."""
    k = kind_of(kind)
    unit = _unit_for(store, values)
    check = validate_record(kind, values, lookups=load_lookups(store, unit))
    override = _accept(k, check, credit_override_reason, None)
    with store.atomic() as conn:
        _ensure_unique(conn, k, unit, check.clean, None)
        record_id, after = _insert(conn, k, unit, check.clean, override)
        _audit(conn, k, record_id, "insert", operator, None, after)
        if override:
            _audit(conn, k, record_id, "override", operator, None, {"credit_code": check.clean["credit_code"]},
                   credit_override_reason)
    return record_id


def update(store: Store, kind: str, id: int, values: dict, *, operator: str,
           credit_override_reason: str | None = None) -> None:
    """Validate and save changed values of one record (keys not given keep their stored value)."""
    k = kind_of(kind)
    with store.atomic() as conn:
        before = get(store, kind, id)
        if before["deleted_at"]:
            raise ValidationError(f"{k.title}“{before['name']}”已删除，不能修改", field=k.title)
        merged = {**_editable(k, before), **{key: v for key, v in values.items() if key != "unit_code"}}
        check = validate_record(kind, merged, lookups=load_lookups(store, before["unit_code"]))
        override = _accept(k, check, credit_override_reason, before)
        if check.clean == _editable(k, before) and override == before.get("credit_override", 0):
            return
        _ensure_unique(conn, k, before["unit_code"], check.clean, id)
        _write_fields(conn, k, id, check.clean, override if k.has_volumes else None)
        after = _snapshot(conn, k, id)
        _audit(conn, k, id, "update", operator, before, after)
        if override and (not before.get("credit_override")
                         or before.get("credit_code") != check.clean["credit_code"]):
            _audit(conn, k, id, "override", operator, None, {"credit_code": check.clean["credit_code"]},
                   credit_override_reason)


def delete(store: Store, kind: str, id: int, *, operator: str) -> None:
    """Soft delete (deleted_at): enterprises may still point at a deleted park; undo restores it."""
    k = kind_of(kind)
    with store.atomic() as conn:
        before = get(store, kind, id)
        if before["deleted_at"]:
            return
        conn.execute(f"UPDATE {k.table} SET deleted_at = ?, updated_at = ? WHERE id = ?", (now_iso(), now_iso(), id))
        _audit(conn, k, id, "delete", operator, before, _snapshot(conn, k, id))


# -- bulk upsert (importer) ---------------------------------------------------------------------------
class Upsert:
    """What upsert_many would do with one record: 'add', 'update', 'unchanged' or 'invalid'."""

    __slots__ = ("action", "record_id", "clean", "check", "before", "override")

    def __init__(self, action: str, record_id: int | None, check: RecordCheck,
                 before: dict | None, override: int = 0) -> None:
        self.action, self.record_id, self.check = action, record_id, check
        self.clean, self.before, self.override = check.clean, before, override


def _match_key(k: LedgerKind, values: dict[str, Any]) -> str:
    from desktop.core import credit

    raw = values.get(k.match_field)
    return credit.normalise(raw) if k.match_field == "credit_code" else clean_name(raw)


def _index(conn: sqlite3.Connection, k: LedgerKind, unit: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for rid, key in conn.execute(f"SELECT id, {k.match_field} FROM {k.table}"
                                 " WHERE unit_code = ? AND deleted_at IS NULL ORDER BY id", (unit,)):
        out.setdefault(key, rid)
    return out


def _plan_one(store: Store, k: LedgerKind, rec: dict[str, Any], record_id: int | None,
              lookups: Lookups) -> Upsert:
    if record_id is None:
        check = validate_record(k.key, rec, lookups=lookups)
        return Upsert("add" if check.ok else "invalid", None, check, None)
    before = _snapshot(store.conn, k, record_id)
    stored = _editable(k, before)
    merged = {**stored, **{key: v for key, v in rec.items() if key in stored}}
    if k.has_volumes:
        merged["volumes"] = {**stored["volumes"], **{int(y): a for y, a in (rec.get("volumes") or {}).items()}}
    check = validate_record(k.key, merged, lookups=lookups)
    try:
        override = _accept(k, check, None, before)
    except RecordInvalid:
        return Upsert("invalid", record_id, check, before)
    same = check.clean == stored
    return Upsert("unchanged" if same else "update", record_id, check, before, override)


def prepare_upserts(store: Store, kind: str, records: list[dict[str, Any]]) -> list[Upsert]:
    """Classify records against the stored ledger without writing (dry run and upsert_many).

    A record matches a stored one by credit code (enterprises) or name (others) within its unit;
    given keys replace stored values, keys not given keep them; volumes merge by year.
    A key repeated within `records` makes the later record invalid.
    """
    k = kind_of(kind)
    out: list[Upsert] = []
    seen: set[tuple[str, str]] = set()
    cache: dict[str, tuple[Lookups, dict[str, int]]] = {}
    units: dict[Any, str] = {}
    for rec in records:
        if rec.get("unit_code") not in units:
            units[rec.get("unit_code")] = _unit_for(store, rec)
        unit = units[rec.get("unit_code")]
        if unit not in cache:
            cache[unit] = (load_lookups(store, unit), _index(store.conn, k, unit))
        lookups, index = cache[unit]
        key = _match_key(k, rec)
        if key and (unit, key) in seen:
            spec = k.field(k.match_field)
            check = RecordCheck(clean=dict(rec), errors=[FieldIssue(
                spec.name, spec.label, f"{spec.label}“{key}”与前面的行重复", "duplicate")])
            out.append(Upsert("invalid", None, check, None))
            continue
        seen.add((unit, key))
        out.append(_plan_one(store, k, rec, index.get(key) if key else None, lookups))
    return out


def db_state(store: Store) -> tuple[int, int]:
    """Changes since this value was taken show up as a different value: commits by other
    connections (data_version) and changes by this one (total_changes)."""
    return int(store.scalar("PRAGMA data_version")), store.conn.total_changes


def upsert_many(store: Store, kind: str, records: list[dict], *, operator: str, source: str = "",
                progress: Callable[[int, int], None] | None = None,
                prepared: tuple[tuple[int, int], list[Upsert]] | None = None) -> tuple[int, int, int]:
    """Add or update many records in one transaction; returns (added, updated, unchanged).

    Any invalid record raises RecordInvalid naming its position and nothing is written.
    `progress(done, total)` is called every 200 records; an exception raised from it (cancel)
    rolls the whole batch back. `prepared` = (db_state, prepare_upserts result) taken earlier
    (the import plan) is reused when the database has not changed since, else recomputed.
    """
    k = kind_of(kind)
    reason = f"{IMPORT_PREFIX}{('：' + source) if source else ''}（批次 {new_uid()[:12]}）"
    counts = {"add": 0, "update": 0, "unchanged": 0}
    units: dict[Any, str] = {}
    with store.atomic() as conn:
        if prepared is not None and prepared[0] == db_state(store) and len(prepared[1]) == len(records):
            plans = prepared[1]
        else:
            plans = prepare_upserts(store, kind, records)
        for pos, plan in enumerate(plans, start=1):
            if plan.action == "invalid":
                raise RecordInvalid(plan.check.errors, prefix=f"第 {pos} 条记录：")
        for done, (rec, plan) in enumerate(zip(records, plans), start=1):
            if progress is not None and done % 200 == 0:
                progress(done, len(plans))
            counts[plan.action] += 1
            if plan.action == "add":
                key = rec.get("unit_code")
                if key not in units:
                    units[key] = _unit_for(store, rec)
                rid, after = _insert(conn, k, units[key], plan.clean, 0)
                _audit(conn, k, rid, "import", operator, None, after, reason)
            elif plan.action == "update":
                _write_fields(conn, k, plan.record_id, plan.clean, plan.override if k.has_volumes else None)
                _audit(conn, k, plan.record_id, "import", operator, plan.before,
                       _snapshot(conn, k, plan.record_id), reason)
        if progress is not None:
            progress(len(plans), len(plans))
    return counts["add"], counts["update"], counts["unchanged"]


# -- undo -----------------------------------------------------------------------------------------------
def _last_change(conn: sqlite3.Connection, operator: str) -> dict[str, Any] | None:
    marks = ", ".join("?" * len(LEDGER_TABLES))
    cur = conn.execute(
        f"SELECT id, table_name, row_key, action, before, after, reason FROM audit_log a"
        f" WHERE a.operator = ? AND a.table_name IN ({marks})"
        " AND a.action IN ('insert', 'update', 'delete', 'import')"
        " AND NOT EXISTS (SELECT 1 FROM audit_log r WHERE r.table_name = a.table_name"
        "   AND r.row_key = a.row_key AND r.action = 'restore' AND r.reason = ? || a.id)"
        " ORDER BY a.id DESC LIMIT 1", (operator, *LEDGER_TABLES, UNDO_PREFIX))
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def _batch(conn: sqlite3.Connection, entry: dict[str, Any], operator: str) -> list[dict[str, Any]]:
    if entry["action"] != "import":
        return [entry]
    cur = conn.execute(
        "SELECT id, table_name, row_key, action, before, after, reason FROM audit_log"
        " WHERE operator = ? AND action = 'import' AND reason = ? AND table_name = ? ORDER BY id DESC",
        (operator, entry["reason"], entry["table_name"]))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur]


def _same_state(k: LedgerKind, current: dict[str, Any], expected: dict[str, Any]) -> bool:
    return (_editable(k, current) == _editable(k, expected)
            and bool(current["deleted_at"]) == bool(expected.get("deleted_at")))


def _revert(conn: sqlite3.Connection, entry: dict[str, Any], operator: str) -> None:
    k = TABLE_TO_KIND[entry["table_name"]]
    rid = int(entry["row_key"])
    before = json.loads(entry["before"]) if entry["before"] else None
    after = json.loads(entry["after"]) if entry["after"] else None
    current = _snapshot(conn, k, rid)
    if current is None or (after is not None and not _same_state(k, current, after)):
        name = (after or before or {}).get("name", rid)
        raise ValidationError(f"{k.title}“{name}”在这次操作之后又被修改过，不能撤销", field=k.title)
    if before is None:
        conn.execute(f"UPDATE {k.table} SET deleted_at = ?, updated_at = ? WHERE id = ?", (now_iso(), now_iso(), rid))
    else:
        if before.get("deleted_at") is None and current["deleted_at"] is not None:
            _ensure_unique(conn, k, current["unit_code"], before, rid)
        _write_fields(conn, k, rid, _editable(k, before), before.get("credit_override") if k.has_volumes else None)
        conn.execute(f"UPDATE {k.table} SET deleted_at = ? WHERE id = ?", (before.get("deleted_at"), rid))
    _audit(conn, k, rid, "restore", operator, current, _snapshot(conn, k, rid), f"{UNDO_PREFIX}{entry['id']}")


def _describe(entries: list[dict[str, Any]]) -> str:
    e = entries[0]
    k = TABLE_TO_KIND[e["table_name"]]
    if e["action"] == "import":
        added = sum(1 for x in entries if not x["before"])
        return f"已撤销：导入{k.title}台账（新增 {added} 条，更新 {len(entries) - added} 条）"
    snap = json.loads(e["after"] or e["before"])
    verb = {"insert": "新增", "update": "修改", "delete": "删除"}[e["action"]]
    return f"已撤销：{verb}{k.title}“{snap.get('name', '')}”"


def undo_last(store: Store, *, operator: str) -> str | None:
    """Undo this operator's last ledger change (a whole import counts as one); returns a Chinese
    description, or None when there is nothing left to undo."""
    with store.atomic() as conn:
        entry = _last_change(conn, operator)
        if entry is None:
            return None
        entries = _batch(conn, entry, operator)
        for e in entries:
            _revert(conn, e, operator)
        return _describe(entries)
