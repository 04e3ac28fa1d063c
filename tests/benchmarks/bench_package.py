"""Benchmark: data packages. Targets (issue 5): export of a county with 2,000 enterprises and five
years of monthly figures ≤ 0.5 s; import of 18 such packages into the municipal database ≤ 3 s in
all and ≤ 2× a bare executemany of the same rows into an empty copy of the schema (same run);
package size ≤ 1 MB.

Run: .venv/bin/python tests/benchmarks/bench_package.py [--runs 3]
"""
from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desktop.core.credit import make_valid  # noqa: E402
from desktop.exchange.package_export import export_package  # noqa: E402
from desktop.exchange.package_import import import_packages  # noqa: E402
from desktop.exchange.package_tables import COUNTY_SPECS  # noqa: E402
from desktop.storage.db import Store, connect, new_uid, now_iso  # noqa: E402
from desktop.storage.reference import unit_codes  # noqa: E402
from desktop.storage.setup import init_data_dir  # noqa: E402

ENTERPRISES = 2000
YEARS = range(2021, 2026)
EXPORT_CATS = ("9610", "9710", "9810", "1210", "OTHER")
IMPORT_CATS = ("9610", "1210", "1239", "OTHER")
TALENT_CATS = ("EXEC", "OPS", "TECH", "HOST", "OTHER")


def fill_county(store: Store, seed: int) -> None:
    """2,000 enterprises with five yearly volumes, parks, bases, and 60 months of figures."""
    rng, unit, now = random.Random(seed), store.unit_code, now_iso()
    with store.atomic() as c:
        for i in range(5):
            c.execute("INSERT INTO park(uid, unit_code, name, level, updated_at) VALUES (?, ?, ?, '市级', ?)",
                      (new_uid(), unit, f"第{i + 1}跨境电商产业园", now))
        parks = [r[0] for r in c.execute("SELECT id FROM park WHERE unit_code = ?", (unit,))]
        c.executemany(
            "INSERT INTO enterprise(uid, unit_code, name, credit_code, park_id, main_products, modes, contact, phone,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(new_uid(), unit, f"南阳市{unit}第{i:04d}号跨境电商有限公司",
              make_valid(f"91411300MA{seed % 100:02d}{i:05d}"), rng.choice(parks), "食用菌、中药材",
              "9610,9710", "联系人", f"1380377{i:04d}", now) for i in range(ENTERPRISES)])
        ids = [r[0] for r in c.execute("SELECT id FROM enterprise WHERE unit_code = ?", (unit,))]
        c.executemany("INSERT INTO enterprise_volume(enterprise_id, year, amount) VALUES (?, ?, ?)",
                      [(e, y, rng.randrange(100_000, 50_000_000)) for e in ids for y in YEARS])
        rows = []
        for y in YEARS:
            for m in range(1, 13):
                p = f"{y}-{m:02d}"
                rows += [(unit, p, "CBEC_EXPORT", k, rng.randrange(10**6, 10**9), None, now) for k in EXPORT_CATS]
                rows += [(unit, p, "CBEC_IMPORT", k, rng.randrange(10**5, 10**8), None, now) for k in IMPORT_CATS]
                rows += [(unit, p, ind, k, rng.randrange(0, 50), None, now)
                         for ind in ("TALENT_TRAINED", "TALENT_INTRODUCED") for k in TALENT_CATS]
                rows += [(unit, p, ind, "", rng.randrange(0, 500), None, now)
                         for ind in ("TRAINING_SESSIONS", "TRAINEES", "LIVESTREAM_SALES")]
                c.execute("INSERT INTO submission(unit_code, period, state, submitted_at, submitted_by, updated_at)"
                          " VALUES (?, ?, 'submitted', ?, '填表人', ?)", (unit, p, now, now))
        c.executemany("INSERT INTO indicator_value(unit_code, period, indicator_code, category, value, comment,"
                      " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bare_insert(template: Path, source_db: Path, target: Path) -> float:
    """The same rows (as the import left them) with executemany into an empty copy of the schema."""
    shutil.copytree(template, target)
    src = sqlite3.connect(source_db)
    data = {}
    for spec in COUNTY_SPECS:
        cur = src.execute(f"SELECT * FROM {spec.name}")
        data[spec.name] = ([d[0] for d in cur.description], cur.fetchall())
    src.close()
    conn = connect(target / "cbec.sqlite3")
    t = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for name, (cols, rows) in data.items():
        conn.executemany(f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t
    conn.close()
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-package-"))
    try:
        template = work / "city-empty"
        init_data_dir(template, role="municipal", operator="基准")
        with Store.open(template) as s:
            units = unit_codes(s)
        files, exports = [], []
        for n, unit in enumerate(units):
            folder = work / f"county-{unit}"
            init_data_dir(folder, role="county", unit_code=unit, operator="基准")
            with Store.open(folder) as store:
                fill_county(store, seed=n)
                files.append(export_package(store, work / "packages").path)  # also makes the key
                if n == 0:
                    for _ in range(args.runs):
                        exports.append(timed(lambda: export_package(store, work / "scratch")))
        sizes = [f.stat().st_size for f in files]
        imports, bares = [], []
        for r in range(args.runs):
            city = work / f"city-{r}"
            shutil.copytree(template, city)
            with Store.open(city) as store:
                imports.append(timed(lambda: import_packages(store, files)))
                rows = sum(store.scalar(f"SELECT count(*) FROM {s.name}") for s in COUNTY_SPECS)
            bares.append(bare_insert(template, city / "cbec.sqlite3", work / f"bare-{r}"))
        exp, imp, bare = statistics.median(exports), statistics.median(imports), statistics.median(bares)
        print(f"package benchmark: {len(files)} units × {ENTERPRISES} enterprises, 60 months; {rows:,} rows imported;"
              f" runs={args.runs}")
        print(f"{'measure':44} {'median':>10} {'target':>10} {'ok':>4}")
        print(f"{'export one county (s)':44} {exp:10.3f} {0.5:10.3f} {'yes' if exp <= 0.5 else 'NO':>4}")
        print(f"{'import 18 packages (s)':44} {imp:10.3f} {3.0:10.3f} {'yes' if imp <= 3 else 'NO':>4}")
        print(f"{'bare executemany of the same rows (s)':44} {bare:10.3f} {'':>10} {'':>4}")
        ratio = imp / bare
        print(f"{'ratio import / bare executemany':44} {ratio:10.2f} {2.0:10.2f} {'yes' if ratio <= 2 else 'NO':>4}")
        big = max(sizes) / 1024 / 1024
        print(f"{'largest package (MB)':44} {big:10.3f} {1.0:10.3f} {'yes' if big <= 1 else 'NO':>4}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
