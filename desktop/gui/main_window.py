"""Main window: navigation list on the left, the pages in a stack, menus and status bar.

Pages come from PAGE_MODULES: each module under desktop.gui.pages has
`create_pages(ctx) -> list[QWidget]`; a page has `page_title: str`, optionally
`page_roles: set[str]` ({'county'}, {'municipal'}; default both) and `refresh()`, which is
called whenever the page is shown and when data changes while it is shown, and `before_quit()`,
called when the window closes.

Start-up: the window is built with the first module's pages (the home page) and shown; the
other modules are imported and their pages added right after (load_deferred_pages), so their
imports do not delay the first picture. Keep heavy imports inside create_pages or later anyway.
"""
from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QListWidget, QMainWindow, QSplitter, QStackedWidget, QWidget

from desktop import __version__
from desktop.gui.context import AppContext

log = logging.getLogger(__name__)

APP_TITLE = "南阳跨境电商综试区统计填报系统"
ALL_ROLES = frozenset({"county", "municipal"})

# Page modules under desktop.gui.pages, in navigation order. Add one line for a new page module.
PAGE_MODULES: tuple[str, ...] = (
    "desktop.gui.pages.home",
    "desktop.gui.pages.entry",
    "desktop.gui.pages.tasks",
    "desktop.gui.pages.ledgers",
    "desktop.gui.pages.exchange",
    "desktop.gui.pages.consolidation",
    "desktop.gui.pages.reports",
)


def window_title(ctx: AppContext) -> str:
    parts = [APP_TITLE, ctx.unit_name]
    if ctx.operator:
        parts.append(ctx.operator)
    return " — ".join(parts)


def about_text(ctx: AppContext) -> str:
    from desktop.storage.db import schema_version

    log_file = ctx.log_file or ctx.data_dir.logs / "cbec.log"
    return (
        f"<b>{APP_TITLE}</b><br>版本：{__version__}（数据库结构版本 {schema_version()}）<br><br>"
        f"使用单位：{ctx.unit_name}（{ctx.unit_code}）<br>角色：{ctx.role_name}<br>"
        f"填表人：{ctx.operator or '（未填写）'}<br><br>"
        f"数据文件夹：{ctx.data_dir.root}<br>数据库：{ctx.data_dir.db_path}<br>"
        f"日志文件：{log_file}<br>备份文件夹：{ctx.data_dir.backups}<br><br>"
        "南阳市跨境电商综试区建设工作领导小组办公室"
    )


def relaunch_command(data_dir: str) -> tuple[str, list[str]]:
    """The command that starts this program on `data_dir` (frozen executable or source)."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["--data-dir", data_dir]
    return sys.executable, ["-m", "desktop", "--data-dir", data_dir]


def page_visible(page: QWidget, role: str) -> bool:
    return role in set(getattr(page, "page_roles", ALL_ROLES) or ALL_ROLES)


class MainWindow(QMainWindow):
    """With defer_pages=True only the first page module is loaded now; call load_deferred_pages()
    (the entry point does, once the window is shown). Without it every page is built at once."""

    def __init__(self, ctx: AppContext, *, defer_pages: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        self.pages: list[QWidget] = []
        self._deferred: list[str] = list(PAGE_MODULES[1:]) if defer_pages else []
        self.setWindowTitle(window_title(ctx))
        self.resize(1180, 780)
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setStyleSheet("#navigation { font-size: 11pt; } #navigation::item { padding: 7px 10px; }")
        self.nav.setMinimumWidth(140)
        self.nav.setMaximumWidth(220)
        self.stack = QStackedWidget()
        splitter = QSplitter()  # horizontal
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([170, 1010])
        self.setCentralWidget(splitter)
        self._build_menus()
        self._build_status_bar()
        self._load_pages(PAGE_MODULES[:1] if defer_pages else PAGE_MODULES)
        self.nav.currentRowChanged.connect(self.show_page)
        ctx.data_changed.connect(self._data_changed)
        if self.pages:
            self.nav.setCurrentRow(0)

    # -- pages ----------------------------------------------------------------------------------
    def _load_pages(self, modules: tuple[str, ...] | list[str]) -> None:
        for name in modules:
            module = importlib.import_module(name)
            for page in module.create_pages(self.ctx):
                if page_visible(page, self.ctx.role):
                    self.add_page(page)

    def load_deferred_pages(self) -> None:
        """Add the pages of the remaining modules (no-op when nothing is deferred)."""
        pending, self._deferred = self._deferred, []
        self._load_pages(pending)

    def add_page(self, page: QWidget) -> None:
        self.pages.append(page)
        self.stack.addWidget(page)
        self.nav.addItem(getattr(page, "page_title", page.objectName() or "页面"))

    def page_titles(self) -> list[str]:
        return [getattr(p, "page_title", "") for p in self.pages]

    def page_by_title(self, title: str) -> QWidget:
        for p in self.pages:
            if getattr(p, "page_title", None) == title:
                return p
        raise KeyError(title)

    def current_page(self) -> QWidget | None:
        return self.stack.currentWidget()

    def show_page(self, index: int) -> None:
        if not 0 <= index < len(self.pages):
            return
        if self.nav.currentRow() != index:
            self.nav.setCurrentRow(index)  # re-enters via currentRowChanged
            return
        self.stack.setCurrentIndex(index)
        self._refresh(self.pages[index])

    def _refresh(self, page: QWidget) -> None:
        refresh = getattr(page, "refresh", None)
        if callable(refresh):
            refresh()

    def _data_changed(self, table: str) -> None:
        page = self.current_page()
        if page is not None:
            log.debug("data changed (%s): refreshing %s", table, getattr(page, "page_title", "?"))
            self._refresh(page)

    # -- menus and status bar ---------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        self.switch_action = QAction("切换数据文件夹(&D)…", self)
        self.switch_action.triggered.connect(self.switch_data_folder)
        file_menu.addAction(self.switch_action)
        file_menu.addSeparator()
        # No keyboard shortcut: registering one costs ~20 ms of start-up; Alt+F, X works.
        quit_action = QAction("退出(&X)", self)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        self.about_action = QAction("关于(&A)", self)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)

    def switch_data_folder(self) -> None:
        """Open another data folder: start a new copy of the program on it, then close this one
        (each data folder has its own lock, log and database, so nothing is shared)."""
        from PySide6.QtWidgets import QFileDialog

        from desktop.gui.widgets.messages import show_error

        chosen = QFileDialog.getExistingDirectory(self, "选择数据文件夹", str(self.ctx.data_dir.root.parent))
        if not chosen or Path(chosen).resolve() == self.ctx.data_dir.root.resolve():
            return
        program, args = relaunch_command(chosen)
        from PySide6.QtCore import QProcess

        started = QProcess.startDetached(program, args)
        ok = started[0] if isinstance(started, tuple) else bool(started)
        if not ok:
            show_error(self, f"无法用数据文件夹“{chosen}”启动程序。")
            return
        log.info("switching data folder to %s", chosen)
        self.close()

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox  # not at start-up: its enums cost ~1 ms

        QMessageBox.about(self, f"关于 {APP_TITLE}", about_text(self.ctx))

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_folder = QLabel(f"数据文件夹：{self.ctx.data_dir.root}")
        self.status_role = QLabel(f"角色：{self.ctx.role_name}")
        self.status_unit = QLabel(f"单位：{self.ctx.unit_name}（{self.ctx.unit_code}）")
        bar.addWidget(self.status_folder, 1)
        bar.addPermanentWidget(self.status_role)
        bar.addPermanentWidget(self.status_unit)

    def closeEvent(self, event) -> None:  # noqa: N802 — Qt override
        self.ctx.wait_for_workers(10_000)
        for page in self.pages:  # e.g. the home page stores its figures for the next start
            before_quit = getattr(page, "before_quit", None)
            if callable(before_quit):
                try:
                    before_quit()
                except Exception:  # noqa: BLE001 — closing must never fail
                    log.exception("before_quit of %s failed", getattr(page, "page_title", page))
        log.info("main window closed")
        super().closeEvent(event)
