"""Which tables travel in packages, how rows are keyed across databases, and how they are read
from and written to a store. Columns come from the live schema (PRAGMA table_info), so a table
that gains a column in a later migration travels without code changes; a package of an older
schema simply lacks the column and the local default applies."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Spec:
    name: str
    key: tuple[str, ...]                      # identity of a row across databases (package columns)
    parent: tuple[str, str, str] | None = None  # (local fk column, package uid column, parent table)
    owned_by_unit: bool = True                # has unit_code (county partition / per-unit down rows)
    replace: bool = True                      # down: replace the rows (True) or only upsert (False)


# County partition, in insert order (parents before children).
COUNTY_SPECS: tuple[Spec, ...] = (
    Spec("park", ("uid",)),
    Spec("enterprise", ("uid",), parent=("park_id", "park_uid", "park")),
    Spec("enterprise_volume", ("enterprise_uid", "year"), parent=("enterprise_id", "enterprise_uid", "enterprise"),
         owned_by_unit=False),
    Spec("base", ("uid",)),
    Spec("base_period", ("base_uid", "period"), parent=("base_id", "base_uid", "base"), owned_by_unit=False),
    Spec("warehouse", ("uid",)),
    Spec("livestream_base", ("uid",)),
    Spec("livestream_period", ("base_uid", "period"), parent=("base_id", "base_uid", "livestream_base"),
         owned_by_unit=False),
    Spec("o2o_store", ("uid",)),
    Spec("indicator_value", ("period", "indicator_code", "category")),
    Spec("submission", ("period",)),
    Spec("task_progress", ("quarter", "plan_code", "task_no")),
)

# Municipal reference data sent down. Upsert-only tables are referenced by county rows, so rows
# missing from a package are left in place rather than deleted.
MUNICIPAL_SPECS: tuple[Spec, ...] = (
    Spec("unit", ("code",), owned_by_unit=False, replace=False),
    Spec("industry_belt", ("code",), owned_by_unit=False, replace=False),
    Spec("customs_mode", ("code",), owned_by_unit=False, replace=False),
    Spec("category_option", ("set_code", "code"), owned_by_unit=False, replace=False),
    Spec("indicator", ("code",), owned_by_unit=False, replace=False),
    Spec("plan", ("code",), owned_by_unit=False, replace=False),
    Spec("plan_metric", ("plan_code", "key"), owned_by_unit=False, replace=False),
    Spec("plan_target", ("plan_code", "metric_key", "year", "unit_code"), owned_by_unit=False),
    Spec("task", ("plan_code", "no"), owned_by_unit=False, replace=False),
    Spec("task_unit", ("plan_code", "task_no", "unit_code"), owned_by_unit=False),
    Spec("report_header", ("report_code",), owned_by_unit=False),
    Spec("deadline", ("period",), owned_by_unit=False),
    Spec("return_note", ("uid",)),
    Spec("unit_note", ("uid",)),
)

SPECS_BY_NAME = {s.name: s for s in COUNTY_SPECS + MUNICIPAL_SPECS}
_DROP = {"id"}


def local_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def package_columns(conn: sqlite3.Connection, spec: Spec) -> list[str]:
    """Columns as they travel: local ids dropped, the parent id replaced by the parent's uid."""
    cols = [c for c in local_columns(conn, spec.name) if c not in _DROP]
    if spec.parent:
        fk, uid_col, _ = spec.parent
        cols = [uid_col if c == fk else c for c in cols]
    return cols


def select_sql(conn: sqlite3.Connection, spec: Spec, *, unit_filter: bool) -> tuple[str, list[str]]:
    """SELECT of a table's rows in package columns, optionally limited to one unit (param ?)."""
    cols = package_columns(conn, spec)
    if spec.parent:
        fk, uid_col, parent = spec.parent
        exprs = [f"p.uid AS {uid_col}" if c == uid_col else f"t.{c}" for c in cols]
        if unit_filter and not spec.owned_by_unit:  # drive from the unit's parents (index on unit)
            sql = (f"SELECT {', '.join(exprs)} FROM {parent} p JOIN {spec.name} t ON t.{fk} = p.id"
                   " WHERE p.unit_code = ?")
        else:
            sql = f"SELECT {', '.join(exprs)} FROM {spec.name} t LEFT JOIN {parent} p ON p.id = t.{fk}"
            if unit_filter:
                sql += " WHERE t.unit_code = ?"
    else:
        sql = f"SELECT {', '.join('t.' + c for c in cols)} FROM {spec.name} t"
        if unit_filter:
            sql += " WHERE t.unit_code = ?"
    order = ", ".join(str(cols.index(c) + 1) for c in spec.key)
    return f"{sql} ORDER BY {order}", cols


def read_rows(conn: sqlite3.Connection, spec: Spec, unit_code: str | None) -> tuple[list[str], list[tuple[Any, ...]]]:
    sql, cols = select_sql(conn, spec, unit_filter=unit_code is not None)
    rows = conn.execute(sql, (unit_code,) if unit_code is not None else ()).fetchall()
    return cols, rows
