"""The window's foundation: first-run dialog, main window and page registry, single instance,
crash dialog, log file, --selftest, worker threads, shared widgets."""
from __future__ import annotations

import logging
import subprocess
import sys
import types
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from desktop.storage.db import Store, now_iso
from desktop.storage.paths import DataDir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def restore_globals():
    """run() installs an excepthook and a log handler; put the process back as it was."""
    hook = sys.excepthook
    yield
    sys.excepthook = hook
    from desktop.logging_setup import shutdown_logging

    shutdown_logging()


# -- first-run dialog -----------------------------------------------------------------------------
def make_dialog(qtbot, folder: Path):
    from desktop.gui.first_run import FirstRunDialog

    dialog = FirstRunDialog(DataDir(folder))
    qtbot.addWidget(dialog)
    return dialog


def test_first_run_creates_county_database(qtbot, data_dir):
    dialog = make_dialog(qtbot, data_dir)
    assert dialog.unit_combo.count() == 18
    assert dialog.unit_combo.itemText(0) == "宛城区（411302）"
    dialog.unit_combo.setCurrentIndex(dialog.unit_combo.findData("411324"))
    dialog.operator_edit.setText("  王五 ")
    dialog.try_accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    with Store.open(data_dir) as store:
        assert (store.role, store.unit_code, store.operator) == ("county", "411324", "王五")
    from desktop.exchange.keys import load_keypair

    assert load_keypair(DataDir(data_dir)) is not None  # the installation signs packages from day one


def test_first_run_requires_operator(qtbot, data_dir):
    dialog = make_dialog(qtbot, data_dir)
    dialog.show()
    dialog.operator_edit.setText("   ")
    dialog.try_accept()
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == "请填写填表人姓名。"
    assert dialog.result() != dialog.DialogCode.Accepted
    assert not DataDir(data_dir).exists()


def test_first_run_role_switch_to_municipal(qtbot, data_dir):
    dialog = make_dialog(qtbot, data_dir)
    assert dialog.unit_combo.isEnabled()
    dialog.municipal_radio.setChecked(True)
    assert dialog.role == "municipal" and not dialog.unit_combo.isEnabled()
    dialog.county_radio.setChecked(True)
    assert dialog.unit_combo.isEnabled()
    dialog.municipal_radio.setChecked(True)
    dialog.operator_edit.setText("李四")
    dialog.try_accept()
    with Store.open(data_dir) as store:
        assert (store.role, store.unit_code) == ("municipal", "411300")


def test_first_run_refusal_is_shown_and_nothing_overwritten(qtbot, county_dir):
    before = DataDir(county_dir).db_path.read_bytes()
    dialog = make_dialog(qtbot, county_dir)
    dialog.show()
    dialog.unit_combo.setCurrentIndex(dialog.unit_combo.findData("411324"))
    dialog.operator_edit.setText("王五")
    dialog.try_accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "已经是西峡县（411323）的数据库" in dialog.error_label.text()
    assert DataDir(county_dir).db_path.read_bytes() == before


# -- main window ----------------------------------------------------------------------------------
def fill_county(store: Store) -> None:
    rows = [("411323", f"{y}-{m:02d}", "CBEC_EXPORT", "9710", 1_000_000 * (y - 2023), now_iso())
            for y in (2025, 2026) for m in range(1, 13)]
    with store.atomic() as conn:
        conn.executemany("INSERT INTO indicator_value(unit_code, period, indicator_code, category, value,"
                         " updated_at) VALUES (?, ?, ?, ?, ?, ?)", rows)


def make_window(qtbot, folder: Path, monkeypatch=None):
    """Main window with the home page only (other areas' pages are built by the selftest tests)."""
    from desktop.gui import main_window
    from desktop.gui.context import AppContext
    from desktop.gui.main_window import MainWindow

    if monkeypatch is not None:
        monkeypatch.setattr(main_window, "PAGE_MODULES", ("desktop.gui.pages.home",))

    store = Store.open(folder)
    ctx = AppContext(store, DataDir(folder), log_file=DataDir(folder).logs / "cbec.log")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def test_main_window_title_status_and_home(qtbot, county_dir, monkeypatch):
    with Store.open(county_dir) as store:
        fill_county(store)
    window = make_window(qtbot, county_dir, monkeypatch)
    assert window.windowTitle() == "南阳跨境电商综试区统计填报系统 — 西峡县 — 张三"
    assert window.page_titles()[0] == "首页"
    assert window.nav.item(0).text() == "首页"
    home = window.current_page()
    assert home.data is not None and home.data.figures.unit_code == "411323"
    assert home.flow_cards["VOLUME"].value_text().endswith("万元")
    texts = [w.text() for w in window.statusBar().findChildren(QLabel)]
    assert f"数据文件夹：{county_dir}" in texts
    assert "角色：县区填报单位" in texts and "单位：西峡县（411323）" in texts
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["文件(&F)", "帮助(&H)"]
    file_items = [a.text() for a in window.menuBar().actions()[0].menu().actions() if a.text()]
    assert file_items == ["切换数据文件夹(&D)…", "退出(&X)"]
    window.ctx.store.close()


def test_main_window_on_county_demo(qtbot, county_dir, tmp_path, monkeypatch):
    """The home page on the demo database: every card filled, chart with both years; a screenshot
    (saved to $CBEC_SCREENSHOT_DIR/home.png when set, for docs/screenshots)."""
    import os

    from desktop.storage.demo import generate_demo

    with Store.open(county_dir) as store:
        generate_demo(store, scale="county", seed=1, today=date.today())
    window = make_window(qtbot, county_dir, monkeypatch)
    window.resize(1280, 900)
    home = window.current_page()
    figs = home.data.figures
    assert figs.row("VOLUME").ytd > 0 and figs.row("ENTERPRISES").value > 0
    assert home.flow_cards["VOLUME"].value_text().endswith(" 万元")
    assert home.count_cards["ENTERPRISES"].value_text() == f"{figs.row('ENTERPRISES').value:,} 家"
    year = figs.period.year
    assert len(home.chart.series_values[f"{year}年"]) == 12 and any(home.chart.series_values[f"{year - 1}年"])
    qtbot.wait(50)
    image = window.grab().toImage()
    assert image.width() >= 1000 and image.height() >= 700
    out = Path(os.environ.get("CBEC_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(out / "home.png"))
    window.ctx.store.close()


def test_about_shows_version_and_data_folder(qtbot, county_dir, monkeypatch):
    from desktop import __version__

    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append((title, text)))
    window = make_window(qtbot, county_dir, monkeypatch)
    window.about_action.trigger()
    title, text = shown[0]
    assert title.startswith("关于")
    assert f"版本：{__version__}" in text
    assert f"数据文件夹：{county_dir}" in text and str(Path(county_dir) / "logs" / "cbec.log") in text
    window.ctx.store.close()


def test_switch_data_folder_starts_a_copy_on_the_new_folder(qtbot, county_dir, tmp_path, monkeypatch):
    from PySide6.QtCore import QProcess
    from PySide6.QtWidgets import QFileDialog

    other = tmp_path / "另一个 文件夹"
    other.mkdir()
    started = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(other))
    monkeypatch.setattr(QProcess, "startDetached", lambda program, args: started.append((program, args)) or True)
    window = make_window(qtbot, county_dir, monkeypatch)
    window.switch_action.trigger()
    assert started == [(sys.executable, ["-m", "desktop", "--data-dir", str(other)])]
    assert not window.isVisible()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(county_dir))
    window.show()
    window.switch_action.trigger()                      # the same folder: nothing happens
    assert len(started) == 1 and window.isVisible()
    window.ctx.store.close()


class FakePage(QLabel):
    def __init__(self, title: str, roles: set[str] | None) -> None:
        super().__init__(title)
        self.page_title = title
        if roles is not None:
            self.page_roles = roles
        self.refreshed = 0

    def refresh(self) -> None:
        self.refreshed += 1


def test_page_registry_roles_and_refresh(qtbot, county_dir, monkeypatch):
    from desktop.gui import main_window

    module = types.ModuleType("fake_pages_for_test")
    module.create_pages = lambda ctx: [FakePage("台账", None), FakePage("市级汇总", {"municipal"}),
                                       FakePage("数据填报", {"county"})]
    monkeypatch.setitem(sys.modules, "fake_pages_for_test", module)
    monkeypatch.setattr(main_window, "PAGE_MODULES", ("desktop.gui.pages.home", "fake_pages_for_test"))
    window = make_window(qtbot, county_dir)
    assert window.page_titles() == ["首页", "台账", "数据填报"]
    ledger = window.page_by_title("台账")
    assert ledger.refreshed == 0
    window.nav.setCurrentRow(1)
    assert window.current_page() is ledger and ledger.refreshed == 1
    window.ctx.notify("enterprise")
    assert ledger.refreshed == 2
    window.ctx.store.close()


def test_deferred_pages_load_after_first_picture(qtbot, county_dir, monkeypatch):
    from desktop.gui import main_window
    from desktop.gui.context import AppContext

    module = types.ModuleType("fake_pages_for_test")
    module.create_pages = lambda ctx: [FakePage("台账", None)]
    monkeypatch.setitem(sys.modules, "fake_pages_for_test", module)
    monkeypatch.setattr(main_window, "PAGE_MODULES", ("desktop.gui.pages.home", "fake_pages_for_test"))
    with Store.open(county_dir) as store:
        window = main_window.MainWindow(AppContext(store, DataDir(county_dir)), defer_pages=True)
        qtbot.addWidget(window)
        assert window.page_titles() == ["首页"] and window.current_page().data is not None
        window.load_deferred_pages()
        window.load_deferred_pages()
        assert window.page_titles() == ["首页", "台账"] and window.nav.count() == 2


def test_open_file_goes_to_registered_handler(qtbot, county_dir, tmp_path, monkeypatch):
    from desktop.gui import app
    from desktop.gui.widgets import messages

    errors = []
    monkeypatch.setattr(messages, "show_error", lambda parent, text, *a: errors.append(str(text)))
    window = make_window(qtbot, county_dir, monkeypatch)
    pkg = tmp_path / "西峡县_2026-11.cbecpkg"
    pkg.write_bytes(b"x")
    app.open_file(window, str(pkg))
    assert "本程序不认识这种文件" in errors[-1]
    seen = []
    window.ctx.open_file_handlers.append(lambda p: seen.append(p) or p.suffix == ".cbecpkg")
    app.open_file(window, str(pkg))
    assert seen == [pkg] and len(errors) == 1
    app.open_file(window, str(tmp_path / "没有.cbecpkg"))
    assert "不存在" in errors[-1]
    window.ctx.store.close()


def test_run_first_start_shows_first_run_dialog(qtbot, data_dir, monkeypatch):
    from desktop.gui import app, first_run, main_window

    monkeypatch.setattr(main_window, "PAGE_MODULES", ("desktop.gui.pages.home",))

    def fill_and_accept(dialog):
        dialog.operator_edit.setText("赵六")
        dialog.try_accept()
        return dialog.result()

    monkeypatch.setattr(first_run.FirstRunDialog, "exec", fill_and_accept)
    assert app.run(["--data-dir", str(data_dir)], exec_loop=False) == 0
    with Store.open(data_dir) as store:
        assert (store.role, store.unit_code, store.operator) == ("county", "411302", "赵六")


def test_run_first_start_cancelled_creates_nothing(qtbot, data_dir, monkeypatch):
    from desktop.gui import app, first_run

    monkeypatch.setattr(first_run.FirstRunDialog, "exec", lambda dialog: first_run.FirstRunDialog.DialogCode.Rejected)
    assert app.run(["--data-dir", str(data_dir)], exec_loop=False) == 0
    assert not DataDir(data_dir).exists()


def test_run_refuses_newer_database_with_message(qtbot, county_dir, monkeypatch):
    import sqlite3

    from desktop.gui import app

    db = DataDir(county_dir).db_path
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    before = db.read_bytes()
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    assert app.run(["--data-dir", str(county_dir)], exec_loop=False) == 1
    assert "结构版本为 999" in warned[0]
    assert db.read_bytes() == before


# -- single instance, crash dialog, log -----------------------------------------------------------
def test_second_instance_is_refused(qtbot, county_dir, monkeypatch):
    from desktop.gui import app

    first = app.acquire_instance_lock(DataDir(county_dir))
    assert first is not None
    try:
        assert app.acquire_instance_lock(DataDir(county_dir)) is None
        warned = []
        monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
        assert app.run(["--data-dir", str(county_dir)], exec_loop=False) == 1
        assert "本数据文件夹的程序已经打开" in warned[0] and str(county_dir) in warned[0]
    finally:
        first.unlock()
    again = app.acquire_instance_lock(DataDir(county_dir))
    assert again is not None
    again.unlock()


HOLDER = """
import sys, time
from pathlib import Path
from desktop.gui import app
from desktop.storage.paths import DataDir
app.ensure_app()
lock = app.acquire_instance_lock(DataDir(Path(sys.argv[1])))
print("locked" if lock else "refused", flush=True)
time.sleep(60)
"""


def test_lock_held_by_another_process_refuses_until_it_dies(qtbot, county_dir):
    import os

    from desktop.gui import app

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(county_dir)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert app.acquire_instance_lock(DataDir(county_dir)) is None
    finally:
        holder.kill()                      # a crashed copy leaves its lock file behind ...
        holder.wait(10)
    lock = app.acquire_instance_lock(DataDir(county_dir))
    assert lock is not None                # ... which is recognised as stale and taken over
    lock.unlock()


@pytest.mark.qt_no_exception_capture
def test_unhandled_error_shows_dialog_naming_log_and_keeps_running(qtbot, data_dir, monkeypatch):
    from desktop.gui import app
    from desktop.logging_setup import setup_logging

    log_file = setup_logging(DataDir(data_dir).logs)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    app.install_excepthook(log_file)

    def boom() -> None:
        raise ZeroDivisionError("测试用的错误")

    QTimer.singleShot(0, boom)
    qtbot.waitUntil(lambda: bool(shown), timeout=3000)
    title, text = shown[0]
    assert title == "程序出错"
    assert str(log_file) in text and "测试用的错误" in text and "程序可以继续使用" in text
    alive = []
    QTimer.singleShot(0, lambda: alive.append(True))
    qtbot.waitUntil(lambda: bool(alive), timeout=3000)
    for h in logging.getLogger().handlers:
        h.flush()
    logged = log_file.read_text(encoding="utf-8")
    assert "ZeroDivisionError: 测试用的错误" in logged and "Traceback" in logged


def test_log_file_rotates_and_setup_is_idempotent(tmp_path, monkeypatch):
    from desktop import logging_setup

    monkeypatch.setattr(logging_setup, "MAX_BYTES", 2_000)
    path = logging_setup.setup_logging(tmp_path / "日志")
    assert logging_setup.setup_logging(tmp_path / "日志") == path == tmp_path / "日志" / "cbec.log"
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_cbec_handler", False)]
    assert len(ours) == 1 and logging_setup.current_log_file() == path
    for i in range(100):
        logging.getLogger("desktop.test").info("第 %d 行日志，用来测试滚动", i)
    assert (tmp_path / "日志" / "cbec.log.1").exists()
    assert not (tmp_path / "日志" / "cbec.log.6").exists()


def test_command_line_fast_path_agrees_with_argparse(tmp_path):
    from desktop.gui.app import Options, build_parser, parse_args

    for argv in (["--data-dir", "数据 文件夹", "--selftest"], ["--data-dir=X", "包.cbecpkg"], ["包.cbecpkg"], []):
        full = build_parser().parse_args(argv)
        assert parse_args(argv) == Options(full.data_dir, full.selftest, full.file)
    with pytest.raises(SystemExit) as exc:
        parse_args(["--no-such-option"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        parse_args(["--version"])
    assert exc.value.code == 0


# -- selftest ----------------------------------------------------------------------------------------
def test_selftest_returns_zero_and_logs(qtbot, county_dir, capsys):
    from desktop.gui import app

    assert app.run(["--data-dir", str(county_dir), "--selftest"]) == 0
    out = capsys.readouterr().out
    assert "home page filled" in out
    assert "cbec-desktop" in (Path(county_dir) / "logs" / "cbec.log").read_text(encoding="utf-8")


def test_selftest_municipal_builds_every_registered_page(qtbot, municipal_dir, capsys):
    import re

    from desktop.gui import app

    assert app.run(["--data-dir", str(municipal_dir), "--selftest"]) == 0
    out = capsys.readouterr().out
    assert "home page filled" in out
    assert re.search(r"selftest: \d+ pages: 首页", out.splitlines()[-1])


def test_selftest_without_database_fails(qtbot, data_dir, capsys):
    from desktop.gui import app

    assert app.run(["--data-dir", str(data_dir), "--selftest"]) == 1
    assert "还没有数据库" in capsys.readouterr().err


def test_python_m_desktop_selftest_subprocess(county_dir):
    proc = subprocess.run([sys.executable, "-m", "desktop", "--data-dir", str(county_dir), "--selftest"],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    assert "home page filled" in proc.stdout


BOOM_PAGES = """
from PySide6.QtWidgets import QLabel

class BoomPage(QLabel):
    page_title = "会出错的页面"

    def refresh(self):
        raise RuntimeError("页面刷新失败")

def create_pages(ctx):
    return [BoomPage("x")]
"""

DRIVER = """
import sys
import desktop.gui.main_window as m
m.PAGE_MODULES = ("boom_pages_for_test",)
from desktop.gui.app import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_selftest_error_in_qt_callback_exits_1_instead_of_hanging_on_a_dialog(county_dir, tmp_path):
    import os

    (tmp_path / "boom_pages_for_test.py").write_text(BOOM_PAGES, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    proc = subprocess.run([sys.executable, "-c", DRIVER, "--data-dir", str(county_dir), "--selftest"],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60, env=env)
    assert proc.returncode == 1
    assert "自检失败：RuntimeError: 页面刷新失败" in proc.stderr
    assert "页面刷新失败" in (Path(county_dir) / "logs" / "cbec.log").read_text(encoding="utf-8")


# -- worker threads -----------------------------------------------------------------------------------
def test_run_in_thread_calls_back_in_gui_thread(qtbot, county_dir):
    from desktop.gui.context import AppContext

    with Store.open(county_dir) as store:
        ctx = AppContext(store, DataDir(county_dir))
        results, errors, threads, progress = [], [], [], []

        def work() -> int:
            worker_store = ctx.open_worker_store()
            try:
                return worker_store.scalar("SELECT count(*) FROM unit")
            finally:
                worker_store.close()

        def done(value: int) -> None:
            threads.append(QThread.currentThread() is QApplication.instance().thread())
            results.append(value)

        ctx.run_in_thread(work, done)
        ctx.run_in_thread(lambda: 1 / 0, results.append, errors.append)

        def with_job(job) -> str:
            job.progress(1, 2, "第一步")
            return "ok"

        ctx.run_in_thread(with_job, results.append, on_progress=lambda *a: progress.append(a), with_job=True)
        qtbot.waitUntil(lambda: len(results) == 2 and len(errors) == 1, timeout=5000)
        assert 19 in results and "ok" in results and threads == [True]
        assert isinstance(errors[0], ZeroDivisionError)
        qtbot.waitUntil(lambda: progress == [(1, 2, "第一步")], timeout=2000)
        assert ctx.wait_for_workers(5000)


# -- widgets ---------------------------------------------------------------------------------------
def test_period_picker(qtbot):
    from desktop.core.periods import Period
    from desktop.gui.widgets.period_picker import PeriodPicker

    picker = PeriodPicker(Period.parse("2025-09"))
    qtbot.addWidget(picker)
    assert picker.period() == Period.parse("2025-09")
    seen = []
    picker.period_changed.connect(seen.append)
    picker.set_period(Period.parse("2024Q3"))
    assert picker.period() == Period.parse("2024Q3") and seen == []
    picker._index.setCurrentIndex(3)
    assert seen == [Period.parse("2024Q4")]
    picker._kind.setCurrentIndex(picker._kind.findData("year"))
    assert seen[-1] == Period.parse("2024")
    monthly = PeriodPicker(Period.parse("2025-03"), kinds=("month",))
    qtbot.addWidget(monthly)
    assert not monthly._kind.isVisibleTo(monthly) and monthly.period() == Period.parse("2025-03")


def test_error_text_is_chinese_message_of_cbec_error():
    from desktop.core.errors import ValidationError
    from desktop.gui.widgets.messages import error_text

    assert error_text(ValidationError("单位代码“9”不存在", detail="可用的单位代码：…")) == "单位代码“9”不存在\n可用的单位代码：…"
    assert error_text(OSError("磁盘已满")).startswith("操作失败：")


def test_home_page_today_is_last_full_month(qtbot, county_dir):
    from desktop.gui.pages.home import load_home_data

    with Store.open(county_dir) as store:
        data = load_home_data(store, "411323", date(2026, 1, 10))
    assert str(data.figures.period) == "2025-12" and data.figures.plan is not None
    assert len(data.this_year) == 12 and len(data.last_year) == 12


def test_log_folder_not_writable_falls_back_without_stopping(tmp_path, capsys):
    from desktop import logging_setup

    blocker = tmp_path / "不是文件夹"
    blocker.write_text("x", encoding="utf-8")            # logs/ cannot be created under a file
    assert logging_setup.setup_logging(blocker / "logs") is None
    assert "无法写入" in capsys.readouterr().err
    logging.getLogger("desktop.test").warning("仍然可以记录")
    assert logging_setup.current_log_file() is None


def test_application_has_the_program_icon(qapp):
    from desktop.gui.app import ensure_app

    app = ensure_app()
    assert not app.windowIcon().isNull()
    assert app.desktopFileName() == "nanyang-cbec"
