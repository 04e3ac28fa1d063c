"""Audit log: who changed which row when, with the row before and after (JSON)."""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from desktop.storage.db import now_iso


def record(
    conn: sqlite3.Connection,
    *,
    operator: str,
    table: str,
    row_key: str | int,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO audit_log(at, operator, table_name, row_key, action, before, after, reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            now_iso(),
            operator,
            table,
            str(row_key),
            action,
            None if before is None else json.dumps(before, ensure_ascii=False, default=str),
            None if after is None else json.dumps(after, ensure_ascii=False, default=str),
            reason,
        ),
    )
