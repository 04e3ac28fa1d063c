"""What the home page shows, computed without Qt — and computed early: the entry point starts
`start_prefetch` before it imports PySide6, so the figure engine's SQL (which releases the GIL)
runs while Qt loads and the window is built."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from desktop.core.periods import Period
from desktop.storage.paths import DataDir

log = logging.getLogger(__name__)
CITY_CODE = "411300"


@dataclass(frozen=True)
class HomeData:
    figures: Any                      # desktop.storage.figures.Figures
    money_unit: str                   # 万元 for a unit, 亿元 for the city
    this_year: list[tuple[str, int]]  # monthly VOLUME, January to the last full month
    last_year: list[tuple[str, int]]  # monthly VOLUME of the whole previous year
    unit_code: str | None = None      # None = the whole city
    today: date | None = None


def load_home_data(store, unit_code: str | None, today: date | None = None) -> HomeData:
    """Everything the home page shows, for the current year up to the last full month."""
    from desktop.storage.figures import monthly_series, plan_figures

    period = Period.last_full_month(today)
    unit = None if unit_code in (None, CITY_CODE) else unit_code
    figs = plan_figures(store, period, unit, today=today)
    y = period.year
    this_year = monthly_series(store, "VOLUME", unit, Period.month(y, 1), period)
    last_year = monthly_series(store, "VOLUME", unit, Period.month(y - 1, 1), Period.month(y - 1, 12))
    return HomeData(figs, "亿元" if unit is None else "万元", this_year, last_year, unit, today)


class _Prefetch(threading.Thread):
    def __init__(self, dd: DataDir) -> None:
        super().__init__(name="home-prefetch", daemon=True)
        self.dd = dd
        self.result: HomeData | None = None

    def run(self) -> None:
        try:
            self.result = _compute(self.dd)
        except Exception:  # noqa: BLE001 — the page simply computes again and shows any error
            log.warning("home page prefetch failed", exc_info=True)


def _compute(dd: DataDir) -> HomeData | None:
    from desktop.storage.db import Store, connect, schema_version

    # Read-only, and only when no migration is due: the GUI thread's Store.open migrates.
    conn = connect(dd.db_path, readonly=True)
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] != schema_version():
            return None
        store = Store(conn, dd)
        role, unit = store.role, store.unit_code
        if role is None:
            return None
        return load_home_data(store, None if role == "municipal" else unit)
    finally:
        conn.close()


_prefetch: _Prefetch | None = None


def start_prefetch(dd: DataDir) -> None:
    """Begin computing the home page's data for the database in `dd` in a background thread."""
    global _prefetch
    if dd.db_path.exists():
        _prefetch = _Prefetch(dd)
        _prefetch.start()


def take_prefetched(dd: DataDir, unit_code: str | None, today: date | None) -> HomeData | None:
    """The prefetched data if it is for this folder, unit and day; used once, then dropped."""
    global _prefetch
    job, _prefetch = _prefetch, None
    if job is None or job.dd.root != dd.root:
        return None
    job.join(30)
    data = job.result
    unit = None if unit_code in (None, CITY_CODE) else unit_code
    if data is None or data.unit_code != unit or today is not None:
        return None
    if data.figures.period != Period.last_full_month():
        return None
    return data
