"""Benchmark: plan figures for the whole city, one period, on city-scale demo data.

Run: .venv/bin/python tests/benchmarks/bench_figures.py [--data-dir DIR]
Target (issue 2): `cbec figures` for the city ≤ 0.3 s. Baseline: a bare sqlite3 GROUP BY over the
same indicator_value rows, measured in the same run.
"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", help="existing city-scale data folder (made when omitted)")
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    data = Path(a.data_dir) if a.data_dir else Path(tempfile.mkdtemp()) / "city"
    cbec = [sys.executable, "-m", "desktop.cli", "--data-dir", str(data)]
    if not (data / "cbec.sqlite3").exists():
        t = time.perf_counter()
        subprocess.run([*cbec, "demo", "--scale", "city"], check=True, capture_output=True, cwd=ROOT)
        print(f"city demo generated in {time.perf_counter() - t:.1f} s")

    from desktop.core.periods import Period
    from desktop.storage.db import Store
    from desktop.storage.figures import figures_by_unit, plan_figures

    store = Store.open(data)
    period = Period.parse("2025Q3")
    eng = timed(lambda: plan_figures(store, period, None), a.runs)
    byu = timed(lambda: figures_by_unit(store, period), a.runs)
    raw = sqlite3.connect(data / "cbec.sqlite3")
    base = timed(lambda: raw.execute(
        "SELECT indicator_code, category, period, SUM(value) FROM indicator_value WHERE period >= '2021'"
        " GROUP BY 1, 2, 3").fetchall(), a.runs)
    cli = timed(lambda: subprocess.run([*cbec, "figures", "--period", "2025Q3", "--json"], check=True,
                                       capture_output=True, cwd=ROOT), 3)
    n = store.scalar("SELECT count(*) FROM indicator_value")
    ents = store.scalar("SELECT count(*) FROM enterprise")
    print(f"\ncity scale: {ents} enterprises, {n} indicator values, {a.runs} runs, medians")
    print(f"{'measure':44} {'median s':>9} {'× baseline':>11}")
    b = statistics.median(base)
    for name, xs in [("bare sqlite GROUP BY (baseline)", base), ("plan_figures(city, 2025Q3)", eng),
                     ("figures_by_unit (18 units + city)", byu), ("`cbec figures` process incl. start-up", cli)]:
        m = statistics.median(xs)
        print(f"{name:44} {m:9.3f} {m / b:11.1f}")
    print("target: plan_figures(city) ≤ 0.300 s")


if __name__ == "__main__":
    main()
