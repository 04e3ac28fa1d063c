"""Every ledger page, the form and the import wizard rendered on county demo data: Chinese glyphs
exist in the font, headers and visible cells fit their columns, form labels and editors fit.

Run as a script to refresh the screenshots in docs/screenshots/ledger_*.png:
    .venv/bin/python tests/test_gui_ledgers_screens.py
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
for _p in (ROOT, ROOT / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

PAGE_SIZE = (1180, 700)
ELIDED_OK = {"main_products", "modes_text", "operator", "address"}  # long free text may end in …


def header_overflow(page) -> list[str]:
    """Headers wider than their column (sort arrow and padding included)."""
    table = page.table
    fm = table.horizontalHeader().fontMetrics()
    last = page.model.columnCount() - 1
    return [f"{c.header}: {fm.horizontalAdvance(c.header) + 28} > {table.columnWidth(i)}"
            for i, c in enumerate(page.model.columns)
            if i < last and fm.horizontalAdvance(c.header) + 28 > table.columnWidth(i)]


def cell_overflow(page) -> list[str]:
    table = page.table
    fm = table.fontMetrics()
    rows = min(page.model.rowCount(), table.viewport().height() // table.rowHeight(0) + 1) if page.model.rowCount() else 0
    out = []
    for i, c in enumerate(page.model.columns):
        if c.key in ELIDED_OK or i == page.model.columnCount() - 1:
            continue
        for r in range(rows):
            text = page.model.index(r, i).data() or ""
            if fm.horizontalAdvance(text) + 12 > table.columnWidth(i):
                out.append(f"{c.header} row {r}: {text}")
    return out


def form_overflow(form) -> list[str]:
    out = []
    for name, editor in form.editors.items():
        w = editor.widget
        if w.width() < min(w.sizeHint().width(), w.minimumSizeHint().width()):
            out.append(f"{name}: {w.width()} < {w.minimumSizeHint().width()}")
        if w.mapTo(form, w.rect().topRight()).x() > form.width():
            out.append(f"{name} runs past the dialog's right edge")
    return out


def render(store, data_dir: Path, out_dir: Path, qtbot=None) -> dict[str, object]:
    """Render every page (plus form and wizard) into out_dir; returns the widgets by name."""
    from PySide6.QtWidgets import QApplication

    from desktop.gui.context import AppContext
    from desktop.gui.pages.ledgers import create_pages
    from desktop.storage.paths import DataDir

    app = QApplication.instance() or QApplication([])
    ctx = AppContext(store, DataDir(data_dir))
    shown: dict[str, object] = {}
    for page in create_pages(ctx):
        if qtbot is not None:
            qtbot.addWidget(page)
        page.resize(*PAGE_SIZE)
        page.show()
        page.refresh()
        app.processEvents()
        page.grab().save(str(out_dir / f"ledger_{page.kind.key}.png"))
        shown[page.kind.key] = page
    ents = shown["enterprises"]
    ents.select_row(0)
    form = ents.edit_selected()
    app.processEvents()
    form.grab().save(str(out_dir / "ledger_form.png"))
    shown["form"] = form
    shown["wizard"] = render_wizard(ctx, out_dir, qtbot)
    return shown


def render_wizard(ctx, out_dir: Path, qtbot=None):
    """The import wizard on its mapping and preview pages, over the messy test workbook."""
    from PySide6.QtWidgets import QApplication

    from desktop.gui.roster_wizard import RosterWizard
    from test_gui_roster_wizard import build_workbook

    app = QApplication.instance()
    wizard = RosterWizard(ctx, "enterprises")
    if qtbot is not None:
        qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path_edit.setText(str(build_workbook(out_dir / "企业名录示例.xlsx")))
    for page_id, name in ((1, "mapping"), (2, "preview")):
        wizard.next()  # the work runs in the thread pool; wait until the wizard has moved on
        while wizard.currentId() != page_id or wizard.running:
            ctx.wait_for_workers(1000)
            app.processEvents()
        app.processEvents()
        if name == "mapping":
            wizard.grab().save(str(out_dir / "ledger_import_mapping.png"))
    wizard.grab().save(str(out_dir / "ledger_import_preview.png"))
    (out_dir / "企业名录示例.xlsx").unlink()
    return wizard


def test_pages_render_without_clipping(qtbot, county_dir: Path, county_store, tmp_path: Path) -> None:
    from PySide6.QtGui import QFontMetrics

    from desktop.storage.demo import generate_demo

    generate_demo(county_store, scale="county", seed=1)
    shown = render(county_store, county_dir, tmp_path, qtbot)
    for key in ("parks", "enterprises", "bases", "warehouses", "livestream", "o2o"):
        page = shown[key]
        assert (tmp_path / f"ledger_{key}.png").stat().st_size > 10_000
        assert page.model.rowCount() > 0, key
        fm = QFontMetrics(page.table.font())
        assert all(fm.inFontUcs4(ord(ch)) for ch in "企业台账园区海外仓"), "no CJK glyphs in the table font"
        assert header_overflow(page) == [], key
        assert cell_overflow(page) == [], key
        for b in page._buttons():
            assert not b.isVisible() or b.width() >= b.sizeHint().width(), b.text()
    form = shown["form"]
    assert form_overflow(form) == []
    form.reject()
    wizard = shown["wizard"]
    view = wizard.preview_page.view
    assert view.model().rowCount() == 5
    fm = view.fontMetrics()
    for col in range(3):  # sheet, row and result columns show in full
        for r in range(view.model().rowCount()):
            assert fm.horizontalAdvance(view.model().index(r, col).data()) + 12 <= view.columnWidth(col)
    assert (tmp_path / "ledger_import_preview.png").stat().st_size > 10_000
    wizard.reject()


if __name__ == "__main__":
    import shutil
    import tempfile

    from desktop.storage.db import Store
    from desktop.storage.demo import generate_demo
    from desktop.storage.setup import init_data_dir

    folder = Path(tempfile.mkdtemp()) / "demo"
    init_data_dir(folder, role="county", unit_code="411323", operator="张三")
    with Store.open(folder) as s:
        generate_demo(s, scale="county", seed=1)
        out = ROOT / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        shown = render(s, folder, out)
        for key, w in shown.items():
            if hasattr(w, "model"):
                print(key, "headers:", header_overflow(w) or "ok", "cells:", cell_overflow(w) or "ok")
        print("form:", form_overflow(shown["form"]) or "ok")
    shutil.rmtree(folder.parent, ignore_errors=True)
    print(f"screenshots written to {out}")
