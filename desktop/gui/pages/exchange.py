"""数据交换 page: export this installation's signed package; import packages (file dialog, drag
and drop onto the window, or a .cbecpkg opened with the program) — preview first, then apply."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QPushButton, QTableView,
    QVBoxLayout, QWidget,
)

from desktop.gui.widgets.messages import show_error

SUFFIX = ".cbecpkg"
_LOG_COLUMNS = (("direction", "方向"), ("unit_code", "单位"), ("sequence", "序号"), ("file_name", "文件"),
                ("logged_at", "时间"), ("logged_by", "操作人"), ("fingerprint", "密钥指纹"))


class PackageLogModel(QAbstractTableModel):
    """Packages made and accepted, newest first: holds ids, fetches rows when Qt asks."""

    def __init__(self, store, parent: QObject | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.store = store
        self._ids: list[int] = []
        self._cache: dict[int, tuple] = {}

    def load(self) -> None:
        self.beginResetModel()
        self._ids = [r[0] for r in self.store.conn.execute("SELECT id FROM package_log ORDER BY id DESC")]
        self._cache.clear()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(_LOG_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _LOG_COLUMNS[section][1]
        return None

    def _row(self, r: int) -> tuple:
        rid = self._ids[r]
        if rid not in self._cache:
            cols = ", ".join(c for c, _ in _LOG_COLUMNS)
            self._cache[rid] = self.store.conn.execute(f"SELECT {cols} FROM package_log WHERE id = ?", (rid,)).fetchone()
        return self._cache[rid]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self._row(index.row())
        value = row[index.column()]
        key = _LOG_COLUMNS[index.column()][0]
        if key == "direction":
            return "导出" if value == "out" else "导入"
        if key == "unit_code":
            return f"{self.store.unit_name(value)}（{value}）"
        if key == "sequence":
            return f"第{value}号"
        if key == "logged_at":
            return str(value)[:16].replace("T", " ")
        return str(value)


def package_paths(urls: list[QUrl]) -> list[Path]:
    return [Path(u.toLocalFile()) for u in urls if u.isLocalFile() and u.toLocalFile().lower().endswith(SUFFIX)]


class ExchangePage(QWidget):
    page_title = "数据交换"

    def __init__(self, ctx) -> None:  # noqa: ANN001
        super().__init__()
        self.ctx = ctx
        self.pending: list[Path] = []
        self.last_export: Path | None = None
        self.busy = False
        self.task: Any = None  # the running check or import (widgets.long_task.LongTask)
        self._window_hooked = False
        layout = QVBoxLayout(self)
        layout.addWidget(self._export_box())
        layout.addWidget(self._import_box(), 2)
        if not ctx.is_municipal:
            self.notes = QPlainTextEdit(readOnly=True)
            box = QGroupBox("市级下发的退回意见和通知")
            QVBoxLayout(box).addWidget(self.notes)
            layout.addWidget(box, 1)
        self.log_model = PackageLogModel(ctx.store, self)
        self.log_view = QTableView()
        self.log_view.setModel(self.log_model)
        self.log_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        box = QGroupBox("数据包记录")
        QVBoxLayout(box).addWidget(self.log_view)
        layout.addWidget(box, 1)
        ctx.open_file_handlers.append(self.open_file)
        self.refresh()

    # -- layout -----------------------------------------------------------------------------------
    def _export_box(self) -> QGroupBox:
        what = "本单位全部台账、指标数据和报送状态" if not self.ctx.is_municipal else "目标值、指标目录、表头、截止日期和退回意见"
        box = QGroupBox("导出数据包（上报市级）" if not self.ctx.is_municipal else "导出下发数据包（发给各县市区）")
        lay = QVBoxLayout(box)
        lay.addWidget(QLabel(f"导出内容：{what}。导出后请将文件通过邮件发送。"))
        row = QHBoxLayout()
        self.export_button = QPushButton("导出数据包…")
        self.export_button.clicked.connect(self.choose_export_folder)
        self.open_folder_button = QPushButton("打开所在文件夹")
        self.open_folder_button.setEnabled(False)
        self.open_folder_button.clicked.connect(self._open_folder)
        row.addWidget(self.export_button)
        row.addWidget(self.open_folder_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.export_result = QLabel("")
        self.export_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_result.setWordWrap(True)
        lay.addWidget(self.export_result)
        return box

    def _import_box(self) -> QGroupBox:
        box = QGroupBox("导入各县市区数据包" if self.ctx.is_municipal else "导入市级下发的数据包")
        lay = QVBoxLayout(box)
        hint = "可一次选择多个文件，也可以把 .cbecpkg 文件拖到本窗口。" if self.ctx.is_municipal else ""
        lay.addWidget(QLabel(f"先预览变化，确认后再应用。应用前自动备份数据库。{hint}"))
        row = QHBoxLayout()
        self.choose_button = QPushButton("选择数据包…")
        self.choose_button.clicked.connect(self.choose_files)
        self.apply_button = QPushButton("应用导入")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply_import)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.clear_preview)
        for b in (self.choose_button, self.apply_button, self.cancel_button):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.status = QLabel("")
        lay.addWidget(self.status)
        self.preview = QPlainTextEdit(readOnly=True)
        self.preview.setPlaceholderText("选择数据包后，这里显示每个数据包的单位、序号、期别和各表的变化。")
        lay.addWidget(self.preview)
        return box

    # -- window hooks: drag and drop anywhere on the main window --------------------------------------
    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ParentChange and not self._window_hooked:
            win = self.window()
            if win is not self:
                win.setAcceptDrops(True)
                win.installEventFilter(self)
                self._window_hooked = True
        return super().event(e)

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:  # noqa: N802
        if e.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if e.mimeData().hasUrls() and package_paths(e.mimeData().urls()):
                e.acceptProposedAction()
                return True
        elif e.type() == QEvent.Type.Drop and e.mimeData().hasUrls():
            paths = package_paths(e.mimeData().urls())
            if paths:
                e.acceptProposedAction()
                self._show_self()
                self.preview_files(paths)
                return True
        return super().eventFilter(obj, e)

    def _show_self(self) -> None:
        win = self.window()
        pages = getattr(win, "pages", None)
        if pages and self in pages:
            win.show_page(pages.index(self))

    def open_file(self, path: Path) -> bool:
        """Handler for a .cbecpkg given on the command line / opened by file association."""
        if path.suffix.lower() != SUFFIX:
            return False
        self._show_self()
        self.preview_files([path])
        return True

    # -- refresh ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.log_model.load()
        if not self.ctx.is_municipal:
            from desktop.exchange.consolidation import county_notes_text

            self.notes.setPlainText(county_notes_text(self.ctx.store))

    # -- export -----------------------------------------------------------------------------------
    def choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择保存数据包的文件夹", str(self.ctx.data_dir.exports))
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> None:
        from desktop.exchange.package_export import export_package

        def work() -> Any:
            with self.ctx.open_worker_store() as store:
                return export_package(store, folder, operator=self.ctx.operator)

        self._busy(True, "正在导出并校验数据包……")
        self.ctx.run_in_thread(work, self._exported, self._failed)

    def _exported(self, result) -> None:  # noqa: ANN001
        self._busy(False, "")
        self.last_export = result.path
        self.open_folder_button.setEnabled(True)
        self.export_result.setText(
            f"已导出并校验：{result.path}\n第{result.sequence}号，{result.size:,} 字节。"
            f"本机签名密钥指纹：{result.fingerprint}（首次报送时请电话告知对方核对）")
        self.ctx.notify("package_log")
        self.refresh()

    def _open_folder(self) -> None:
        if self.last_export is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export.parent)))

    # -- import -----------------------------------------------------------------------------------
    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "选择数据包", str(Path.home()), f"数据包 (*{SUFFIX})")
        if files:
            self.preview_files([Path(f) for f in files])

    def preview_files(self, paths: list[Path]) -> None:
        from desktop.exchange.package_import import import_packages
        from desktop.gui.widgets.long_task import run_long

        if self.busy:
            return
        ctx = self.ctx

        def work(job: Any) -> Any:
            with ctx.open_worker_store() as store:
                return import_packages(store, paths, dry_run=True, progress=job.progress,
                                       cancelled=lambda: job.cancelled)

        self.pending = list(paths)
        self.preview.clear()
        self._busy(True, f"正在校验 {len(paths)} 个数据包……")
        self.task = run_long(ctx, self, f"正在校验 {len(paths)} 个数据包……", work, self._previewed, self._failed)

    def _previewed(self, result) -> None:  # noqa: ANN001
        self._busy(False, "")
        self.preview.setPlainText("\n\n".join(pv.text() for pv in result.previews))
        new = sum(pv.status == "new" for pv in result.previews)
        self.apply_button.setEnabled(new > 0)
        self.cancel_button.setEnabled(True)
        self.status.setText(f"共 {len(result.previews)} 个数据包，其中 {new} 个有新数据。请核对后点“应用导入”。"
                            if new else "这些数据包都已导入，无变化。")

    def apply_import(self) -> None:
        from desktop.exchange.package_import import import_packages
        from desktop.gui.widgets.long_task import run_long

        paths = list(self.pending)
        if not paths or self.busy:
            return
        ctx = self.ctx

        def work(job: Any) -> Any:
            with ctx.open_worker_store() as store:
                return import_packages(store, paths, operator=ctx.operator, progress=job.progress,
                                       cancelled=lambda: job.cancelled)

        self._busy(True, "正在备份数据库并导入……")
        self.task = run_long(ctx, self, "正在备份数据库并导入……", work, self._applied, self._failed)

    def _applied(self, result) -> None:  # noqa: ANN001
        self._busy(False, "")
        self.pending = []
        self.apply_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        lines = [pv.text() for pv in result.previews]
        lines.append(f"已导入。导入前备份：{result.backup}" if result.applied else "没有需要导入的新数据。")
        if result.findings:
            lines.append("跨单位核对发现以下问题（详见“报送情况”页）：")
            lines.extend(f"  · {f['message']}" for f in result.findings)
        self.preview.setPlainText("\n\n".join(lines))
        self.status.setText("导入完成。")
        for table in ("package_log", "indicator_value", "enterprise", "submission"):
            self.ctx.notify(table)
        self.refresh()

    def clear_preview(self) -> None:
        self.pending = []
        self.preview.clear()
        self.status.setText("已取消，数据库未作改动。")
        self.apply_button.setEnabled(False)
        self.cancel_button.setEnabled(False)

    def _failed(self, exc: BaseException) -> None:
        from desktop.exchange.package_import import ImportCancelled

        self._busy(False, "未完成，数据库未作改动。")
        self.pending = []
        self.apply_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        if isinstance(exc, ImportCancelled):
            self.preview.clear()
            self.status.setText(str(exc))
            return
        show_error(self, exc)

    def _busy(self, busy: bool, text: str) -> None:
        self.busy = busy
        if not busy:
            self.task = None
        for b in (self.export_button, self.choose_button):
            b.setEnabled(not busy)
        if busy:
            self.apply_button.setEnabled(False)
        self.status.setText(text)


def create_pages(ctx) -> list[QWidget]:  # noqa: ANN001
    return [ExchangePage(ctx)]
