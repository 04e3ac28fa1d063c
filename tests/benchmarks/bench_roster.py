"""Roster import/export speed.

    .venv/bin/python tests/benchmarks/bench_roster.py [--runs 3]

1. Import a generated 5,000-row enterprise roster (.xlsx) into a fresh county database:
   read + plan + one-transaction apply. Target: median ≤ 3 s. Baseline: a bare openpyxl
   read-only pass over the same file.
2. Export the ~20,000 enterprises of `cbec demo --scale city` to .xlsx. Target: median ≤ 1.3×
   a bare openpyxl write_only loop over the same cells, measured in the same run.

Wall-clock and CPU (process) time are both measured; the verdicts use CPU time, which does not
move when other jobs share the machine (the team machine has 2 cores); wall time is printed too.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from openpyxl import Workbook, load_workbook  # noqa: E402

from desktop.core.credit import make_valid  # noqa: E402
from desktop.exchange.roster import import_file  # noqa: E402
from desktop.exchange.roster_write import _export_rows, export_ledger  # noqa: E402
from desktop.storage import ledgers as L  # noqa: E402
from desktop.storage.db import Store  # noqa: E402
from desktop.storage.setup import init_data_dir  # noqa: E402

IMPORT_ROWS = 5_000
IMPORT_TARGET_S = 3.0
EXPORT_TARGET_RATIO = 1.3
BELTS = ["食用菌", "艾草", "玉雕工艺品", "仿真花", "纺织服装"]
MODES = ["9610", "9710", "9710、9810", "9610、1210", "9810"]


def make_roster(path: Path, n: int) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业名录")
    ws.append(["西峡县跨境电商企业名录"])
    ws.append(["序号", "企业名称", "统一社会信用代码", "所属园区", "所属产业带", "经营模式",
               "是否知名企业", "认定年份", "联系电话", "2024年跨境电商交易额（万元）", "2025年跨境电商交易额（万元）"])
    for i in range(n):
        known = i % 50 == 0
        ws.append([i + 1, f"西峡县第{i}号跨境电商贸易有限公司", make_valid(f"91411323MA4{i:06d}"),
                   "西峡跨境电商产业园" if i % 3 == 0 else None, BELTS[i % 5], MODES[i % 5],
                   "是" if known else "否", 2023 if known else None, f"1380000{i:04d}",
                   f"{(i % 997) * 12.5:,.2f}", (i % 431) * 3])
    ws.append(["合计"])
    ws.append(["填表人：张三", None, "审核人：李四"])
    wb.save(path)
    return path


def timed(fn) -> tuple[float, float]:
    """(wall, cpu) seconds of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def bench_import(tmp: Path, runs: int) -> list[tuple[str, float, str]]:
    roster = make_roster(tmp / "roster.xlsx", IMPORT_ROWS)

    def bare_read() -> None:
        wb = load_workbook(roster, read_only=True, data_only=True)
        for ws in wb.worksheets:
            for _ in ws.iter_rows(values_only=True):
                pass
        wb.close()

    ours, bare = [], []
    for run in range(runs):
        dd = tmp / f"county{run}"
        init_data_dir(dd, role="county", unit_code="411323", operator="张三")
        with Store.open(dd) as store:
            L.create(store, "parks", {"name": "西峡跨境电商产业园", "level": "省级"}, operator="张三")
            result: list = []
            ours.append(timed(lambda: result.append(import_file(store, roster, "enterprises", operator="张三")[1])))
            assert result[0].added == IMPORT_ROWS and not result[0].rejected, result[0].summary()
        bare.append(timed(bare_read))
    (mw, mc), (bw, bc) = medians(ours), medians(bare)
    verdict = "OK" if mc <= IMPORT_TARGET_S else "SLOW"
    return [("import 5,000 rows (read+plan+apply)", mw, mc,
             f"{mc / bc:.2f}× bare read (cpu); target ≤ {IMPORT_TARGET_S:.0f} s: {verdict}"),
            ("  baseline: openpyxl read_only pass", bw, bc, "")]


def bench_export(tmp: Path, runs: int) -> list[tuple[str, float, str]]:
    from desktop.cli import main as cli_main

    dd = tmp / "city"
    assert cli_main(["--data-dir", str(dd), "demo", "--scale", "city", "--json"]) == 0
    with Store.open(dd) as store:
        ids = L.list_ids(store, "enterprises")
        from desktop.core.ledgers import KINDS
        cells = list(_export_rows(store, KINDS["enterprises"], ids, sorted(
            r[0] for r in store.conn.execute("SELECT DISTINCT year FROM enterprise_volume")), True))

        def bare_write() -> None:
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("企业台账")
            for row in cells:
                ws.append(row)
            wb.save(tmp / "bare.xlsx")

        ours, bare = [], []
        for _ in range(runs):
            bare.append(timed(bare_write))
            ours.append(timed(lambda: export_ledger(store, "enterprises", tmp / "export.xlsx")))
    (mw, mc), (bw, bc) = medians(ours), medians(bare)
    verdict = "OK" if mc / bc <= EXPORT_TARGET_RATIO else "SLOW"
    return [(f"export {len(ids):,} rows × {len(cells[0])} columns", mw, mc,
             f"{mc / bc:.2f}× bare write_only (cpu), {mw / bw:.2f}× (wall); target ≤ {EXPORT_TARGET_RATIO}×: {verdict}"),
            ("  baseline: openpyxl write_only loop", bw, bc, "")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        rows = bench_import(tmp, args.runs) + bench_export(tmp, args.runs)
    print(f"\n{'benchmark':<44}{'wall s':>8}{'cpu s':>8}  median of {args.runs} runs; ratio / target")
    for name, wall, cpu, note in rows:
        print(f"{name:<44}{wall:>8.3f}{cpu:>8.3f}  {note}")
    return 0 if all("SLOW" not in r[3] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
