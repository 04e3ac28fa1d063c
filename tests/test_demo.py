"""Demo data (`cbec demo`): reproducible, plausible magnitudes, valid codes, healthy checks, refusals."""
from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core import credit
from desktop.core.errors import RoleError, ValidationError
from desktop.core.text import initials
from desktop.storage.checks import run_checks
from desktop.storage.db import Store
from desktop.storage.demo import DEMO_SETTING, generate_demo
from desktop.storage.setup import init_data_dir

TODAY = date(2025, 12, 15)          # last full month 2025-11, complete years 2021-2024
DEMO_TABLES = ("park", "enterprise", "enterprise_volume", "base", "base_period", "warehouse", "livestream_base",
               "livestream_period", "o2o_store", "indicator_value", "submission", "task_progress", "return_note",
               "deadline")
YI = 100_000_000


def dump(store: Store) -> dict[str, list[tuple]]:
    return {t: sorted(store.conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in DEMO_TABLES}


def county(path: Path, unit: str = "411323") -> Store:
    init_data_dir(path, role="county", unit_code=unit, operator="张三")
    return Store.open(path)


def volume(store: Store, year: int, unit: str | None = None) -> int:
    sql = ("SELECT sum(value) FROM indicator_value WHERE indicator_code IN ('CBEC_EXPORT', 'CBEC_IMPORT')"
           " AND period LIKE ?" + (" AND unit_code = ?" if unit else ""))
    return store.scalar(sql, (f"{year}-%", unit) if unit else (f"{year}-%",)) or 0


# -- county scale ------------------------------------------------------------------------------

@pytest.fixture
def county_demo(county_store: Store) -> tuple[Store, dict]:
    summary = generate_demo(county_store, scale="county", seed=7, today=TODAY)
    return county_store, summary


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path, county_demo) -> None:
    first, _ = county_demo
    with county(tmp_path / "二") as second, county(tmp_path / "三") as third:
        generate_demo(second, scale="county", seed=7, today=TODAY)
        generate_demo(third, scale="county", seed=8, today=TODAY)
        a, b, c = dump(first), dump(second), dump(third)
        assert all(a[t] for t in DEMO_TABLES)
        assert a == b
        assert a["enterprise"] != c["enterprise"] and a["indicator_value"] != c["indicator_value"]
        assert json.loads(second.get_setting(DEMO_SETTING)) == {"scale": "county", "seed": 7, "today": "2025-12-15"}


def test_county_counts_and_periods(county_demo) -> None:
    store, summary = county_demo
    assert summary["units"] == 1 and summary["last_period"] == "2025-11"
    assert json.dumps(summary)  # JSON-serialisable
    assert store.scalar("SELECT count(DISTINCT unit_code) FROM enterprise") == 1
    assert store.scalar("SELECT count(*) FROM enterprise") == summary["enterprises"] == 3200
    assert 3 <= store.scalar("SELECT count(*) FROM park") <= 6
    for table in ("base", "warehouse", "livestream_base", "o2o_store", "base_period", "livestream_period"):
        assert store.scalar(f"SELECT count(*) FROM {table}") > 0, table
    # 59 months x (5 export + 4 import + 2 x 5 talent + sessions, trainees, livestream), 19 quarters incubated.
    assert store.scalar("SELECT count(DISTINCT period) FROM indicator_value WHERE period NOT LIKE '%Q%'") == 59
    assert store.scalar("SELECT count(*) FROM indicator_value WHERE period = '2025-11'") == 22
    assert store.scalar("SELECT count(*) FROM indicator_value WHERE indicator_code = 'INCUBATED'") == 19
    assert store.scalar("SELECT count(*) FROM indicator_value WHERE indicator_code LIKE 'RAIL%'") == 0
    assert store.scalar("SELECT min(period) || max(period) FROM indicator_value WHERE period NOT LIKE '%Q%'") \
        == "2021-012025-11"
    # 西峡 is one of the largest units: tens of 亿元 a year, growing.
    assert 25 * YI < volume(store, 2024) < 50 * YI
    assert volume(store, 2021) < volume(store, 2023) < volume(store, 2024)


def test_county_enterprises_are_plausible(county_demo) -> None:
    store, _ = county_demo
    rows = store.query("SELECT * FROM enterprise")
    assert all(credit.is_valid(r["credit_code"]) and r["credit_code"][2:8] == "411323" for r in rows)
    assert len({r["credit_code"] for r in rows}) == len(rows)
    assert all(r["initials"] == initials(r["name"]) and r["initials"] for r in rows)
    assert all(r["modes"] == ",".join(sorted(r["modes"].split(","))) for r in rows)
    known = [r for r in rows if r["known"]]
    assert 1 <= len(known) <= 2  # 知名企业 are few: the plan asks for 6 city-wide by 2025
    assert all(2019 <= r["known_year"] <= 2025 for r in known)
    brought = [r for r in rows if r["brought_in"]]
    assert brought and all(r["brought_in_year"] and r["brought_in_origin"] for r in brought)
    mushroom = sum(r["belt_code"] == "MUSHROOM" for r in rows)
    assert mushroom > len(rows) / 2 and any("香菇" in r["name"] for r in rows)
    assert all(r["contact"] and r["phone"] for r in rows)
    years = {y for (y,) in store.conn.execute("SELECT DISTINCT year FROM enterprise_volume")}
    assert years == {2021, 2022, 2023, 2024}
    # The roster covers most, not all, of the year's volume.
    roster = store.scalar("SELECT sum(amount) FROM enterprise_volume WHERE year = 2024")
    assert 0.8 * volume(store, 2024) < roster < volume(store, 2024)
    assert store.scalar("SELECT count(*) FROM park WHERE certified_year NOT BETWEEN 2019 AND 2025") == 0


def test_county_submissions_deadlines_tasks(county_demo) -> None:
    store, _ = county_demo
    states = dict(store.conn.execute("SELECT period, state FROM submission"))
    months = [p for p in states if "Q" not in p]
    assert len(months) == 58 and "2025-11" not in states and set(states.values()) == {"submitted"}
    assert len(states) - len(months) == 19 and "2025Q3" in states  # quarterly returns 2021Q1..2025Q3
    assert store.scalar("SELECT count(*) FROM submission WHERE version = 2 AND reason LIKE '按市综试办退回意见更正%'") == 1
    assert store.scalar("SELECT count(*) FROM return_note WHERE resolved_at IS NOT NULL") == 1
    assert store.scalar("SELECT due_date FROM deadline WHERE period = '2024-12'") == "2025-01-10"
    assert store.scalar("SELECT due_date FROM deadline WHERE period = '2025Q3'") == "2025-10-10"
    tasks = {n for (n,) in store.conn.execute("SELECT DISTINCT task_no FROM task_progress")}
    assert tasks == {2, 3, 4, 5, 6, 8, 20, 21, 22, 23}
    assert store.scalar("SELECT count(DISTINCT quarter) FROM task_progress") == 19  # 2021Q1..2025Q3
    assert store.scalar("SELECT count(*) FROM task_progress WHERE status != '未启动' AND progress = ''") == 0
    assert {s for (s,) in store.conn.execute("SELECT DISTINCT status FROM task_progress")} >= {"推进中", "已完成"}


def test_county_check_is_healthy(county_demo) -> None:
    report = run_checks(county_demo[0])
    assert report.healthy, report.items


# -- refusals -----------------------------------------------------------------------------------

def test_county_database_refuses_city_and_stress(county_store: Store) -> None:
    for scale in ("city", "stress"):
        with pytest.raises(RoleError, match="只能生成本单位的演示数据"):
            generate_demo(county_store, scale=scale, seed=1, today=TODAY)
    with pytest.raises(ValidationError, match="规模“huge”无效"):
        generate_demo(county_store, scale="huge", seed=1, today=TODAY)
    assert county_store.scalar("SELECT count(*) FROM enterprise") == 0


def test_municipal_database_refuses_county_scale(municipal_store: Store) -> None:
    with pytest.raises(RoleError, match="不能生成单个县区规模"):
        generate_demo(municipal_store, scale="county", seed=1, today=TODAY)
    assert municipal_store.scalar("SELECT count(*) FROM indicator_value") == 0


def test_filled_database_is_refused_and_unchanged(county_demo) -> None:
    store, _ = county_demo
    before = dump(store)
    with pytest.raises(ValidationError, match="已有数据，演示数据只能生成到新的数据文件夹"):
        generate_demo(store, scale="county", seed=99, today=TODAY)
    assert dump(store) == before


def test_one_typed_figure_is_enough_to_refuse(county_store: Store) -> None:
    with county_store.atomic() as conn:
        conn.execute("INSERT INTO indicator_value (unit_code, period, indicator_code, category, value, updated_at)"
                     " VALUES ('411323', '2025-01', 'TRAINEES', '', 12, '2025-02-03T10:00:00+08:00')")
    with pytest.raises(ValidationError, match="已有数据"):
        generate_demo(county_store, scale="county", seed=1, today=TODAY)
    assert county_store.scalar("SELECT count(*) FROM indicator_value") == 1
    assert county_store.scalar("SELECT count(*) FROM enterprise") == 0
    assert county_store.get_setting(DEMO_SETTING) is None


def test_cli_demo_then_refusal(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "演示 数据"
    assert main(["--data-dir", str(folder), "demo", "--unit", "411324", "--seed", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scale"] == "county" and out["units"] == 1 and out["enterprises"] == 4200
    assert main(["--data-dir", str(folder), "demo"]) == 1
    assert "已有数据" in capsys.readouterr().err
    assert main(["--data-dir", str(folder), "demo", "--scale", "city"]) == 1
    capsys.readouterr()
    # the same demo again (the README's first command run twice) changes nothing and succeeds
    assert main(["--data-dir", str(folder), "demo", "--unit", "411324", "--seed", "3"]) == 0
    assert "演示数据已存在" in capsys.readouterr().out
    assert main(["--data-dir", str(folder), "check"]) == 0


# -- city scale (once) --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("city") / "市级 数据"
    init_data_dir(path, role="municipal", operator="李四")
    store = Store.open(path)
    t0 = time.perf_counter()
    summary = generate_demo(store, scale="city", seed=2021, today=TODAY)
    seconds = time.perf_counter() - t0
    yield store, summary, seconds
    store.close()


def test_city_scale_size_and_speed(city) -> None:
    store, summary, seconds = city
    assert seconds <= 25
    assert summary["units"] == 18
    assert 19_000 <= store.scalar("SELECT count(*) FROM enterprise") <= 21_000
    assert store.scalar("SELECT count(DISTINCT unit_code) FROM enterprise") == 18
    assert store.scalar("SELECT count(DISTINCT unit_code) FROM indicator_value") == 18
    zone = dict(store.conn.execute("SELECT unit_code, min(substr(credit_code, 3, 6)) FROM enterprise"
                                   " WHERE unit_code IN ('411371', 'Z01') GROUP BY 1"))
    assert zone == {"411371": "411300", "Z01": "411303"}
    assert run_checks(store).healthy


def test_city_magnitudes_meet_the_plan(city) -> None:
    store = city[0]
    for year, low, high in ((2021, 90, 95), (2023, 130, 140), (2025, 140, 158)):   # 2025: Jan-Nov only
        assert low * YI < volume(store, year) < high * YI, year
    ranking = [u for u, _ in store.conn.execute(
        "SELECT unit_code, sum(value) v FROM indicator_value WHERE indicator_code IN ('CBEC_EXPORT', 'CBEC_IMPORT')"
        " AND period LIKE '2024-%' GROUP BY 1 ORDER BY v DESC")]
    assert set(ranking[:2]) == {"411323", "411324"}
    for year, parks, known in ((2021, 1, 2), (2023, 3, 4), (2025, 6, 6)):
        assert store.scalar("SELECT count(*) FROM park WHERE status = '运营' AND certified_year <= ?", (year,)) >= parks
        assert store.scalar("SELECT count(*) FROM enterprise WHERE known = 1 AND known_year <= ?", (year,)) >= known
    talent = store.scalar("SELECT sum(value) FROM indicator_value WHERE indicator_code IN"
                          " ('TALENT_TRAINED', 'TALENT_INTRODUCED') AND period < '2026'")
    assert talent > 3000


def test_city_rail_only_in_bonded_zone(city) -> None:
    store = city[0]
    assert {u for (u,) in store.conn.execute(
        "SELECT DISTINCT unit_code FROM indicator_value WHERE indicator_code LIKE 'RAIL%'")} == {"Z01"}
    pairs = store.conn.execute(
        "SELECT t.value, e.value FROM indicator_value t JOIN indicator_value e ON e.unit_code = t.unit_code"
        " AND e.period = t.period AND e.indicator_code = 'RAIL_TEU' WHERE t.indicator_code = 'RAIL_TRAINS'").fetchall()
    assert len(pairs) == 59 and all(teu > 0 for trains, teu in pairs if trains > 0)
    assert sum(trains for trains, _ in pairs if trains) > 100


def test_city_submissions(city) -> None:
    store = city[0]
    last = dict(store.conn.execute("SELECT unit_code, state FROM submission WHERE period = '2025-11'"))
    assert len(last) == 15 and list(last.values()).count("returned") == 1
    missing = {u for (u,) in store.conn.execute("SELECT code FROM unit WHERE code != '411300'")} - set(last)
    assert store.scalar(f"SELECT count(*) FROM indicator_value WHERE period = '2025-11' AND unit_code IN"
                        f" ({','.join('?' * len(missing))})", tuple(missing)) == 0
    assert store.scalar(f"SELECT count(*) FROM base_period p JOIN base b ON b.id = p.base_id WHERE p.period = '2025-11'"
                        f" AND b.unit_code IN ({','.join('?' * len(missing))})", tuple(missing)) == 0
    returned = store.query("SELECT * FROM submission WHERE state = 'returned'")[0]
    assert returned["reason"] and store.scalar(
        "SELECT note FROM return_note WHERE unit_code = ? AND period = '2025-11' AND resolved_at IS NULL",
        (returned["unit_code"],)) == returned["reason"]
    days = [int(d) for (d,) in store.conn.execute("SELECT substr(submitted_at, 9, 2) FROM submission")]
    assert sum(d < 10 for d in days) > 0.8 * len(days) and any(d > 10 for d in days)
    assert store.scalar("SELECT count(*) FROM submission WHERE submitted_at IS NULL") == 0


def test_county_data_equals_its_share_of_city_data(city, tmp_path: Path) -> None:
    with county(tmp_path / "镇平", "411324") as store:
        generate_demo(store, scale="county", seed=2021, today=TODAY)
        own = store.conn.execute("SELECT name, credit_code FROM enterprise ORDER BY id").fetchall()
        figures = store.conn.execute("SELECT period, indicator_code, category, value FROM indicator_value"
                                     " WHERE period < '2025-11' ORDER BY 1, 2, 3").fetchall()
    city_store = city[0]
    assert own == city_store.conn.execute(
        "SELECT name, credit_code FROM enterprise WHERE unit_code = '411324' ORDER BY id").fetchall()
    assert figures == city_store.conn.execute(
        "SELECT period, indicator_code, category, value FROM indicator_value WHERE unit_code = '411324'"
        " AND period < '2025-11' ORDER BY 1, 2, 3").fetchall()


def test_failure_while_writing_leaves_nothing(county_store: Store, monkeypatch) -> None:
    from desktop.storage import demo

    real = demo._Generator._deadlines

    def broken(self) -> None:   # deadlines are written last: everything before them must roll back
        real(self)
        self.sink.add("deadline", ("2025-12", "十二月十日"))

    monkeypatch.setattr(demo._Generator, "_deadlines", broken)
    with pytest.raises(Exception, match="CHECK constraint failed"):
        generate_demo(county_store, scale="county", seed=1, today=TODAY)
    assert all(county_store.scalar(f"SELECT count(*) FROM {t}") == 0 for t in DEMO_TABLES)
    assert county_store.get_setting(DEMO_SETTING) is None
    assert not county_store.conn.in_transaction
