"""`cbec` end to end in a temporary data folder: exit codes, JSON, refusals with nothing changed."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_county_json(capsys, data_dir):
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "init", "--unit", "411323", "--operator", "张三", "--json")
    assert code == 0
    res = json.loads(out)
    assert res["unit_name"] == "西峡县" and res["created"] is True and res["role"] == "county"
    assert (data_dir / "cbec.sqlite3").exists() and (data_dir / "keys").is_dir()
    assert any((data_dir / "keys").iterdir()), "init makes the installation's signing key"
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "init", "--unit", "411323", "--json")
    assert code == 0 and json.loads(out)["created"] is False


def test_init_refusals_exit_1(capsys, data_dir):
    assert run(capsys, "--data-dir", str(data_dir), "init", "--unit", "411323")[0] == 0
    db = data_dir / "cbec.sqlite3"
    before = list(sqlite3.connect(db).iterdump())
    code, _, err = run(capsys, "--data-dir", str(data_dir), "init", "--unit", "411324")
    assert code == 1 and "不能改为其他单位" in err
    code, _, err = run(capsys, "--data-dir", str(data_dir), "init", "--municipal")
    assert code == 1
    assert list(sqlite3.connect(db).iterdump()) == before
    code, _, err = run(capsys, "--data-dir", str(data_dir / "x"), "init", "--unit", "123456")
    assert code == 1 and "单位代码“123456”不存在" in err


def test_usage_errors_exit_2(capsys, data_dir):
    with pytest.raises(SystemExit) as e:
        main(["--data-dir", str(data_dir), "init"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["no-such-command"])
    assert e.value.code == 2


def test_figures_and_check(capsys, data_dir):
    run(capsys, "--data-dir", str(data_dir), "init", "--unit", "411323")
    conn = sqlite3.connect(data_dir / "cbec.sqlite3")
    conn.execute("INSERT INTO indicator_value VALUES ('411323', '2025-09', 'CBEC_EXPORT', '9610', 12345678, NULL, 'x', NULL)")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "figures", "--period", "2025-09", "--json")
    assert code == 0
    rows = {r["key"]: r for r in json.loads(out)["rows"]}
    assert rows["EXPORT"]["value"] == 12345678 and rows["VOLUME"]["ytd"] == 12345678
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "figures", "--period", "2025Q3")
    assert code == 0 and "西峡县" in out and "1,234.57" in out
    code, _, err = run(capsys, "--data-dir", str(data_dir), "figures", "--period", "2025-13")
    assert code == 1 and "期别" in err
    code, _, err = run(capsys, "--data-dir", str(data_dir), "figures", "--period", "2025", "--unit", "411324")
    assert code == 1 and "没有单位" in err
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "check", "--json")
    assert code == 0 and json.loads(out)["healthy"] is True


def test_check_finds_problems(capsys, data_dir):
    run(capsys, "--data-dir", str(data_dir), "init", "--unit", "411323")
    conn = sqlite3.connect(data_dir / "cbec.sqlite3")
    conn.execute("INSERT INTO enterprise(uid, unit_code, name, credit_code, updated_at)"
                 " VALUES ('u', '411324', '镇平某公司', '914403001922038217', 'x')")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "check")
    assert code == 1 and "不属于本单位" in out and "914403001922038217" in out


def test_missing_and_corrupt_database(capsys, data_dir):
    code, _, err = run(capsys, "--data-dir", str(data_dir), "figures", "--period", "2025")
    assert code == 1 and "还没有数据库" in err
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "cbec.sqlite3").write_bytes(b"garbage" * 1000)
    code, _, err = run(capsys, "--data-dir", str(data_dir), "check")
    assert code == 1 and "已损坏" in err
    assert (data_dir / "cbec.sqlite3").read_bytes() == b"garbage" * 1000


def test_cbec_data_dir_env_and_console_script(tmp_path):
    env = {**os.environ, "CBEC_DATA_DIR": str(tmp_path / "环境 变量")}
    exe = Path(sys.executable).with_name("cbec")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "desktop.cli"]
    r = subprocess.run([*cmd, "init", "--municipal", "--json"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["unit_code"] == "411300"
    assert (tmp_path / "环境 变量" / "cbec.sqlite3").exists()
