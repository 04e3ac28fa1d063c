"""Benchmark: `cbec demo --scale city` (target ≤ 20 s) and `--scale stress`, as a clerk runs them.

Run: .venv/bin/python tests/benchmarks/bench_demo.py [--runs 3] [--no-stress]
Each run is a subprocess on a fresh temporary data folder (init + demo). Baseline measured in the
same run: a bare sqlite3 executemany of the same rows (copied from the generated city database)
into an empty schema — the floor that any generator writing these rows has to pay.
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TABLES = ("park", "enterprise", "enterprise_volume", "base", "base_period", "warehouse", "livestream_base",
          "livestream_period", "o2o_store", "indicator_value", "submission", "task_progress", "return_note",
          "deadline")
TARGET_CITY_S = 20.0


def run_demo(scale: str, folder: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "desktop.cli", "--data-dir", str(folder), "demo", "--scale", scale,
                    "--json"], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t


def read_rows(db: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    conn = sqlite3.connect(db)
    out = {}
    for t in TABLES:
        cur = conn.execute(f"SELECT * FROM {t}")
        out[t] = ([d[0] for d in cur.description], cur.fetchall())
    conn.close()
    return out


def bare_insert(rows: dict[str, tuple[list[str], list[tuple]]], folder: Path) -> float:
    """Empty schema from the migrations, then one transaction of plain executemany."""
    from desktop.storage.db import list_migrations

    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "bare.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    for m in list_migrations():
        conn.executescript(m.sql())
    t = time.perf_counter()
    conn.execute("BEGIN")
    for table, (cols, data) in rows.items():
        conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", data)
    conn.execute("COMMIT")
    took = time.perf_counter() - t
    conn.close()
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-stress", action="store_true", help="skip the ~100,000-enterprise run")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_demo_"))
    try:
        city = [run_demo("city", work / f"city {i}") for i in range(a.runs)]
        rows = read_rows(work / "city 0" / "cbec.sqlite3")
        n_rows = sum(len(r) for _, r in rows.values())
        base = [bare_insert(rows, work / f"bare {i}") for i in range(a.runs)]
        stress = None if a.no_stress else run_demo("stress", work / "stress")
        n_stress = None
        if stress is not None:
            conn = sqlite3.connect(work / "stress" / "cbec.sqlite3")
            n_stress = sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)
            conn.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    b = statistics.median(base)
    c = statistics.median(city)
    print(f"\ncbec demo, {a.runs} runs each (subprocess: start + init + generate + write), medians")
    print(f"{'measure':52} {'rows':>9} {'median s':>9} {'× baseline':>11}")
    print(f"{'bare executemany of the city rows (baseline)':52} {n_rows:>9} {b:>9.2f} {1.0:>11.1f}")
    print(f"{'cbec demo --scale city':52} {n_rows:>9} {c:>9.2f} {c / b:>11.1f}")
    if stress is not None:
        print(f"{'cbec demo --scale stress (1 run)':52} {n_stress:>9} {stress:>9.2f} {stress / b:>11.1f}")
    print(f"\ncity runs: {', '.join(f'{x:.2f}' for x in city)} s; target ≤ {TARGET_CITY_S:.0f} s:"
          f" {'met' if c <= TARGET_CITY_S else 'NOT met'}")


if __name__ == "__main__":
    main()
