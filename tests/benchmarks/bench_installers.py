"""Benchmark: start-up of the frozen programs in build/dist/cbec (PyInstaller one-folder).

Run: .venv/bin/python tests/benchmarks/bench_installers.py [--runs 7]
Build the bundle first (installers/smoke.sh does, when stale). Measured from process launch:
  - `cbec --version`            vs the bare interpreter running `import argparse`
  - `cbec check` on demo data   vs bare sqlite3 PRAGMA integrity_check on the same database
  - GUI `--selftest` until "window shown" (offscreen) vs a bare PySide6 script that shows an
    empty QMainWindow — the floor any Qt window pays. Target: window within 3 s of launch.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "build" / "dist" / "cbec"
WINDOW_TARGET_S = 3.0
BARE_WINDOW = (
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication([])\nw = QMainWindow(); w.resize(1200, 800); w.show(); app.processEvents()\n"
    "print('selftest: window shown', flush=True)\n"
)


def until_line(cmd: list[str], marker: str, env: dict[str, str]) -> float:
    """Seconds from launch until `marker` appears on stdout; the process must then exit 0."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    seen = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if seen is None and line.startswith(marker):
            seen = time.perf_counter() - t
    if proc.wait() != 0 or seen is None:
        raise SystemExit(f"{cmd[0]} failed or never printed {marker!r}")
    return seen


def whole_run(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - t


def median_ms(fn, runs: int) -> float:
    fn()  # warm the page cache: a clerk's second start, and fair to both sides
    return statistics.median(fn() for _ in range(runs)) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    cbec, gui = BUNDLE / "cbec", BUNDLE / "cbec-desktop"
    if not (cbec.exists() and gui.exists()):
        print(f"no bundle in {BUNDLE}: run installers/smoke.sh (or pyinstaller installers/cbec.spec) first")
        return 2
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("CBEC_DATA_DIR", None)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "数据"
        subprocess.run([str(cbec), "--data-dir", str(data), "demo", "--scale", "county"], check=True,
                       capture_output=True)
        db = data / "cbec.sqlite3"
        py = sys.executable
        rows = [
            ("cbec --version", lambda: whole_run([str(cbec), "--version"], env),
             "python -c 'import argparse'", lambda: whole_run([py, "-c", "import argparse"], env)),
            ("cbec check (demo county)", lambda: whole_run([str(cbec), "--data-dir", str(data), "check"], env),
             "sqlite3 integrity_check", lambda: whole_run(
                 [py, "-c", f"import sqlite3; sqlite3.connect({str(db)!r}).execute('PRAGMA integrity_check').fetchall()"], env)),
            ("GUI launch → window", lambda: until_line([str(gui), "--data-dir", str(data), "--selftest"],
                                                       "selftest: window shown", env),
             "bare PySide6 QMainWindow", lambda: until_line([py, "-c", BARE_WINDOW], "selftest: window shown", env)),
        ]
        print(f"frozen bundle {BUNDLE} — median of {args.runs} runs after one warm-up\n")
        print(f"{'measure':<26}{'median ms':>10}   {'baseline':<28}{'median ms':>10}{'ratio':>8}")
        window_ms = 0.0
        for name, fn, base_name, base_fn in rows:
            ms, base_ms = median_ms(fn, args.runs), median_ms(base_fn, args.runs)
            print(f"{name:<26}{ms:>10.0f}   {base_name:<28}{base_ms:>10.0f}{ms / base_ms:>8.2f}")
            if name.startswith("GUI"):
                window_ms = ms
    ok = window_ms <= WINDOW_TARGET_S * 1000
    print(f"\nwindow within {WINDOW_TARGET_S:.0f} s of launch: {'yes' if ok else 'NO'} ({window_ms:.0f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
