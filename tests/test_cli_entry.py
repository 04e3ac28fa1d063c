"""`cbec entry` and `cbec task`: figures and task progress without the window."""
from __future__ import annotations

import json

from desktop.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_entry_set_show_check_submit_reopen(capsys, county_dir):
    d = ["--data-dir", str(county_dir)]
    assert run(capsys, *d, "entry", "set", "--period", "2025-09", "CBEC_EXPORT.9610=1,234.5", "TRAINEES=120")[0] == 0
    code, out, _ = run(capsys, *d, "entry", "show", "--period", "2025-09", "--json")
    cells = {(c["indicator"], c["category"]): c for c in json.loads(out)["cells"]}
    assert cells[("CBEC_EXPORT", "9610")]["value"] == 12_345_000 and cells[("TRAINEES", "")]["value"] == 120
    code, out, _ = run(capsys, *d, "figures", "--period", "2025-09", "--json")
    assert {r["key"]: r for r in json.loads(out)["rows"]}["EXPORT"]["value"] == 12_345_000
    assert run(capsys, *d, "entry", "submit", "--period", "2025-09")[0] == 0
    code, _, err = run(capsys, *d, "entry", "set", "--period", "2025-09", "TRAINEES=1")
    assert code == 1 and "更正" in err
    import pytest
    with pytest.raises(SystemExit) as e:  # 更正 needs a reason
        main([*d, "entry", "reopen", "--period", "2025-09"])
    assert e.value.code == 2
    code, out, _ = run(capsys, *d, "entry", "reopen", "--period", "2025-09", "--reason", "海关数据更新", "--json")
    assert code == 0 and json.loads(out)["version"] == 2
    assert run(capsys, *d, "entry", "set", "--period", "2025-09", "TRAINEES=")[0] == 0


def test_entry_refusals(capsys, county_dir):
    d = ["--data-dir", str(county_dir)]
    code, _, err = run(capsys, *d, "entry", "set", "--period", "2025-09", "NOPE=1")
    assert code == 1 and "NOPE" in err
    code, _, err = run(capsys, *d, "entry", "set", "--period", "2025-09", "TRAINEES=-3")
    assert code == 1 and "负数" in err
    code, _, err = run(capsys, *d, "entry", "set", "--period", "2025-09", "TRAINEES")
    assert code == 1 and "格式不对" in err
    code, _, err = run(capsys, *d, "entry", "set", "--period", "2025Q3", "TRAINEES=3")
    assert code == 1 and "不是季度指标" in err


def test_entry_check_needs_explanation(capsys, county_dir):
    d = ["--data-dir", str(county_dir)]
    run(capsys, *d, "entry", "set", "--period", "2024-09", "TRAINEES=100")
    run(capsys, *d, "entry", "set", "--period", "2025-09", "TRAINEES=300")
    code, out, _ = run(capsys, *d, "entry", "check", "--period", "2025-09")
    assert code == 1 and "预警" in out
    run(capsys, *d, "entry", "set", "--period", "2025-09", "TRAINEES=300", "--comment", "TRAINEES=新增两个培训基地")
    code, out, _ = run(capsys, *d, "entry", "check", "--period", "2025-09")
    assert code == 0 and "已说明" in out


def test_task_list_and_set(capsys, county_dir):
    d = ["--data-dir", str(county_dir)]
    code, out, _ = run(capsys, *d, "task", "list", "--quarter", "2025Q3", "--json")
    tasks = json.loads(out)["tasks"]
    assert code == 0 and tasks and all(t["status"] == "未启动" for t in tasks)
    no = tasks[0]["no"]
    assert run(capsys, *d, "task", "set", "--quarter", "2025Q3", "--no", str(no), "--status", "推进中",
               "--progress", "完成园区规划")[0] == 0
    code, out, _ = run(capsys, *d, "task", "list", "--quarter", "2025Q3", "--status", "推进中", "--json")
    assert [t["no"] for t in json.loads(out)["tasks"]] == [no]
    code, _, err = run(capsys, *d, "task", "set", "--quarter", "2025Q3", "--no", str(no), "--status", "搞定了")
    assert code == 1 and "状态" in err
