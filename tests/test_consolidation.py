"""Municipal consolidation: deadlines, cross-unit checks, ownership notes sent down, rekey."""
from __future__ import annotations

import json
from datetime import date

import pytest

from desktop.exchange.consolidation import county_notes_text, cross_checks, decide_credit_owner, due_date
from desktop.exchange.package_import import import_packages
from desktop.storage.db import Store
from test_package_support import export, make_county, make_municipal, run_cli


@pytest.fixture(scope="module")
def two_units(tmp_path_factory):
    root = tmp_path_factory.mktemp("consol")
    return {u: make_county(root, u, seed=4) for u in ("411321", "411330")}


def test_due_date_default_and_table(municipal_store):
    assert due_date(municipal_store, "2025-09") == date(2025, 10, 10)
    assert due_date(municipal_store, "2025Q4") == date(2026, 1, 10)
    with municipal_store.atomic() as conn:
        conn.execute("INSERT INTO deadline(period, due_date) VALUES ('2025-09', '2025-10-15')")
    assert due_date(municipal_store, "2025-09") == date(2025, 10, 15)


def test_ownership_decision_travels_down_to_the_other_unit(two_units, tmp_path, capsys):
    city = make_municipal(tmp_path)
    files = [export(f, tmp_path / "up") for f in two_units.values()]
    with Store.open(city) as store:
        import_packages(store, files)
        code = store.scalar("SELECT credit_code FROM enterprise WHERE unit_code = '411321' ORDER BY id LIMIT 1")
        with store.atomic() as conn:
            conn.execute("UPDATE enterprise SET credit_code = ? WHERE id = (SELECT min(id) FROM enterprise"
                         " WHERE unit_code = '411330')", (code,))
        found = [f for f in cross_checks(store) if f.kind == "duplicate_credit"]
        assert len(found) == 1 and found[0].units == ["411321", "411330"]
        assert {h["unit_code"] for h in found[0].detail["holders"]} == {"411321", "411330"}
        assert decide_credit_owner(store, code, "411321", operator="李四") == ["411330"]
        with pytest.raises(Exception, match="没有同时出现"):
            decide_credit_owner(store, "914403001922038216", "411321", operator="李四")
    down = export(city, tmp_path / "down")
    for unit, expected in (("411330", 1), ("411321", 0)):
        county = tmp_path / f"c{unit}"
        import shutil

        shutil.copytree(two_units[unit], county)
        rc, out, err = run_cli(capsys, "--data-dir", county, "package", "import", down)
        assert rc == 0, err
        with Store.open(county) as cs:
            assert cs.scalar("SELECT count(*) FROM unit_note") == expected
            text = county_notes_text(cs)
            assert ("【企业归属核定】" in text) == bool(expected)
            assert "已登记的市级签名密钥指纹" in text
            if expected:
                assert code in text and "南召县" in text


def test_volume_and_declared_totals_checks(two_units, tmp_path):
    city = make_municipal(tmp_path)
    pkg = export(two_units["411330"], tmp_path / "up")
    with Store.open(city) as store:
        result = import_packages(store, [pkg])
        assert not [f for f in result.findings if f["kind"] == "declared_totals"]
        with store.atomic() as conn:
            conn.execute("UPDATE enterprise_volume SET amount = amount + 10000000000000 WHERE year = 2024"
                         " AND enterprise_id = (SELECT min(id) FROM enterprise WHERE unit_code = '411330')")
        vol = [f for f in cross_checks(store, ["411330"]) if f.kind == "volume_vs_ledger"]
        assert len(vol) == 1 and vol[0].detail["year"] == 2024 and "桐柏县2024年企业名录交易额合计" in vol[0].message
        declared = {"411330": {"indicator_totals": {"2025-09": {"CBEC_EXPORT": 1}}}}
        bad = [f for f in cross_checks(store, ["411330"], declared=declared) if f.kind == "declared_totals"]
        assert len(bad) == 1 and "2025-09 CBEC_EXPORT：报送 1" in bad[0].message


def test_rekey_lets_a_reinstalled_county_start_again(two_units, tmp_path, capsys):
    city = make_municipal(tmp_path)
    first = export(two_units["411321"], tmp_path / "up")
    assert run_cli(capsys, "--data-dir", city, "package", "import", first)[0] == 0
    fresh = make_county(tmp_path / "reinstalled", "411321", seed=4)
    again = export(fresh, tmp_path / "up2")
    rc, _, err = run_cli(capsys, "--data-dir", city, "package", "import", again)
    assert rc == 1 and "与已登记的密钥不同" in err
    rc, out, _ = run_cli(capsys, "--data-dir", city, "units", "rekey", "411321", "--json")
    assert rc == 0 and json.loads(out)["unit_code"] == "411321"
    rc, out, err = run_cli(capsys, "--data-dir", city, "package", "import", again)
    assert rc == 0 and "首次收到该单位数据包" in out, err
    rc, out, _ = run_cli(capsys, "--data-dir", city, "units", "list")
    assert rc == 0 and "411321 南召县：密钥" in out and "411322 方城县：未登记密钥" in out
    rc, _, err = run_cli(capsys, "--data-dir", city, "units", "rekey", "411322")
    assert rc == 1 and "还没有登记签名密钥" in err


def test_verify_and_export_json(two_units, tmp_path, capsys):
    rc, out, _ = run_cli(capsys, "--data-dir", two_units["411330"], "package", "export", "-o", tmp_path, "--json")
    assert rc == 0
    info = json.loads(out)
    assert info["unit_code"] == "411330" and info["bytes"] > 0 and len(info["fingerprint"]) == 39
    rc, out, _ = run_cli(capsys, "package", "verify", info["path"], "--json")
    assert rc == 0
    v = json.loads(out)
    assert v["ok"] and v["sequence"] == info["sequence"] and v["fingerprint"] == info["fingerprint"]
    assert {m["name"] for m in v["members"]} >= {"data/enterprise.jsonl", "data/indicator_value.jsonl"}
    bad = tmp_path / "x.cbecpkg"
    bad.write_bytes(b"PK\x03\x04garbage")
    rc, out, err = run_cli(capsys, "package", "verify", bad, "--json")
    assert rc == 1 and "不完整或已损坏" in json.loads(out.splitlines()[0])["error"]


def test_cli_status_and_assign(two_units, tmp_path, capsys):
    city = make_municipal(tmp_path)
    files = [export(f, tmp_path / "up") for f in two_units.values()]
    assert run_cli(capsys, "--data-dir", city, "package", "import", *files)[0] == 0
    with Store.open(city) as store:
        code = store.scalar("SELECT credit_code FROM enterprise WHERE unit_code = '411321' ORDER BY id LIMIT 1")
        with store.atomic() as conn:
            conn.execute("UPDATE enterprise SET credit_code = ? WHERE id = (SELECT min(id) FROM enterprise"
                         " WHERE unit_code = '411330')", (code,))
    rc, out, err = run_cli(capsys, "--data-dir", city, "package", "status", "--year", "2025", "--urge", "2025-08")
    assert rc == 0, err
    assert "南召县" in out and "方城县" in out and "尚未报送2025年8月" in out and code in out
    rc, out, _ = run_cli(capsys, "--data-dir", city, "package", "status", "--year", "2025", "--json")
    data = json.loads(out)
    assert len(data["units"]) == 18 and data["periods"][0] == "2025-01"
    assert [f["kind"] for f in data["findings"]].count("duplicate_credit") == 1
    spaced = " ".join([code[:6], code[6:12].lower(), code[12:]])
    rc, out, err = run_cli(capsys, "--data-dir", city, "units", "assign", spaced, "--unit", "411330")
    assert rc == 0 and "南召县" in out, err
    with Store.open(city) as store:
        assert store.scalar("SELECT unit_code FROM unit_note") == "411321"
    rc, _, err = run_cli(capsys, "--data-dir", two_units["411321"], "package", "status")
    assert rc == 1 and "只在市级" in err
