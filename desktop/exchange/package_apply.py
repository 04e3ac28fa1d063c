"""Write an accepted package into the store (inside the caller's transaction).

County package into the municipal database: delete the unit's partition, insert the snapshot,
mapping parent uids to local ids. Municipal package into a county database: upsert the
reference tables, replace the replaceable ones, and flag newly returned periods."""
from __future__ import annotations

import sqlite3
from typing import Any

from desktop.core.errors import CbecError, FileFormatError
from desktop.exchange.package_format import Package, Table
from desktop.exchange.package_tables import COUNTY_SPECS, MUNICIPAL_SPECS, Spec, local_columns, package_columns
from desktop.storage.db import Store, now_iso


def _insert_sql(table: str, cols: list[str], *, upsert_key: tuple[str, ...] | None = None) -> str:
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    if upsert_key:
        sets = [f"{c} = excluded.{c}" for c in cols if c not in upsert_key] or [f"{upsert_key[0]} = excluded.{upsert_key[0]}"]
        sql += f" ON CONFLICT ({', '.join(upsert_key)}) DO UPDATE SET {', '.join(sets)}"
    return sql


def _plain(cols_pkg: list[str], local: list[str]) -> list[int]:
    return [cols_pkg.index(c) for c in local if c in cols_pkg]


def _delete_partition(conn: sqlite3.Connection, unit: str) -> None:
    for spec in reversed(COUNTY_SPECS):
        if spec.parent and not spec.owned_by_unit and not conn.execute(
                f"SELECT EXISTS (SELECT 1 FROM {spec.parent[2]} WHERE unit_code = ?)", (unit,)).fetchone()[0]:
            continue
        if spec.parent and not spec.owned_by_unit:
            fk, _, parent = spec.parent
            conn.execute(f"DELETE FROM {spec.name} WHERE {fk} IN (SELECT id FROM {parent} WHERE unit_code = ?)", (unit,))
        else:
            conn.execute(f"DELETE FROM {spec.name} WHERE unit_code = ?", (unit,))


def _insert_county_table(conn: sqlite3.Connection, spec: Spec, table: Table, unit: str,
                         uid_maps: dict[str, dict[str, int]], where: str) -> None:
    local = [c for c in local_columns(conn, spec.name) if c != "id"]
    pcols = table.columns
    travel = {spec.parent[0]: spec.parent[1]} if spec.parent else {}
    cols = [c for c in local if travel.get(c, c) in pcols]
    src = [pcols.index(travel.get(c, c)) for c in cols]
    same = src == list(range(len(pcols)))
    rows: list[list[Any]] = table.rows if same else [[r[i] for i in src] for r in table.rows]
    if spec.parent:
        fk, _, parent = spec.parent
        ids, fpos = uid_maps[parent], cols.index(fk)
        for r in rows:  # in place: the decoded tables are dropped after apply (Package.tables)
            ref = r[fpos]
            if ref is not None:
                if ref not in ids:
                    raise FileFormatError(f"{where}的“{spec.name}”中有记录引用了不存在的上级记录（{ref}）",
                                          detail="数据包内容不一致，请让报送单位重新导出。数据库未作改动。")
                r[fpos] = ids[ref]
    if "uid" in cols and "unit_code" in cols:
        # Ledger rows get explicit ids after the current maximum, so the uid → id map for the
        # children needs no query back.
        first = (conn.execute(f"SELECT max(id) FROM {spec.name}").fetchone()[0] or 0) + 1
        ids_new = range(first, first + len(rows))
        u = cols.index("uid")
        uid_maps[spec.name] = dict(zip((r[u] for r in rows), ids_new))
        conn.executemany(_insert_sql(spec.name, ["id", *cols]), ([i, *r] for i, r in zip(ids_new, rows)))
    else:
        conn.executemany(_insert_sql(spec.name, cols), rows)


def apply_county_package(store: Store, pkg: Package) -> None:
    """Replace the unit's partition with the package's snapshot (caller holds the transaction)."""
    conn, unit = store.conn, pkg.manifest["unit_code"]
    where = f"数据包“{pkg.path.name if pkg.path else ''}”"
    _delete_partition(conn, unit)
    uid_maps: dict[str, dict[str, int]] = {}
    try:
        _insert_all(conn, pkg, unit, uid_maps, where)
    finally:
        pkg.tables.clear()  # rows were rewritten in place (local ids); decode afresh if used again
    _update_received(conn, unit, pkg)


def _insert_all(conn: sqlite3.Connection, pkg: Package, unit: str, uid_maps: dict[str, dict[str, int]],
                where: str) -> None:
    for spec in COUNTY_SPECS:
        table = pkg.table(spec.name)
        if table is not None:
            try:
                _insert_county_table(conn, spec, table, unit, uid_maps, where)
            except (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.DataError, OverflowError) as exc:
                raise FileFormatError(f"{where}的“{spec.name}”数据不能写入：{exc}",
                                      detail="数据与本库的约束冲突（如记录标识重复）。数据库未作改动。") from None


def _int(v: object) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) and 1 <= v < 2**31 else 1


def _text(v: object) -> str | None:
    return v if isinstance(v, str) else None


def _update_received(conn: sqlite3.Connection, unit: str, pkg: Package) -> None:
    seq, now = pkg.manifest["sequence"], now_iso()
    periods = [p for p in pkg.manifest.get("periods", []) if isinstance(p, dict) and isinstance(p.get("period"), str)]
    conn.executemany(
        "INSERT INTO received_period(unit_code, period, state, version, submitted_at, first_sequence,"
        " first_received_at, last_sequence, last_received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (unit_code, period) DO UPDATE SET state = excluded.state, version = excluded.version,"
        " submitted_at = excluded.submitted_at, last_sequence = excluded.last_sequence,"
        " last_received_at = excluded.last_received_at,"
        " first_sequence = CASE WHEN received_period.state = 'submitted' THEN received_period.first_sequence"
        "   ELSE excluded.first_sequence END,"
        " first_received_at = CASE WHEN received_period.state = 'submitted' THEN received_period.first_received_at"
        "   ELSE excluded.first_received_at END",
        [(unit, p["period"], str(p.get("state", "open")), _int(p.get("version")), _text(p.get("submitted_at")),
          seq, now, seq, now) for p in periods])
    # A resubmission after the return resolves the note (the county's submission carries the note as
    # its reason once it has seen the return; timestamps alone can tie within a second).
    conn.execute(
        "UPDATE return_note SET resolved_at = ? WHERE unit_code = ? AND resolved_at IS NULL AND EXISTS ("
        " SELECT 1 FROM submission s WHERE s.unit_code = return_note.unit_code AND s.period = return_note.period"
        " AND s.state = 'submitted' AND (s.submitted_at > return_note.created_at OR s.reason = return_note.note))",
        (now, unit))


# -- municipal package into a county --------------------------------------------------------------
def _rows_for(spec: Spec, table: Table, own_unit: str) -> tuple[list[str], list[list[Any]]]:
    rows = table.rows
    if spec.owned_by_unit and "unit_code" in table.columns:
        u = table.columns.index("unit_code")
        rows = [r for r in rows if r[u] == own_unit]
    return table.columns, rows


def apply_municipal_package(store: Store, pkg: Package, *, operator: str) -> list[tuple[str, str]]:
    """Load the reference data; returns the (period, note) pairs newly returned to this unit."""
    conn, own = store.conn, store.unit_code or ""
    before = {r[0] for r in conn.execute("SELECT uid FROM return_note WHERE unit_code = ? AND uid IS NOT NULL", (own,))}
    returned: list[tuple[str, str]] = []
    notes = pkg.table("return_note")
    if notes is not None:
        cols, rows = _rows_for(SPEC_RETURN, notes, own)
        g = dict(zip(cols, range(len(cols))))
        for r in rows:
            if r[g["uid"]] not in before and r[g["resolved_at"]] is None:
                returned.append((r[g["period"]], r[g["note"]]))
    for period, note in returned:
        _mark_returned(store, own, period, note, operator)
    for spec in MUNICIPAL_SPECS:
        table = pkg.table(spec.name)
        if table is None:
            continue
        cols, rows = _rows_for(spec, table, own)
        local = [c for c in package_columns(conn, spec)]
        idx = _plain(cols, local)
        use = [c for c in local if c in cols]
        if spec.replace:
            if spec.owned_by_unit:
                conn.execute(f"DELETE FROM {spec.name} WHERE unit_code = ?", (own,))
            else:
                conn.execute(f"DELETE FROM {spec.name}")
        sql = _insert_sql(spec.name, use, upsert_key=None if spec.replace else spec.key)
        try:
            conn.executemany(sql, [[r[i] for i in idx] for r in rows])
        except (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.DataError, OverflowError) as exc:
            raise FileFormatError(f"市级数据包的“{spec.name}”数据不能写入：{exc}",
                                  detail="数据与本库的约束冲突。数据库未作改动。") from None
    return returned


SPEC_RETURN = next(s for s in MUNICIPAL_SPECS if s.name == "return_note")


def _mark_returned(store: Store, unit: str, period: str, note: str, operator: str) -> None:
    """Flag the period returned; the entry module's return_period audits it when it applies."""
    try:
        from desktop.storage.entry import return_period
    except ImportError:  # pragma: no cover - the entry module is part of the program
        return_period = None
    if return_period is not None:
        try:
            with store.atomic():
                return_period(store, unit, period, note=note, operator=operator)
            return
        except CbecError:
            pass  # e.g. the period was never submitted here: set the state directly below
    store.conn.execute(
        "INSERT INTO submission(unit_code, period, state, version, reason, updated_at) VALUES (?, ?, 'returned', 1, ?, ?)"
        " ON CONFLICT (unit_code, period) DO UPDATE SET state = 'returned', reason = excluded.reason,"
        " updated_at = excluded.updated_at", (unit, period, note, now_iso()))
