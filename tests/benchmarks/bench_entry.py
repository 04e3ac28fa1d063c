"""Benchmark: the 数据填报 grid on city-scale demo data (18 units, 2021 to last month).

Run: .venv/bin/python tests/benchmarks/bench_entry.py [--runs 50]
Measures opening a period (entry_grid), the validation behind each keystroke (validate_entry with
one typed value, and the grid model's set_value_text which also repaints), submit-state reads and
the task ledger. Baseline measured in the same run: a bare sqlite3 SELECT of the same unit's
indicator rows for the three periods the grid shows — the floor any grid has to pay.
Targets: a keystroke ≤ 50 ms (p95), opening a period ≤ 200 ms.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

UNIT = "411323"
KEYSTROKE_MS = 50.0
OPEN_MS = 200.0


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(len(xs) * 0.95) - 1)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    from desktop.core.periods import Period
    from desktop.gui.entry_model import EntryGridModel
    from desktop.storage import entry, tasks
    from desktop.storage.db import Store
    from desktop.storage.demo import generate_demo
    from desktop.storage.setup import init_data_dir

    app = QApplication.instance() or QApplication([])  # noqa: F841 — the model needs one
    folder = Path(tempfile.mkdtemp()) / "bench"
    init_data_dir(folder, role="municipal", operator="bench")
    store = Store.open(folder)
    t = time.perf_counter()
    generate_demo(store, scale="city", seed=1)
    print(f"city demo generated in {time.perf_counter() - t:.1f} s;"
          f" indicator_value rows: {store.scalar('SELECT count(*) FROM indicator_value'):,}")
    period = str(Period.last_full_month())
    p = Period.parse(period)
    periods = (period, str(p.previous()), str(p.same_period_last_year()))
    conn = store.conn

    def bare() -> None:
        conn.execute("SELECT period, indicator_code, category, value, comment FROM indicator_value"
                     " WHERE unit_code = ? AND period IN (?, ?, ?)", (UNIT, *periods)).fetchall()

    model = EntryGridModel(store)
    model.load(UNIT, period, read_only=False)  # municipal store: the model edits only in memory
    key = ("CBEC_EXPORT", "9710")
    texts = iter(str(1000 + i) for i in range(10 ** 6))
    rows = [
        ("bare SELECT of the grid's rows (baseline)", timed(bare, args.runs)),
        ("entry_grid: open a period", timed(lambda: entry.entry_grid(store, UNIT, period), args.runs)),
        ("validate_entry with one typed value", timed(
            lambda: entry.validate_entry(store, UNIT, period, {key: 12_345_600}), args.runs)),
        ("model keystroke: set_value_text + revalidate", timed(
            lambda: model.set_value_text(key, next(texts)), args.runs)),
        ("model load (open page period)", timed(lambda: model.load(UNIT, period, read_only=True), args.runs)),
        ("submission_state", timed(lambda: entry.submission_state(store, UNIT, period), args.runs)),
        ("task_ledger of a quarter", timed(lambda: tasks.task_ledger(store, UNIT, p.quarter_of()), args.runs)),
    ]
    base = statistics.median(rows[0][1])
    print(f"\n{'measure':48} {'median ms':>10} {'p95 ms':>8} {'× baseline':>11}")
    for name, xs in rows:
        med = statistics.median(xs)
        print(f"{name:48} {med:10.3f} {p95(xs):8.3f} {med / base:11.1f}")
    keystroke = p95(rows[3][1])
    opening = statistics.median(rows[4][1])
    ok = keystroke <= KEYSTROKE_MS and opening <= OPEN_MS
    print(f"\nkeystroke p95 {keystroke:.1f} ms (target ≤ {KEYSTROKE_MS:.0f}),"
          f" open period {opening:.1f} ms (target ≤ {OPEN_MS:.0f}): {'PASS' if ok else 'FAIL'}")
    store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
