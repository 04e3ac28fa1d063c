"""figure_cache: the home page's figures kept between runs, never older than the data."""
from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from desktop.gui.pages.home_data import load_home_data
from desktop.storage import figure_cache, figures, ledgers
from desktop.storage.db import Store, now_iso
from desktop.storage.entry import save_values
from desktop.storage.paths import DataDir

TODAY = date(2026, 12, 3)            # home page period 2026-11
UNIT = "411323"


def put_months(store, indicator: str, category: str, year: int, months: range, value: int) -> None:
    with store.atomic() as conn:
        conn.executemany(
            "INSERT INTO indicator_value(unit_code, period, indicator_code, category, value, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(UNIT, f"{year}-{m:02d}", indicator, category, value, now_iso()) for m in months])


@pytest.fixture
def store(county_store):
    put_months(county_store, "CBEC_EXPORT", "9710", 2025, range(1, 13), 800_000)
    put_months(county_store, "CBEC_EXPORT", "9710", 2026, range(1, 12), 1_000_000)
    return county_store


def counting_engine(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = figures.plan_figures_and_series

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(figures, "plan_figures_and_series", spy)
    return calls


def volume(data) -> int:
    return data.figures.row("VOLUME").ytd


def test_second_load_reads_the_cache_and_equals_a_fresh_computation(store, monkeypatch):
    calls = counting_engine(monkeypatch)
    first = load_home_data(store, UNIT, TODAY)
    second = load_home_data(store, UNIT, TODAY)
    assert len(calls) == 1                                    # the second came from figure_cache
    fresh = load_home_data(store, UNIT, TODAY, use_cache=False)
    assert second == fresh and first == fresh                 # every field, Decimals and milestones too
    assert volume(second) == 11 * 1_000_000
    assert store.scalar("SELECT key FROM figure_cache") == f"home:{UNIT}:2026-11"


def test_city_and_unit_and_month_are_separate_entries(store, monkeypatch):
    calls = counting_engine(monkeypatch)
    load_home_data(store, UNIT, TODAY)
    load_home_data(store, None, TODAY)
    load_home_data(store, UNIT, date(2026, 11, 3))            # October: another period
    assert len(calls) == 3
    assert load_home_data(store, None, TODAY).money_unit == "亿元" and len(calls) == 3


@pytest.mark.parametrize("change", ["entry", "delete_figure", "ledger_add", "ledger_delete", "target", "unit_name"])
def test_every_kind_of_write_invalidates(store, change, monkeypatch):
    before = load_home_data(store, UNIT, TODAY)
    gen = figure_cache.generation(store)
    if change == "entry":                                     # the clerk corrects November
        save_values(store, UNIT, "2026-11", {("CBEC_EXPORT", "9710"): 3_000_000}, operator="张三")
    elif change == "delete_figure":
        save_values(store, UNIT, "2026-11", {("CBEC_EXPORT", "9710"): None}, operator="张三")
    elif change == "ledger_add":
        ledgers.create(store, "parks", {"name": "西峡跨境电商产业园", "level": "市级", "certified_year": 2024},
                       operator="张三")
    elif change == "ledger_delete":
        pid = ledgers.create(store, "parks", {"name": "西峡跨境电商产业园", "level": "市级", "certified_year": 2024},
                             operator="张三")
        load_home_data(store, UNIT, TODAY)
        gen = figure_cache.generation(store)
        ledgers.delete(store, "parks", pid, operator="张三")
    elif change == "target":
        with store.atomic() as conn:
            conn.execute("INSERT INTO plan_target (plan_code, metric_key, unit_code, year, value)"
                         " VALUES ('NY2021', 'VOLUME', ?, 2026, 500000000)", (UNIT,))
    elif change == "unit_name":
        with store.atomic() as conn:
            conn.execute("UPDATE unit SET name = '西峡' WHERE code = ?", (UNIT,))
    assert figure_cache.generation(store) > gen
    calls = counting_engine(monkeypatch)
    after = load_home_data(store, UNIT, TODAY)
    assert len(calls) == 1 and after == load_home_data(store, UNIT, TODAY, use_cache=False)
    expected = {"entry": 10 * 1_000_000 + 3_000_000, "delete_figure": 10 * 1_000_000}
    if change in expected:
        assert volume(after) == expected[change] != volume(before)
    if change == "ledger_add":
        assert after.figures.row("PARKS").value == before.figures.row("PARKS").value + 1
    if change == "unit_name":
        assert after.figures.unit_name == "西峡"


def engine_tables() -> set[str]:
    """Every table the plan-figure engine reads, from its source."""
    source = Path(figures.__file__).read_text(encoding="utf-8")
    found = set(re.findall(r"\b(?:FROM|JOIN)\s+([a-z_]+)\b", source))
    found |= set(re.findall(r'\("[A-Z0-9_]+", "([a-z0-9_]+)", "[a-z_]+_year"', source))   # the ledger tables
    return found


def test_every_table_the_engine_reads_bumps_the_generation():
    tables = engine_tables()
    assert {"indicator_value", "enterprise", "park", "o2o_store", "plan_target"} <= tables
    s = Store.memory()
    triggers = {(r[0], r[1]) for r in s.conn.execute(
        "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_generation'")}
    for table in tables:
        for op in ("INSERT", "UPDATE", "DELETE"):
            assert any(t == table and f"AFTER {op} ON {table}" in sql for t, sql in triggers), (table, op)


def test_reference_data_loaded_again_changes_nothing(store):
    from desktop.storage.reference import load_reference

    gen = figure_cache.generation(store)
    load_reference(store)
    assert figure_cache.generation(store) == gen


def test_other_program_or_changed_engine_recomputes(store, monkeypatch):
    load_home_data(store, UNIT, TODAY)
    calls = counting_engine(monkeypatch)
    monkeypatch.setattr(figure_cache, "FORMAT", figure_cache.FORMAT + 1)
    load_home_data(store, UNIT, TODAY)
    assert len(calls) == 1
    assert store.scalar("SELECT count(*) FROM figure_cache") == 1   # the old program's entry is gone


def test_write_during_computation_is_not_cached(store, monkeypatch):
    real = figures.plan_figures_and_series

    def busy_clerk(*args, **kwargs):   # another connection commits while the figures are computed
        other = sqlite3.connect(store.data_dir.db_path)
        other.execute("UPDATE indicator_value SET value = value + 1 WHERE period = '2026-11'")
        other.commit()
        other.close()
        return real(*args, **kwargs)
    monkeypatch.setattr(figures, "plan_figures_and_series", busy_clerk)
    load_home_data(store, UNIT, TODAY)
    assert store.scalar("SELECT count(*) FROM figure_cache") == 0


def test_read_only_database_still_shows_figures(store, county_dir):
    load_home_data(store, UNIT, date(2026, 10, 3))            # something cached already
    from desktop.storage.db import connect

    ro = Store(connect(DataDir(county_dir).db_path, readonly=True), DataDir(county_dir))
    try:
        data = load_home_data(ro, UNIT, TODAY)                # a miss: computed, not stored
        assert volume(data) == 11 * 1_000_000
        assert not figure_cache.put(ro, "x", 0, {})
    finally:
        ro.close()


def test_cache_keeps_only_entries_of_the_current_data(store):
    for month in range(1, 12):
        load_home_data(store, UNIT, date(2026, month + 1, 3))
    assert store.scalar("SELECT count(*) FROM figure_cache") == 11
    put_months(store, "CBEC_IMPORT", "1210", 2026, range(1, 2), 1)
    load_home_data(store, UNIT, TODAY)
    assert store.scalar("SELECT count(*) FROM figure_cache") == 1


def test_local_only_migrations_change_no_exchanged_table_and_packages_say_so(county_store, tmp_path):
    """Migration 0004 (this cache) touches no table that travels in packages, so packages keep
    the exchange schema level and an older program still reads a newer program's packages."""
    from desktop.exchange.package_export import export_package
    from desktop.exchange.package_format import read_package
    from desktop.exchange.package_tables import COUNTY_SPECS, MUNICIPAL_SPECS
    from desktop.storage.db import LOCAL_ONLY_MIGRATIONS, exchange_schema_version, list_migrations, schema_version

    exchanged = {s.name for s in (*COUNTY_SPECS, *MUNICIPAL_SPECS)}
    for m in list_migrations():
        if m.number in LOCAL_ONLY_MIGRATIONS:
            touched = set(re.findall(r"\b(?:CREATE TABLE|ALTER TABLE|DROP TABLE)\s+(\w+)", m.sql()))
            assert touched and not touched & exchanged, (m.path.name, touched & exchanged)
    assert exchange_schema_version() == 3 < schema_version()
    result = export_package(county_store, tmp_path, operator="张三")
    assert read_package(result.path).manifest["schema_version"] == 3
