"""Every workbook the program writes opens in a real spreadsheet program (LibreOffice, headless)
and shows the engine's numbers. Excel and WPS are not available on Linux CI; LibreOffice is the
strictest of the three about malformed OOXML, which it refuses to convert."""
from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date
from pathlib import Path

from desktop.core.money import format_money
from desktop.exchange.roster_write import export_ledger, write_template
from desktop.reporting.registry import build_report, list_reports, write_report
from desktop.storage.demo import generate_demo
from desktop.storage.figures import plan_figures

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _to_csv(files: list[Path], out: Path, profile: Path) -> dict[str, list[list[str]]]:
    assert SOFFICE, "LibreOffice (apt libreoffice-calc-nogui) is needed to open the workbooks"
    out.mkdir()
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=240)
    got = {}
    for f in files:
        converted = out / (f.stem + ".csv")
        assert converted.exists(), f"LibreOffice could not open {f.name}"
        got[f.stem] = list(csv.reader(converted.open(encoding="utf-8")))
    return got


def test_county_and_municipal_workbooks_open_in_libreoffice(county_store, tmp_path):
    from desktop.storage.db import Store
    from desktop.storage.setup import init_data_dir

    init_data_dir(tmp_path / "市级", role="municipal", operator="李四")
    municipal_store = Store.open(tmp_path / "市级")
    generate_demo(county_store, scale="county", seed=5, today=date(2026, 12, 3))
    files: list[Path] = []
    for spec in list_reports("county"):
        if "xlsx" in spec.formats:
            files += write_report(county_store, build_report(county_store, spec.code, "2025Q3"), tmp_path, "xlsx")
    for spec in list_reports("municipal"):
        if "xlsx" in spec.formats and not spec.available_to("county"):
            files += write_report(municipal_store, build_report(municipal_store, spec.code, "2025Q3"), tmp_path, "xlsx")
    export_ledger(county_store, "enterprises", tmp_path / "企业台账.xlsx")
    write_template(county_store, "enterprises", tmp_path / "企业导入模板.xlsx")
    files += [tmp_path / "企业台账.xlsx", tmp_path / "企业导入模板.xlsx"]

    municipal_store.close()
    sheets = _to_csv(files, tmp_path / "csv", tmp_path / "lo-profile")
    assert len(sheets) == len(files) >= 12

    t1 = next(rows for stem, rows in sheets.items() if "表1" in stem)
    vol = plan_figures(county_store, "2025Q3", "411323").row("VOLUME")
    row = next(r for r in t1 if r and r[0] == "一、跨境电商交易额")
    assert row[3] == format_money(vol.ytd, "万元", thousands=False)
    assert row[5] == f"{vol.growth}%"
    ledger = sheets["企业台账"]
    n = county_store.scalar("SELECT count(*) FROM enterprise WHERE deleted_at IS NULL")
    assert sum(1 for r in ledger if len(r) > 1 and len(r[1]) == 18) == n
