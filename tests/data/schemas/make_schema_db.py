"""Write schema_vN.sqlite3: a small county database at schema level N (kept for upgrade tests).

Run once when a schema is released: `python tests/data/schemas/make_schema_db.py N`.
The stored files are never regenerated afterwards — they are what old installations have.
"""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from desktop.storage.db import list_migrations  # noqa: E402
from desktop.storage.reference import load_reference  # noqa: E402


def main(level: int) -> Path:
    out = Path(__file__).with_name(f"schema_v{level}.sqlite3")
    out.unlink(missing_ok=True)
    conn = sqlite3.connect(out, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    for m in list_migrations():
        if m.number <= level:
            conn.executescript(f"BEGIN;\n{m.sql()}\n;PRAGMA user_version = {m.number};\nCOMMIT;")

    class _S:  # the minimum of Store that load_reference needs
        def __init__(self, c): self.conn = c
        def atomic(self):
            import contextlib
            @contextlib.contextmanager
            def cm():
                self.conn.execute("BEGIN"); yield self.conn; self.conn.execute("COMMIT")
            return cm()
        def set_setting(self, k, v):
            self.conn.execute("INSERT OR REPLACE INTO setting VALUES (?, ?)", (k, v))
    load_reference(_S(conn))
    conn.executescript("""
        BEGIN;
        INSERT INTO setting VALUES ('role', 'county'), ('unit_code', '411323'), ('operator', '张三');
        INSERT INTO park(uid, unit_code, name, initials, level, updated_at)
            VALUES ('p1', '411323', '西峡县跨境电商产业园', 'xxxkjdscyy', '县级', '2025-01-01T00:00:00+08:00');
        INSERT INTO enterprise(uid, unit_code, name, initials, credit_code, park_id, modes, updated_at)
            VALUES ('e1', '411323', '西峡香菇进出口有限公司', 'xxxgjckyxgs', '914403001922038216', 1, '9710', '2025-01-01T00:00:00+08:00');
        INSERT INTO enterprise_volume VALUES (1, 2024, 123456789);
        INSERT INTO indicator_value(unit_code, period, indicator_code, category, value, updated_at)
            VALUES ('411323', '2025-01', 'CBEC_EXPORT', '9710', 5000000, '2025-02-01T00:00:00+08:00');
        COMMIT;
    """)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("VACUUM")
    conn.close()
    return out


if __name__ == "__main__":
    print(main(int(sys.argv[1])))
