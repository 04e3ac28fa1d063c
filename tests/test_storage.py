"""Migrations, upgrade path, reference data, init refusals."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop.core.errors import DatabaseError, NotInitialisedError, RoleError, SchemaTooNewError, ValidationError
from desktop.storage.db import Store, list_migrations, schema_version
from desktop.storage.paths import DataDir
from desktop.storage.reference import load_reference
from desktop.storage.setup import init_data_dir

SCHEMAS = Path(__file__).parent / "data" / "schemas"


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_migrations_are_numbered_without_duplicates():
    nums = [m.number for m in list_migrations()]
    assert nums == sorted(set(nums)) and nums[0] == 1


def test_every_migration_applies_from_empty():
    s = Store.memory()
    assert s.scalar("PRAGMA user_version") == schema_version()
    assert s.scalar("PRAGMA foreign_keys") == 1
    tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"unit", "enterprise", "indicator_value", "plan_target", "task_progress", "submission", "audit_log"} <= tables
    strict = s.scalar("SELECT count(*) FROM pragma_table_list WHERE strict = 0 AND name NOT LIKE 'sqlite_%'"
                      " AND type = 'table' AND name NOT LIKE '%_fts%'")
    assert strict == 0


def test_wal_and_pragmas(county_dir):
    s = Store.open(county_dir)
    assert s.scalar("PRAGMA journal_mode") == "wal"
    assert s.scalar("PRAGMA busy_timeout") == 5000
    s.close()


def test_reference_load_twice_is_identical(data_dir):
    init_data_dir(data_dir, role="municipal", operator="x")
    dd = DataDir(data_dir)
    before = dump(dd.db_path)
    with Store.open(dd) as s:
        load_reference(s)
    assert dump(dd.db_path) == before
    with Store.open(dd) as s:
        assert s.scalar("SELECT count(*) FROM unit WHERE code != '411300'") == 18
        assert s.scalar("SELECT count(*) FROM task") == 25
        assert s.scalar("SELECT count(*) FROM plan_target WHERE unit_code = '411300'") == 12
        assert s.get_setting("reference_version") == "1"


def test_second_plan_is_reference_data(county_store):
    from desktop.storage.figures import plan_for_year
    from desktop.storage.reference import load_plan

    assert plan_for_year(county_store, 2027) is None
    with county_store.atomic() as c:
        load_plan(c, {"code": "NY2026", "name": "后续行动计划", "start_year": 2026, "end_year": 2030,
                      "milestones": [2027, 2030], "metrics": [{"key": "VOLUME", "name": "跨境电商年交易额",
                      "unit": "元", "display_unit": "亿元", "basis": "annual", "comparison": "gt", "sort": 0}],
                      "targets": [{"metric_key": "VOLUME", "year": 2027, "unit_code": "411300", "value": 1}]}, None)
    assert plan_for_year(county_store, 2027).code == "NY2026"
    assert plan_for_year(county_store, 2025).code == "NY2021"


def test_newer_database_is_refused_untouched(county_dir):
    p = DataDir(county_dir).db_path
    conn = sqlite3.connect(p)
    conn.execute(f"PRAGMA user_version = {schema_version() + 1}")
    conn.close()
    before = p.read_bytes()
    with pytest.raises(SchemaTooNewError) as e:
        Store.open(county_dir)
    assert "高于本程序支持" in str(e.value)
    assert p.read_bytes() == before


def test_older_database_is_backed_up_and_upgraded(tmp_path):
    """Every stored database of a released schema opens, is backed up and upgraded."""
    stored = sorted(SCHEMAS.glob("schema_v*.sqlite3"))
    assert stored, "tests/data/schemas must keep a database of every released schema"
    for src in stored:
        d = tmp_path / src.stem
        d.mkdir()
        shutil.copy(src, d / "cbec.sqlite3")
        old = int(src.stem.split("_v")[1])
        with Store.open(d) as s:
            assert s.scalar("PRAGMA user_version") == schema_version()
            assert s.scalar("PRAGMA integrity_check") == "ok"
            assert s.scalar("SELECT count(*) FROM enterprise") >= 1  # data survived
        backups = list((d / "backups").glob("*.sqlite3"))
        if old < schema_version():
            assert backups and sqlite3.connect(backups[0]).execute("PRAGMA user_version").fetchone()[0] == old


def test_corrupt_database_is_refused(data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "cbec.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseError) as e:
        Store.open(data_dir)
    assert "已损坏" in str(e.value)
    assert (data_dir / "cbec.sqlite3").read_bytes().startswith(b"this is not")


def test_missing_database(data_dir):
    with pytest.raises(NotInitialisedError):
        Store.open(data_dir)


def test_init_refusals(county_dir, tmp_path):
    before = dump(DataDir(county_dir).db_path)
    with pytest.raises(RoleError):
        init_data_dir(county_dir, role="county", unit_code="411324")
    with pytest.raises(RoleError):
        init_data_dir(county_dir, role="municipal")
    assert dump(DataDir(county_dir).db_path) == before
    with pytest.raises(ValidationError) as e:
        init_data_dir(tmp_path / "new", role="county", unit_code="999999")
    assert "不存在" in str(e.value) and not (tmp_path / "new" / "cbec.sqlite3").exists()


def test_read_only_data_folder(tmp_path):
    import os

    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):  # root ignores permissions: use a path under a file instead
            target = tmp_path / "afile"
            target.write_text("x")
            ro = target / "sub"
        from desktop.core.errors import DataFolderError
        with pytest.raises(DataFolderError) as e:
            init_data_dir(ro, role="municipal")
        assert "无法写入" in str(e.value)
    finally:
        (tmp_path / "ro").chmod(0o700)


def test_atomic_rolls_back_nested(county_store):
    with pytest.raises(RuntimeError):
        with county_store.atomic():
            county_store.set_setting("a", "1")
            with county_store.atomic():
                county_store.set_setting("b", "2")
            raise RuntimeError
    assert county_store.get_setting("a") is None and county_store.get_setting("b") is None
    with county_store.atomic():
        county_store.set_setting("a", "1")
        with pytest.raises(RuntimeError):
            with county_store.atomic():
                county_store.set_setting("b", "2")
                raise RuntimeError
    assert county_store.get_setting("a") == "1" and county_store.get_setting("b") is None
