"""Reference data (units, belts, modes, indicator catalogue, plans, targets, tasks, report
headers) from db/reference/*.json, loaded idempotently: loading twice gives the same database."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from desktop.core.errors import ReferenceDataError
from desktop.storage.db import Store
from desktop.storage.paths import resource_root

CITY_CODE = "411300"


def reference_dir() -> Path:
    return resource_root() / "db" / "reference"


def _read(name: str, folder: Path) -> Any:
    path = folder / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReferenceDataError(f"基础数据文件“{path}”无法读取：{exc}") from None


def bundled_version(folder: Path | None = None) -> int:
    return int(_read("version.json", folder or reference_dir())["reference_version"])


def _upsert(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]], key: tuple[str, ...]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    values = [c for c in cols if c not in key]
    # An unchanged row is not rewritten: loading the same reference data again changes nothing,
    # not even the change counter that invalidates cached figures (migration 0004).
    if values:
        conflict = (f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in values)}"
                    f" WHERE ({', '.join(values)}) IS NOT ({', '.join(f'excluded.{c}' for c in values)})")
    else:
        conflict = "DO NOTHING"
    sql = (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        f" ON CONFLICT ({', '.join(key)}) {conflict}"
    )
    conn.executemany(sql, [tuple(r[c] for c in cols) for r in rows])


def load_plan(conn: sqlite3.Connection, plan: dict[str, Any], tasks: dict[str, Any] | None) -> None:
    """Insert or update one plan with metrics, targets and tasks (also used for plans sent down)."""
    _upsert(conn, "plan", [{
        "code": plan["code"], "name": plan["name"], "doc_no": plan.get("doc_no"),
        "start_year": plan["start_year"], "end_year": plan["end_year"],
        "milestones": json.dumps(plan["milestones"]),
    }], ("code",))
    _upsert(conn, "plan_metric", [{"plan_code": plan["code"], **m} for m in plan.get("metrics", [])],
            ("plan_code", "key"))
    _upsert(conn, "plan_target", [{"plan_code": plan["code"], **t} for t in plan.get("targets", [])],
            ("plan_code", "metric_key", "year", "unit_code"))
    if not tasks:
        return
    task_rows, unit_rows = [], []
    for t in tasks["tasks"]:
        task_rows.append({
            "plan_code": plan["code"], "no": t["no"], "section": t["section"], "title": t["title"],
            "summary": t["summary"], "lead": "、".join(t["lead"]), "responsible": "、".join(t["responsible"]),
            "all_units": int(bool(t["all_units"])),
            "subtasks": json.dumps(t.get("subtasks", []), ensure_ascii=False),
        })
        unit_rows += [{"plan_code": plan["code"], "task_no": t["no"], "unit_code": u} for u in t.get("units", [])]
    _upsert(conn, "task", task_rows, ("plan_code", "no"))
    conn.execute("DELETE FROM task_unit WHERE plan_code = ?", (plan["code"],))
    _upsert(conn, "task_unit", unit_rows, ("plan_code", "task_no", "unit_code"))


def load_reference(store: Store, folder: Path | None = None) -> int:
    """Load every bundled reference file in one transaction; returns the reference version."""
    folder = folder or reference_dir()
    version = bundled_version(folder)
    with store.atomic() as conn:
        _upsert(conn, "unit", _read("units.json", folder)["units"], ("code",))
        _upsert(conn, "industry_belt", _read("belts.json", folder)["belts"], ("code",))
        _upsert(conn, "customs_mode", _read("customs_modes.json", folder)["modes"], ("code",))
        _upsert(conn, "category_option", _read("categories.json", folder)["category_options"], ("set_code", "code"))
        _upsert(conn, "indicator", _read("indicators.json", folder)["indicators"], ("code",))
        _upsert(conn, "report_header", _read("report_headers.json", folder)["report_headers"], ("report_code",))
        for plan in _read("plans.json", folder)["plans"]:
            tasks = _read(plan["tasks_file"], folder) if plan.get("tasks_file") else None
            load_plan(conn, plan, tasks)
        store.set_setting("reference_version", str(version))
    return version


def unit_codes(store: Store) -> list[str]:
    """The 18 reporting units in display order (not the city itself)."""
    return [r[0] for r in store.conn.execute(
        "SELECT code FROM unit WHERE code != ? AND active = 1 ORDER BY sort", (CITY_CODE,))]
