"""数据交换 and 报送情况 pages through pytest-qt: preview then apply, drag and drop, the matrix."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from desktop.storage.db import Store
from desktop.storage.paths import DataDir
from test_package_support import TODAY, export, make_county, make_municipal


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    root = tmp_path_factory.mktemp("gui-pkgs")
    return [export(make_county(root, u, seed=9), root / "out") for u in ("411321", "411330")]


@pytest.fixture
def city_ctx(tmp_path):
    from desktop.gui.context import AppContext

    folder = make_municipal(tmp_path)
    store = Store.open(folder)
    ctx = AppContext(store, DataDir(folder))
    yield ctx
    ctx.wait_for_workers()
    store.close()


@pytest.fixture
def page(qtbot, city_ctx, monkeypatch):
    from desktop.gui.pages import exchange

    errors: list[str] = []
    monkeypatch.setattr(exchange, "show_error", lambda parent, exc, *a: errors.append(str(exc)))
    p = exchange.ExchangePage(city_ctx)
    qtbot.addWidget(p)
    p.errors = errors
    return p


def test_log_model_passes_modeltester(qtmodeltester, city_ctx, packages):
    from desktop.exchange.package_import import import_packages
    from desktop.gui.pages.exchange import PackageLogModel

    import_packages(city_ctx.store, packages)
    model = PackageLogModel(city_ctx.store)
    model.load()
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.data(model.index(0, 0)) == "导入"


def test_preview_then_apply(qtbot, page, city_ctx, packages):
    page.preview_files(packages)
    qtbot.waitUntil(lambda: not page.busy and page.preview.toPlainText() != "", timeout=20_000)
    text = page.preview.toPlainText()
    assert "南召县（411321）第1号数据包" in text and "桐柏县（411330）第1号数据包" in text
    assert "企业：新增" in text and "登记签名密钥指纹" in text
    assert page.apply_button.isEnabled()
    assert city_ctx.store.scalar("SELECT count(*) FROM enterprise") == 0  # preview writes nothing
    changed: list[str] = []
    city_ctx.data_changed.connect(changed.append)
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.status.text() == "导入完成。", timeout=20_000)
    assert city_ctx.store.scalar("SELECT count(DISTINCT unit_code) FROM enterprise") == 2
    assert "package_log" in changed and page.log_model.rowCount() == 2
    assert not page.apply_button.isEnabled()
    # the same files again: nothing new to apply
    page.preview_files(packages)
    qtbot.waitUntil(lambda: not page.busy and "已导入，无变化" in page.preview.toPlainText(), timeout=20_000)
    assert not page.apply_button.isEnabled()
    assert page.errors == []


def test_refusal_is_shown_and_nothing_changes(qtbot, page, city_ctx, tmp_path):
    bad = tmp_path / "坏.cbecpkg"
    bad.write_bytes(b"not a zip at all")
    page.preview_files([bad])
    qtbot.waitUntil(lambda: bool(page.errors), timeout=20_000)
    assert "不是数据包" in page.errors[0]
    assert not page.apply_button.isEnabled() and page.pending == []


def test_drop_onto_window_and_open_file_handler(qtbot, city_ctx, packages, monkeypatch):
    from desktop.gui import main_window
    from desktop.gui.pages import exchange

    monkeypatch.setattr(main_window, "PAGE_MODULES", ("desktop.gui.pages.exchange",))
    win = main_window.MainWindow(city_ctx)
    qtbot.addWidget(win)
    page = win.page_by_title("数据交换")
    assert win.acceptDrops()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(packages[0])), QUrl.fromLocalFile("/tmp/readme.txt")])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    assert page.eventFilter(win, drop)
    qtbot.waitUntil(lambda: not page.busy and "南召县" in page.preview.toPlainText(), timeout=20_000)
    assert page.pending == [packages[0]]
    assert exchange.package_paths([QUrl.fromLocalFile("/x/a.txt")]) == []
    assert page.open_file(Path("/x/readme.txt")) is False
    handled = [h(packages[1]) for h in city_ctx.open_file_handlers]
    assert handled == [True]
    qtbot.waitUntil(lambda: not page.busy and "桐柏县" in page.preview.toPlainText(), timeout=20_000)


def test_county_export_shows_path_and_fingerprint(qtbot, tmp_path, monkeypatch):
    from desktop.exchange.keys import load_keypair
    from desktop.gui.context import AppContext
    from desktop.gui.pages import exchange

    folder = make_county(tmp_path, "411330", seed=2)
    store = Store.open(folder)
    ctx = AppContext(store, DataDir(folder))
    p = exchange.ExchangePage(ctx)
    qtbot.addWidget(p)
    p.export_to(tmp_path / "出口")
    qtbot.waitUntil(lambda: p.last_export is not None, timeout=20_000)
    assert p.last_export.exists() and p.last_export.name.startswith("南阳跨境电商_桐柏县_411330_第0001号_")
    assert str(p.last_export) in p.export_result.text()
    assert load_keypair(folder).fingerprint in p.export_result.text()
    assert "尚未收到市级数据包" in p.notes.toPlainText()
    ctx.wait_for_workers()
    store.close()


def test_completeness_matrix_and_urge_text(qtbot, qtmodeltester, city_ctx, packages, monkeypatch):
    from desktop.exchange.package_import import import_packages
    from desktop.gui.pages import consolidation

    infos: list[str] = []
    monkeypatch.setattr(consolidation, "show_info", lambda parent, text, *a: infos.append(text))
    import_packages(city_ctx.store, packages)
    page = consolidation.ConsolidationPage(city_ctx, today=TODAY)
    qtbot.addWidget(page)
    page.year.setValue(2025)
    m = page.model
    qtmodeltester.check(m)
    assert m.rowCount() == 18 and m.columnCount() == 12
    assert m.headerData(8, Qt.Orientation.Horizontal) == "2025年9月"
    units = [c for c, _ in m.matrix.units]
    r_nz, r_fc = units.index("411321"), units.index("411322")
    assert m.data(m.index(r_nz, 7)).startswith("逾期报送")  # 2025-08 received today, due 09-10
    assert m.data(m.index(r_fc, 7)) == "未报"
    assert m.data(m.index(r_fc, 7), Qt.ItemDataRole.UserRole) == "missing"
    assert m.data(m.index(r_fc, 11)) == "未到期"
    page.urge_period.setCurrentIndex(7)
    assert "方城县" in page.urge.toPlainText() and "南召县" not in page.urge.toPlainText()
    page.copy_urge()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == page.urge.toPlainText() and infos
    page.kind.setCurrentIndex(1)
    assert m.columnCount() == 4 and m.headerData(0, Qt.Orientation.Horizontal) == "2025年第一季度"


def test_duplicate_credit_code_listed_and_decided(qtbot, city_ctx, packages, monkeypatch):
    from desktop.exchange.package_import import import_packages
    from desktop.gui.pages import consolidation

    monkeypatch.setattr(consolidation, "show_info", lambda *a: None)
    import_packages(city_ctx.store, packages)
    st = city_ctx.store
    code = st.scalar("SELECT credit_code FROM enterprise WHERE unit_code = '411321' ORDER BY id LIMIT 1")
    with st.atomic() as conn:
        conn.execute("UPDATE enterprise SET credit_code = ? WHERE id = (SELECT min(id) FROM enterprise"
                     " WHERE unit_code = '411330')", (code,))
    page = consolidation.ConsolidationPage(city_ctx, today=TODAY)
    qtbot.addWidget(page)
    dup = [i for i, f in enumerate(page.findings) if f.kind == "duplicate_credit"]
    assert len(dup) == 1
    assert "南召县" in page.findings_list.item(dup[0]).text() and "桐柏县" in page.findings_list.item(dup[0]).text()
    page.findings_list.setCurrentRow(dup[0])
    page.decide_selected("411321")
    assert st.scalar("SELECT unit_code FROM unit_note") == "411330"
    assert code in st.scalar("SELECT note FROM unit_note")


def test_county_imports_municipal_package_and_sees_return(qtbot, tmp_path, packages, monkeypatch):
    from desktop.exchange.package_import import import_packages
    from desktop.gui.context import AppContext
    from desktop.gui.pages import exchange
    from desktop.storage.entry import return_period

    monkeypatch.setattr(exchange, "show_error", lambda parent, exc, *a: pytest.fail(str(exc)))
    city = make_municipal(tmp_path)
    with Store.open(city) as cs:
        import_packages(cs, packages)
        return_period(cs, "411321", "2025-08", note="请补充9710说明", operator="李四")
    down = export(city, tmp_path / "down")
    county = make_county(tmp_path, "411321", seed=9)
    store = Store.open(county)
    ctx = AppContext(store, DataDir(county))
    p = exchange.ExchangePage(ctx)
    qtbot.addWidget(p)
    p.preview_files([down])
    qtbot.waitUntil(lambda: not p.busy and "南阳市（411300）第1号数据包" in p.preview.toPlainText(), timeout=20_000)
    p.apply_import()
    qtbot.waitUntil(lambda: p.status.text() == "导入完成。", timeout=20_000)
    assert "2025-08 被退回修改：请补充9710说明" in p.preview.toPlainText()
    assert "【退回修改】2025-08" in p.notes.toPlainText() and "已登记的市级签名密钥指纹" in p.notes.toPlainText()
    assert store.scalar("SELECT state FROM submission WHERE period = '2025-08'") == "returned"
    ctx.wait_for_workers()
    store.close()


def test_import_shows_progress_and_can_be_cancelled(qtbot, page, city_ctx, packages, monkeypatch):
    """A long import runs behind a progress dialog; its 取消 rolls the import back."""
    import threading

    from desktop.exchange import package_import

    page.preview_files(packages)
    qtbot.waitUntil(lambda: not page.busy and page.apply_button.isEnabled(), timeout=20_000)
    entered, release = threading.Event(), threading.Event()
    real_apply = package_import.apply_county_package

    def slow_apply(store, package):  # the first package waits until the clerk has pressed 取消
        entered.set()
        release.wait(10)
        return real_apply(store, package)
    monkeypatch.setattr(package_import, "apply_county_package", slow_apply)
    page.apply_import()
    try:
        assert entered.wait(10)
        dialog = page.task.dialog
        qtbot.waitUntil(lambda: "正在导入" in dialog.labelText(), timeout=5_000)
        assert dialog.maximum() == 6                 # 2 checks, backup, 2 packages, commit
        dialog.canceled.emit()                       # what the dialog's 取消 button sends
    finally:
        release.set()
    qtbot.waitUntil(lambda: not page.busy, timeout=20_000)
    assert page.status.text() == "已取消导入数据包，数据库未作任何改动"
    assert city_ctx.store.scalar("SELECT count(*) FROM enterprise") == 0
    assert city_ctx.store.scalar("SELECT count(*) FROM package_log") == 0
    assert page.errors == [] and not page.apply_button.isEnabled()
