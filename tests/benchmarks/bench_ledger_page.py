"""Benchmark: the 企业台账 page on stress-scale data (≈100,000 enterprises).

Run: .venv/bin/python tests/benchmarks/bench_ledger_page.py [--data-dir DIR] [--runs N]
The stress data folder is made once with `cbec --data-dir DIR demo --scale stress` and reused
(default DIR: $TMPDIR/cbec-bench-stress).

Targets (issue 3): open the page ≤ 200 ms; each search keystroke ≤ 50 ms p95 (text change →
model reset and repaint, debounce bypassed); scrolling to the end without a freeze (largest single
event-loop stall); peak RSS of the process ≤ 400 MB. Baseline measured in the same run: a bare
QTableView over a trivial QAbstractTableModel with the same number of rows.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))



KEYSTROKES = ["x", "xx", "xxx", "xxxg", "xxx", "xx", "x", "",          # pinyin initials, typed and erased
              "西", "西峡", "西峡香", "西峡香菇", "西峡香", "西峡", "西", "",   # Chinese name
              "9", "91", "914", "9141", "91411", "914113", "9141132", "91411323", "",  # credit code
              "有", "有限", "有限公", "有限公司", ""]
SCROLL_STEPS = 150


def ensure_data(data: Path) -> None:
    if (data / "cbec.sqlite3").exists():
        return
    t = time.perf_counter()
    cmd = [sys.executable, "-m", "desktop.cli", "--data-dir", str(data), "demo", "--scale", "stress"]
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    print(f"stress demo generated in {time.perf_counter() - t:.1f} s (reused next time)")


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def settle(app) -> None:
    app.processEvents()
    app.processEvents()


class Trivial:
    """The bare-Qt baseline: a model that answers from arithmetic, no database."""

    @staticmethod
    def make(n: int, cols: int):
        from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

        class Model(QAbstractTableModel):
            def __init__(self) -> None:
                super().__init__()
                self.n = n

            def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802
                return 0 if parent.isValid() else self.n

            def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802
                return 0 if parent.isValid() else cols

            def data(self, index, role=Qt.ItemDataRole.DisplayRole):
                if role == Qt.ItemDataRole.DisplayRole:
                    return f"{index.row()}-{index.column()}"
                return None

            def set_rows(self, k: int) -> None:
                self.beginResetModel()
                self.n = k
                self.endResetModel()

        return Model()


def scroll_stalls(app, view) -> list[float]:
    """Drag the scroll bar to the end in steps; the duration of each step's event processing."""
    bar = view.verticalScrollBar()
    stalls = []
    top = bar.maximum()
    for i in range(1, SCROLL_STEPS + 1):
        t = time.perf_counter()
        bar.setValue(top * i // SCROLL_STEPS)
        settle(app)
        stalls.append(time.perf_counter() - t)
    return stalls


def bench_baseline(app, n: int, cols: int, runs: int) -> dict[str, list[float]]:
    from PySide6.QtWidgets import QTableView

    out: dict[str, list[float]] = {"open": [], "key": [], "scroll": []}
    view = None
    for _ in range(runs):
        if view is not None:
            view.close()
            view.deleteLater()
            settle(app)
        t = time.perf_counter()
        model = Trivial.make(n, cols)
        view = QTableView()
        view.setModel(model)
        view.resize(1100, 700)
        view.show()
        settle(app)
        out["open"].append(time.perf_counter() - t)
    for k in KEYSTROKES:
        t = time.perf_counter()
        model.set_rows(n // (len(k) + 1))
        settle(app)
        out["key"].append(time.perf_counter() - t)
    model.set_rows(n)
    out["scroll"] = scroll_stalls(app, view)
    view.close()
    return out


def bench_page(app, ctx, runs: int) -> tuple[dict[str, list[float]], int, int]:
    from desktop.gui.pages.ledgers import LedgerPage

    out: dict[str, list[float]] = {"open": [], "key": [], "scroll": []}
    page = None
    for _ in range(runs):
        if page is not None:
            page.close()
            page.deleteLater()
            settle(app)
        t = time.perf_counter()
        page = LedgerPage(ctx, "enterprises")
        page.resize(1100, 700)
        page.refresh()
        page.show()
        settle(app)
        out["open"].append(time.perf_counter() - t)
    rows = page.model.rowCount()
    for k in KEYSTROKES:
        t = time.perf_counter()
        page.search.setText(k)
        page.apply_search()  # what the debounce timer calls
        settle(app)
        out["key"].append(time.perf_counter() - t)
    page.search.setText("")
    page.apply_search()
    page.table.setFocus()
    out["scroll"] = scroll_stalls(app, page.table)
    last = page.model.index(page.model.rowCount() - 1, 0).data()
    assert last, "the last row must be fetched and shown"
    cached = page.model.cached_count()
    page.close()
    return out, rows, cached


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", help="stress-scale data folder (made once when missing)")
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    data = Path(a.data_dir) if a.data_dir else Path(tempfile.gettempdir()) / "cbec-bench-stress"
    ensure_data(data)

    from PySide6.QtWidgets import QApplication

    from desktop.gui.context import AppContext
    from desktop.storage.db import Store
    from desktop.storage.paths import DataDir

    app = QApplication.instance() or QApplication([])
    store = Store.open(data)
    ctx = AppContext(store, DataDir(data))
    n = store.scalar("SELECT count(*) FROM enterprise WHERE deleted_at IS NULL")
    from desktop.gui.pages.ledgers import columns_for
    from desktop.core.ledgers import KINDS

    cols = len(columns_for(KINDS["enterprises"], municipal=ctx.is_municipal))
    base = bench_baseline(app, n, cols, a.runs)
    page, rows, cached = bench_page(app, ctx, a.runs)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"\n企业台账 page, {rows:,} enterprises ({store.role}), {a.runs} opens, {len(KEYSTROKES)} keystrokes,"
          f" {SCROLL_STEPS} scroll steps; times in ms")
    print(f"{'measure':40} {'median':>8} {'p95/max':>8} {'baseline':>9} {'× base':>7} {'target':>8}")
    lines = [
        ("open page (build + query + first paint)", page["open"], max(page["open"]), base["open"], "≤ 200"),
        ("search keystroke → reset + repaint", page["key"], p95(page["key"]), base["key"], "p95 ≤ 50"),
        ("scroll step (largest stall = max)", page["scroll"], max(page["scroll"]), base["scroll"], "no freeze"),
    ]
    for name, xs, tail, bs, target in lines:
        m, b = statistics.median(xs) * 1000, statistics.median(bs) * 1000
        print(f"{name:40} {m:8.1f} {tail * 1000:8.1f} {b:9.1f} {m / b if b else 0:7.1f} {target:>8}")
    fwd = [x for k, prev, x in zip(KEYSTROKES, [""] + KEYSTROKES, page["key"]) if len(k) > len(prev)]
    print(f"{'  of which typing forward (new query)':40} {statistics.median(fwd) * 1000:8.1f} {p95(fwd) * 1000:8.1f}")
    print(f"{'largest scroll stall, baseline':40} {max(base['scroll']) * 1000:8.1f}")
    print(f"peak RSS of the process: {rss_mb:.0f} MB (target ≤ 400); rows cached after scrolling: {cached:,}")
    ok = (statistics.median(page["open"]) <= 0.2 and p95(page["key"]) <= 0.05 and rss_mb <= 400)
    print("all targets met" if ok else "TARGET MISSED")


if __name__ == "__main__":
    main()
