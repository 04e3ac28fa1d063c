"""Report speed (issue 4).

    .venv/bin/python tests/benchmarks/bench_reports.py [--runs 3]

Data: `cbec demo` (county scale for 西峡县; city scale, ~20,000 enterprises, for the municipal
office), generated once into a temporary folder. Times are medians of --runs runs; fonts are
registered once before timing (a running program does that once too).

1. One county report, 表1 for 2025Q3, PDF + XLSX                    target ≤ 0.5 s
2. The county set 1–8 for 2025Q3 (every format each has)            target ≤ 3 s
3. The municipal set 9–11 for 2025Q3 on city-scale data             target ≤ 3 s
4. 表2 enterprise roster of the whole city as XLSX                  target ≤ 1.3 × baseline:
   a bare openpyxl write_only loop appending the same cell values (already converted) and saving
5. The same roster as PDF                                           target ≤ 10 s
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from openpyxl import Workbook  # noqa: E402

from desktop.reporting.fonts import find_fonts  # noqa: E402
from desktop.reporting.model import excel_value  # noqa: E402
from desktop.reporting.pdf import pdf_bytes  # noqa: E402
from desktop.reporting.registry import build_report, list_reports, write_report  # noqa: E402
from desktop.reporting.xlsx import xlsx_bytes  # noqa: E402
from desktop.storage.db import Store  # noqa: E402
from desktop.storage.demo import generate_demo  # noqa: E402
from desktop.storage.setup import init_data_dir  # noqa: E402

PERIOD = "2025Q3"
TODAY = date(2025, 11, 20)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def median_of(fn, runs: int) -> float:
    return statistics.median(timed(fn) for _ in range(runs))


def write_set(store: Store, codes: list[str], out: Path) -> None:
    for code in codes:
        write_report(store, build_report(store, code, PERIOD), out)


def bare_openpyxl(rows: list[list[object]]) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("baseline")
    for row in rows:
        ws.append(row)
    wb.save(io.BytesIO())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    runs = ap.parse_args().runs
    find_fonts()
    results: list[tuple[str, float, str, bool]] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        init_data_dir(tmp_path / "county", role="county", unit_code="411323", operator="基准")
        init_data_dir(tmp_path / "city", role="municipal", operator="基准")
        county, city = Store.open(tmp_path / "county"), Store.open(tmp_path / "city")
        generate_demo(county, scale="county", seed=2021, today=TODAY)
        generate_demo(city, scale="city", seed=2021, today=TODAY)
        out = tmp_path / "out"

        t = median_of(lambda: write_set(county, ["T1"], out), runs)
        results.append(("表1 PDF+XLSX（县）", t, "≤ 0.50 s", t <= 0.5))
        codes = [s.code for s in list_reports("county")]
        t = median_of(lambda: write_set(county, codes, out), runs)
        results.append(("表1—8 全套（县，季报）", t, "≤ 3.00 s", t <= 3.0))
        t = median_of(lambda: write_set(city, ["T9", "T10", "T11"], out), runs)
        results.append(("表9—11 全套（市，全市数据）", t, "≤ 3.00 s", t <= 3.0))

        roster = build_report(city, "T2", PERIOD)
        table = roster.tables[0]
        cells = [[excel_value(c, r, v) for c, v in zip(table.columns, r.values)] for r in table.rows]
        xlsx = statistics.median(timed(lambda: xlsx_bytes(roster)) for _ in range(runs))
        base = statistics.median(timed(lambda: bare_openpyxl(cells)) for _ in range(runs))
        ratio = xlsx / base
        results.append((f"表2 名录XLSX {len(table.rows):,}行", xlsx, f"≤ 1.3× 基线 {base:.2f} s（{ratio:.2f}×）",
                        ratio <= 1.3))
        fonts = find_fonts()
        t = median_of(lambda: pdf_bytes(roster, fonts), max(1, min(runs, 2)))
        results.append((f"表2 名录PDF {len(table.rows):,}行", t, "≤ 10.00 s", t <= 10.0))
        county.close()
        city.close()
    print(f"{'场景':<28}{'中位数(s)':>10}  目标")
    for name, secs, target, ok in results:
        print(f"{name:<28}{secs:>10.3f}  {target}  {'通过' if ok else '未达标'}")
    return 0 if all(ok for *_, ok in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
