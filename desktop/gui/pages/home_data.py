"""What the home page shows, computed without Qt (so a worker thread can compute it too).

The figures are kept in figure_cache between runs: opening the program on unchanged data reads
them back instead of recomputing (any write to the engine's tables invalidates them). A prefetch
in a thread started before PySide6 was imported was tried and measured: GIL contention ate the
gain (bench_startup median equal with and without), so it is not done."""
from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from desktop.core.periods import Period

CITY_CODE = "411300"


class HomeData(NamedTuple):
    figures: Any                      # desktop.storage.figures.Figures
    money_unit: str                   # 万元 for a unit, 亿元 for the city
    this_year: list[tuple[str, int]]  # monthly VOLUME, January to the last full month
    last_year: list[tuple[str, int]]  # monthly VOLUME of the whole previous year
    unit_code: str | None = None      # None = the whole city
    today: date | None = None


def load_home_data(store, unit_code: str | None, today: date | None = None, *, use_cache: bool = True) -> HomeData:
    """Everything the home page shows, for the current year up to the last full month."""
    from desktop.storage import figure_cache
    from desktop.storage.figures import Figures, plan_figures_and_series

    period = Period.last_full_month(today)
    unit = None if unit_code in (None, CITY_CODE) else unit_code

    def compute() -> HomeData:
        y = period.year
        figs, (this_year, last_year) = plan_figures_and_series(
            store, period, unit, today=today, key="VOLUME",
            spans=((Period.month(y, 1), period), (Period.month(y - 1, 1), Period.month(y - 1, 12))))
        return HomeData(figs, "亿元" if unit is None else "万元", this_year, last_year, unit, today)

    def encode(d: HomeData) -> dict:
        return {"figures": d.figures.to_record(), "money_unit": d.money_unit,
                "this_year": d.this_year, "last_year": d.last_year}

    def decode(p: dict) -> HomeData:
        return HomeData(Figures.from_record(p["figures"]), p["money_unit"], [tuple(x) for x in p["this_year"]],
                        [tuple(x) for x in p["last_year"]], unit, today)

    if not use_cache:
        return compute()
    return figure_cache.cached(store, f"home:{unit or CITY_CODE}:{period}", compute, encode, decode)
