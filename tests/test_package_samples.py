"""Stored packages of every released format import into today's schema; an older schema is
upgraded on import (missing columns take local defaults, missing tables are left alone)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from desktop.exchange.keys import ensure_keypair
from desktop.exchange.package_format import FORMAT_VERSION, MIN_FORMAT_VERSION
from desktop.storage.db import Store
from desktop.storage.setup import init_data_dir
from test_package_support import make_municipal, members_of, resign, run_cli, write_zip

SAMPLES = Path(__file__).parent / "data" / "packages"


def test_a_sample_exists_for_every_released_format():
    for v in range(MIN_FORMAT_VERSION, FORMAT_VERSION + 1):
        assert (SAMPLES / f"format{v}_county_411330.cbecpkg").exists()
        assert (SAMPLES / f"format{v}_municipal_411300.cbecpkg").exists()


@pytest.mark.parametrize("version", range(MIN_FORMAT_VERSION, FORMAT_VERSION + 1))
def test_county_sample_imports(tmp_path, capsys, version):
    sample = SAMPLES / f"format{version}_county_411330.cbecpkg"
    city = make_municipal(tmp_path)
    code, out, err = run_cli(capsys, "--data-dir", city, "package", "verify", sample)
    assert code == 0 and "签名有效" in out
    code, out, err = run_cli(capsys, "--data-dir", city, "package", "import", sample)
    assert code == 0, err
    manifest = json.loads(members_of(sample)["manifest.json"])
    rows = {m["table"]: m["rows"] for m in manifest["members"]}
    with Store.open(city) as store:
        assert store.scalar("SELECT count(*) FROM enterprise WHERE unit_code = '411330'") == rows["enterprise"]
        assert store.scalar("SELECT count(*) FROM indicator_value WHERE unit_code = '411330'") == rows["indicator_value"]
        assert store.scalar("SELECT format_version FROM package_log WHERE direction = 'in'") == version


@pytest.mark.parametrize("version", range(MIN_FORMAT_VERSION, FORMAT_VERSION + 1))
def test_municipal_sample_imports_and_returns_period(tmp_path, capsys, version):
    sample = SAMPLES / f"format{version}_municipal_411300.cbecpkg"
    county = tmp_path / "county"
    init_data_dir(county, role="county", unit_code="411330", operator="王五")
    code, out, err = run_cli(capsys, "--data-dir", county, "package", "import", sample)
    assert code == 0, err
    with Store.open(county) as store:
        assert store.scalar("SELECT state FROM submission WHERE period = '2025-08'") == "returned"
        assert store.scalar("SELECT note FROM return_note WHERE period = '2025-08'") == "请补充说明"
        assert store.scalar("SELECT due_date FROM deadline WHERE period = '2025-10'") == "2025-11-10"


def _drop_column(data: bytes, column: str) -> bytes:
    lines = data.decode().rstrip("\n").split("\n")
    head = json.loads(lines[0])
    i = head["columns"].index(column)
    del head["columns"][i]
    out = [json.dumps(head, ensure_ascii=False)]
    for line in lines[1:]:
        row = json.loads(line)
        del row[i]
        out.append(json.dumps(row, ensure_ascii=False))
    return ("\n".join(out) + "\n").encode()


def test_older_schema_is_upgraded_on_import(tmp_path, capsys):
    """A package of schema 1 lacks columns and tables added later: defaults fill them in."""
    sample = SAMPLES / "format1_county_411330.cbecpkg"
    members = members_of(sample)
    man = json.loads(members["manifest.json"])
    name = "data/enterprise.jsonl"
    members[name] = _drop_column(members[name], "credit_override")
    for m in man["members"]:
        if m["name"] == name:
            m["sha256"], m["bytes"] = hashlib.sha256(members[name]).hexdigest(), len(members[name])
    man = dict(man, schema_version=1, sequence=5)
    old = write_zip(tmp_path / "旧结构.cbecpkg", resign(members, man, ensure_keypair(tmp_path / "old-pc")))
    city = make_municipal(tmp_path)
    code, out, err = run_cli(capsys, "--data-dir", city, "package", "import", old)
    assert code == 0, err
    with Store.open(city) as store:
        assert store.scalar("SELECT count(*) FROM enterprise WHERE unit_code = '411330'") == man["members"][
            [m["name"] for m in man["members"]].index(name)]["rows"]
        assert store.scalar("SELECT DISTINCT credit_override FROM enterprise WHERE unit_code = '411330'") == 0
        assert store.scalar("SELECT schema_version FROM package_log") == 1
