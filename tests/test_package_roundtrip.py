"""County → city → county round trips with several units, previews, replays and return notes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.exchange.consolidation import completeness, urge_text
from desktop.exchange.package_import import import_packages
from desktop.exchange.package_tables import COUNTY_SPECS, read_rows
from desktop.storage.db import Store, now_iso
from desktop.storage.entry import return_period
from test_package_support import TODAY, copy_folder, dump, export, make_county, make_municipal, run_cli

UNITS = ("411321", "411330", "411322")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("world")
    counties = {u: make_county(root, u, seed=7) for u in UNITS}
    return root, counties


def _partition(folder: Path, unit: str) -> dict[str, list]:
    with Store.open(folder) as store:
        return {s.name: read_rows(store.conn, s, unit)[1] for s in COUNTY_SPECS}


def test_round_trip_city_holds_exact_partitions_and_county_gets_reference_back(world, tmp_path, capsys):
    counties = {u: copy_folder(f, tmp_path / u) for u, f in world[1].items()}
    city = make_municipal(tmp_path)
    out = tmp_path / "out"
    files = [export(counties[u], out) for u in UNITS]
    code, text, err = run_cli(capsys, "--data-dir", city, "package", "import", *files)
    assert code == 0, err
    assert "已导入 3 个数据包" in text and "登记签名密钥指纹" in text
    for u in UNITS:
        assert _partition(city, u) == _partition(counties[u], u)
    from desktop.storage.checks import run_checks

    with Store.open(city) as store:
        report = run_checks(store)
        assert report.healthy, report.items
    with Store.open(city) as store:
        assert store.scalar("SELECT count(*) FROM pinned_key") == 3
        assert store.scalar("SELECT count(*) FROM package_log WHERE direction = 'in'") == 3
        assert list(store.data_dir.backups.glob("导入数据包前备份_*.sqlite3"))
        # the municipal office returns one period, sets a deadline and a per-unit target
        return_period(store, "411321", "2025-08", note="出口额偏高，请核实后重报", operator="李四")
        with store.atomic() as conn:
            conn.execute("INSERT INTO deadline(period, due_date) VALUES ('2025-10', '2025-11-08')")
            conn.execute("INSERT INTO plan_target(plan_code, metric_key, year, unit_code, value)"
                         " VALUES ('NY2021', 'VOLUME', 2025, '411321', 123400000000)")
    down = export(city, tmp_path / "down")
    assert "南阳市_411300_第0001号" in down.name
    for u in ("411321", "411330"):
        code, text, err = run_cli(capsys, "--data-dir", counties[u], "package", "import", down)
        assert code == 0, err
        with Store.open(counties[u]) as store:
            state = store.scalar("SELECT state FROM submission WHERE unit_code = ? AND period = '2025-08'", (u,))
            assert store.scalar("SELECT due_date FROM deadline WHERE period = '2025-10'") == "2025-11-08"
            assert store.scalar("SELECT value FROM plan_target WHERE unit_code = '411321' AND year = 2025"
                                " AND metric_key = 'VOLUME'") == 123400000000
            notes = store.scalar("SELECT count(*) FROM return_note")
        if u == "411321":
            assert state == "returned" and notes == 1 and "2025-08 被退回修改：出口额偏高" in text
        else:
            assert state == "submitted" and notes == 0
    # the same municipal package again changes nothing
    before = dump(counties["411321"])
    code, text, _ = run_cli(capsys, "--data-dir", counties["411321"], "package", "import", down)
    assert code == 0 and "已导入，无变化" in text and dump(counties["411321"]) == before


def test_second_package_preview_lists_changed_figures_then_applies(world, tmp_path, capsys):
    city = make_municipal(tmp_path)
    folder = copy_folder(world[1]["411330"], tmp_path / "411330")
    first = export(folder, tmp_path / "out")
    assert run_cli(capsys, "--data-dir", city, "package", "import", first)[0] == 0
    with Store.open(folder) as store, store.atomic() as conn:
        conn.execute("UPDATE indicator_value SET value = 123450000, comment = '新增大客户'"
                     " WHERE unit_code = '411330' AND period = '2025-09' AND indicator_code = 'CBEC_EXPORT'"
                     " AND category = '9610'")
        conn.execute("UPDATE enterprise SET deleted_at = ? WHERE id = (SELECT min(id) FROM enterprise)", (now_iso(),))
        conn.execute("DELETE FROM o2o_store WHERE id = (SELECT min(id) FROM o2o_store)")
    second = export(folder, tmp_path / "out")
    seq = int(second.name.split("第")[1][:4])
    assert f"第{seq - 1:04d}号" in first.name
    before = dump(city)
    code, text, _ = run_cli(capsys, "--data-dir", city, "package", "import", "--dry-run", "--json", second)
    assert code == 0 and dump(city) == before
    data = json.loads(text)
    changes = {c["table"]: c for c in data["packages"][0]["changes"]}
    assert changes["indicator_value"]["changed"] == 1
    assert "2025-09 跨境电商出口额（9610）" in changes["indicator_value"]["details"][0]
    assert "→ 12,345.00 万元" in changes["indicator_value"]["details"][0]
    assert changes["enterprise"]["changed"] == 1 and changes["o2o_store"]["removed"] == 1
    assert data["applied"] is False
    code, text, _ = run_cli(capsys, "--data-dir", city, "package", "import", second)
    assert code == 0 and "指标数据：新增 0，修改 1，删除 0" in text
    assert _partition(city, "411330") == _partition(folder, "411330")
    # replaying the first package is now refused: its sequence is not newer
    before = dump(city)
    code, _, err = run_cli(capsys, "--data-dir", city, "package", "import", first)
    assert code == 1 and f"不新于已导入的第{seq}号" in err and dump(city) == before


def test_completeness_after_import_and_urge_text(world, tmp_path, capsys):
    root, counties = world
    city = make_municipal(tmp_path)
    files = [export(counties[u], tmp_path / "out") for u in UNITS[:2]]
    assert run_cli(capsys, "--data-dir", city, "package", "import", *files)[0] == 0
    with Store.open(city) as store:
        m = completeness(store, ["2025-08", "2025-09"], today=TODAY)
        assert m.cell("411321", "2025-08").status == "late"  # received today, due 2025-09-10
        assert m.cell("411321", "2025-08").sequence == 1
        assert m.cell("411322", "2025-08").status == "missing"
        with store.atomic() as conn:
            conn.execute("INSERT INTO deadline(period, due_date) VALUES ('2025-08', '2099-01-01')")
        m = completeness(store, ["2025-08"], today=TODAY)
        assert m.cell("411321", "2025-08").status == "on_time"
        assert m.cell("411321", "2025-08").label.startswith("已报 ")
        assert m.cell("411322", "2025-08").status == "pending"
        m = completeness(store, ["2025-07"], today=TODAY)
        text = urge_text(store, m, "2025-07")
        assert "方城县" in text and "南召县" not in text and "已逾期" in text
        assert len(m.units) == 18


def test_import_applies_all_or_nothing(world, tmp_path, capsys):
    root, counties = world
    city = make_municipal(tmp_path)
    good = export(counties["411321"], tmp_path / "out")
    bad = tmp_path / "out" / "坏数据包.cbecpkg"
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    before = dump(city)
    code, _, err = run_cli(capsys, "--data-dir", city, "package", "import", good, bad)
    assert code == 1 and "坏数据包.cbecpkg" in err and dump(city) == before
    result = import_packages(Store.open(city), [good])
    assert result.applied


def test_return_cycle_until_resubmitted(world, tmp_path, capsys):
    """City returns a period; a package made before the county saw the return keeps it 退回; the
    county imports the return, corrects, resubmits; the next package resolves the note."""
    from desktop.storage.entry import submit_period

    county = copy_folder(world[1]["411321"], tmp_path / "county")
    city = make_municipal(tmp_path)
    assert run_cli(capsys, "--data-dir", city, "package", "import", export(county, tmp_path / "up"))[0] == 0
    with Store.open(city) as store:
        return_period(store, "411321", "2025-08", note="9610出口额与上月差异过大", operator="李四")
        assert completeness(store, ["2025-08"], today=TODAY).cell("411321", "2025-08").status == "returned"
    stale = export(county, tmp_path / "up")  # made before the county imported the return
    assert run_cli(capsys, "--data-dir", city, "package", "import", stale)[0] == 0
    with Store.open(city) as store:
        cell = completeness(store, ["2025-08"], today=TODAY).cell("411321", "2025-08")
        assert cell.status == "returned" and cell.note == "9610出口额与上月差异过大"
    down = export(city, tmp_path / "down")
    assert run_cli(capsys, "--data-dir", county, "package", "import", down)[0] == 0
    with Store.open(county) as store:
        assert store.scalar("SELECT state FROM submission WHERE unit_code = '411321' AND period = '2025-08'") == "returned"
        submit_period(store, "411321", "2025-08", operator="填表人21")
    fixed = export(county, tmp_path / "up")
    code, text, err = run_cli(capsys, "--data-dir", city, "package", "import", fixed)
    assert code == 0, err
    with Store.open(city) as store:
        assert store.scalar("SELECT resolved_at IS NOT NULL FROM return_note WHERE unit_code = '411321'") == 1
        assert completeness(store, ["2025-08"], today=TODAY).cell("411321", "2025-08").status in ("on_time", "late")


def test_municipal_figures_read_accepted_units(world, tmp_path, capsys):
    from desktop.storage.figures import plan_figures

    city = make_municipal(tmp_path)
    files = [export(world[1][u], tmp_path / "up") for u in UNITS]
    assert run_cli(capsys, "--data-dir", city, "package", "import", *files)[0] == 0
    with Store.open(city) as cs:
        for u in UNITS:
            with Store.open(world[1][u]) as us:
                mine = [(r.key, r.value, r.ytd) for r in plan_figures(us, "2025-09", u).rows]
            assert [(r.key, r.value, r.ytd) for r in plan_figures(cs, "2025-09", u).rows] == mine
        total = {r.key: r.ytd for r in plan_figures(cs, "2025-09", None).rows}
        parts = [{r.key: r.ytd for r in plan_figures(cs, "2025-09", u).rows} for u in UNITS]
        key = next(k for k in total if k.startswith("VOLUME") or k == "VOLUME")
        assert total[key] == sum(p[key] for p in parts) and total[key] > 0


def test_import_reports_progress_and_a_cancel_changes_nothing(world, tmp_path):
    """Progress is told before every step; cancelling during the apply rolls the one transaction
    back and removes the backup made for it."""
    from desktop.exchange.package_import import ImportCancelled

    root, counties = world
    city = make_municipal(tmp_path)
    files = [export(counties[u], tmp_path / "out") for u in ("411321", "411330")]
    steps: list[tuple[int, int, str]] = []
    with Store.open(city) as store:
        import_packages(store, files, dry_run=True, progress=lambda d, t, s: steps.append((d, t, s)))
    assert [s[:2] for s in steps] == [(0, 2), (1, 2), (2, 2)] and "正在校验" in steps[0][2]

    before = dump(city)
    backups = set((Path(city) / "backups").glob("*"))
    steps.clear()
    with Store.open(city) as store:
        with pytest.raises(ImportCancelled, match="数据库未作任何改动"):
            import_packages(store, files, progress=lambda d, t, s: steps.append((d, t, s)),
                            cancelled=lambda: any("正在导入" in s for _, _, s in steps))  # after the first package
    assert dump(city) == before and set((Path(city) / "backups").glob("*")) == backups
    imported = [s for _, _, s in steps if "正在导入" in s]
    assert len(imported) == 1 and imported[0].startswith("正在导入 南召县 第") and imported[0].endswith("（1/2）")

    steps.clear()
    with Store.open(city) as store:
        result = import_packages(store, files, progress=lambda d, t, s: steps.append((d, t, s)))
    assert result.applied and steps[-1] == (6, 6, "导入完成")      # 2 checks, backup, 2 packages, commit
    assert [d for d, _, _ in steps] == sorted(d for d, _, _ in steps)
