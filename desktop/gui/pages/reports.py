"""报表 page: pick a report, unit (municipal) and period; preview the report model; save as PDF,
Excel or both off the GUI thread; open the folder; write the progress report's own text."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
    QProgressBar, QPushButton, QSplitter, QTableView, QTabWidget, QTextBrowser, QVBoxLayout, QWidget,
)

from desktop.core.periods import Period
from desktop.gui.context import AppContext
from desktop.gui.widgets.messages import show_error
from desktop.gui.widgets.period_picker import PeriodPicker
from desktop.reporting.model import Report, Table, display
from desktop.reporting.narrative import SECTIONS, load_texts, save_texts
from desktop.reporting.registry import build_report, list_reports, write_report
from desktop.storage.reference import CITY_CODE, unit_codes

_Index = QModelIndex | QPersistentModelIndex


class ReportTableModel(QAbstractTableModel):
    """One table of a built report, read-only; cells are formatted when Qt asks for them, so a
    20,000-row roster previews instantly."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.table: Table | None = None

    def set_table(self, table: Table | None) -> None:
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() or self.table is None else len(self.table.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.table is None else len(self.table.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if self.table is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.table.columns):
            return "\n".join(self.table.columns[section].path)  # the multi-level path, top to leaf
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self.table.rows):
            return str(section + 1)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if self.table is None or not index.isValid() or index.row() >= len(self.table.rows):
            return None
        row = self.table.rows[index.row()]
        col = self.table.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = display(col, row, row.values[index.column()])
            return ("\u3000" * row.level + text) if index.column() == 0 else text
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horiz = Qt.AlignmentFlag.AlignRight if col.numeric else Qt.AlignmentFlag.AlignLeft
            return int(horiz | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and row.style != "normal":
            font = QFont()
            font.setBold(True)
            return font
        return None


def head_html(report: Report) -> str:
    """The report's title block as the clerk will see it printed: 表号 block, title, unit line."""
    block = "<br>".join(report.header.lines()) if report.header else ""
    return (f"<div style='text-align:right; font-size:9pt'>{block}</div>"
            f"<h2 style='text-align:center; margin:2px'>{report.title}</h2>"
            f"<div style='text-align:center'>{report.subtitle}</div>"
            f"<table width='100%'><tr><td>填报单位（盖章）：{report.unit_name}</td>"
            f"<td align='right'>计量单位：{report.measure_unit}</td></tr></table>")


def narrative_html(report: Report) -> str:
    parts = [f"<h2 style='text-align:center'>{report.title}</h2>"]
    for s in report.sections:
        parts.append(f"<h3>{s.heading}</h3>")
        parts += [f"<p style='text-indent:2em'>{p}</p>" for p in s.paragraphs]
    parts.append("<p>附件：" + "；".join(f"{i}．{a.title}" for i, a in enumerate(report.attachments, 1)) + "</p>")
    return "".join(parts)


class ReportsPage(QWidget):
    page_title = "报表"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: Report | None = None
        self.last_files: list[Path] = []
        self.busy = False
        self.model = ReportTableModel(self)
        self._build()
        self._report_changed()

    # -- layout -------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.reports = QComboBox()
        for spec in list_reports(self.ctx.role):
            self.reports.addItem(spec.label, spec.code)
        self.reports.currentIndexChanged.connect(lambda _i: self._report_changed())
        self.units = QComboBox()
        if self.ctx.is_municipal:
            self.units.addItem("全市", CITY_CODE)
            for code in unit_codes(self.ctx.store):
                self.units.addItem(self.ctx.store.unit_name(code), code)
        else:
            self.units.addItem(self.ctx.unit_name, self.ctx.unit_code)
        self.units.setEnabled(self.ctx.is_municipal)
        self.units.currentIndexChanged.connect(lambda _i: self._report_changed())
        self.picker = PeriodPicker(Period.last_full_month().quarter_of())
        self.picker.period_changed.connect(lambda _p: self._report_changed())
        self.folder = QLineEdit(str(self.ctx.data_dir.exports))
        browse = QPushButton("选择文件夹…")
        browse.clicked.connect(self._choose_folder)
        self.preview_button = QPushButton("预览")
        self.preview_button.clicked.connect(self.preview)
        self.save_pdf = QPushButton("保存PDF")
        self.save_pdf.clicked.connect(lambda: self.save("pdf"))
        self.save_xlsx = QPushButton("保存Excel")
        self.save_xlsx.clicked.connect(lambda: self.save("xlsx"))
        self.save_both = QPushButton("全部保存")
        self.save_both.clicked.connect(lambda: self.save("both"))
        self.open_folder = QPushButton("打开所在文件夹")
        self.open_folder.setEnabled(False)
        self.open_folder.clicked.connect(self.open_output_folder)
        self.progress = QProgressBar()
        self.progress.setRange(0, 3)
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row1 = QHBoxLayout()
        for label, w in (("报表：", self.reports), ("单位：", self.units), ("期别：", self.picker)):
            row1.addWidget(QLabel(label))
            row1.addWidget(w)
        row1.addStretch(1)
        row2 = QHBoxLayout()
        row2.addWidget(QLabel("保存到："))
        row2.addWidget(self.folder, 1)
        row2.addWidget(browse)
        for b in (self.preview_button, self.save_pdf, self.save_xlsx, self.save_both, self.open_folder):
            row2.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._build_preview())
        splitter.addWidget(self._build_texts())
        splitter.setStretchFactor(0, 3)
        layout.addWidget(splitter, 1)

    def _build_preview(self) -> QWidget:
        box = QWidget()
        self.head = QLabel()
        self.head.setTextFormat(Qt.TextFormat.RichText)
        self.tables = QComboBox()  # 表6 has two tables
        self.tables.currentIndexChanged.connect(self._show_table)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(True)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.narrative = QTextBrowser()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.head, self.tables, self.view, self.narrative, self.notes):
            lay.addWidget(w)
        return box

    def _build_texts(self) -> QWidget:
        self.texts_box = QGroupBox("工作进展报告：本单位撰写的文字（程序生成的数字段落之后）")
        self.text_tabs = QTabWidget()
        self.editors: dict[str, QPlainTextEdit] = {}
        for key, heading, _auto in SECTIONS:
            ed = QPlainTextEdit()
            ed.setPlaceholderText(f"“{heading}”部分由本单位补充的文字，每段一行")
            self.editors[key] = ed
            self.text_tabs.addTab(ed, heading)
        self.save_texts_button = QPushButton("保存文字")
        self.save_texts_button.clicked.connect(self.save_texts)
        lay = QVBoxLayout(self.texts_box)
        lay.addWidget(self.text_tabs)
        lay.addWidget(self.save_texts_button, 0, Qt.AlignmentFlag.AlignRight)
        return self.texts_box

    # -- state ----------------------------------------------------------------------------------------
    def code(self) -> str:
        return self.reports.currentData()

    def unit(self) -> str | None:
        code = self.units.currentData()
        return None if code == CITY_CODE else code

    def set_output_dir(self, folder: Path | str) -> None:
        self.folder.setText(str(folder))

    def select_report(self, code: str) -> None:
        self.reports.setCurrentIndex(self.reports.findData(code))

    def _report_changed(self) -> None:
        narrative = self.code() == "T8"
        self.texts_box.setVisible(narrative)
        self.save_xlsx.setEnabled(not narrative)
        self.units.setEnabled(self.ctx.is_municipal and self.code() not in ("T9", "T10", "T11"))
        if narrative:
            self._load_texts()
        self._show(None)

    def _text_unit(self) -> str:
        return (self.unit() or CITY_CODE) if self.ctx.is_municipal else self.ctx.unit_code

    def _load_texts(self) -> None:
        texts = load_texts(self.ctx.store, self._text_unit(), self.picker.period())
        for key, ed in self.editors.items():
            ed.setPlainText(texts.get(key, ""))

    def save_texts(self) -> None:
        texts = {k: ed.toPlainText() for k, ed in self.editors.items()}
        try:
            save_texts(self.ctx.store, self._text_unit(), self.picker.period(), texts, operator=self.ctx.operator)
        except Exception as exc:  # noqa: BLE001 — shown to the clerk, nothing stored
            show_error(self, exc)
            return
        self.ctx.notify("setting")
        self.status.setText("文字已保存，预览或保存报告时使用。")

    # -- work off the GUI thread ---------------------------------------------------------------------
    def _start(self, fn, on_done) -> None:
        if self.busy:
            return
        self.busy = True
        for b in (self.preview_button, self.save_pdf, self.save_xlsx, self.save_both):
            b.setEnabled(False)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.status.setText("正在生成……")
        self.ctx.run_in_thread(fn, lambda result: self._finished(on_done, result), self._failed,
                               on_progress=self._progressed, with_job=True)

    def _progressed(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        if text:
            self.status.setText(text)

    def _finished(self, on_done, result) -> None:
        self._idle()
        on_done(result)

    def _failed(self, exc: BaseException) -> None:
        self._idle()
        self.status.setText("未生成。")
        show_error(self, exc)

    def _idle(self) -> None:
        self.busy = False
        self.progress.setVisible(False)
        for b in (self.preview_button, self.save_pdf, self.save_both):
            b.setEnabled(True)
        self.save_xlsx.setEnabled(self.code() != "T8")

    def _job(self, fmt: str | None):
        code, unit, period, folder = self.code(), self.unit(), self.picker.period(), Path(self.folder.text())
        open_store = self.ctx.open_worker_store

        def work(job) -> tuple[Report, list[Path]]:
            store = open_store()
            try:
                job.progress(0, 3, "正在汇总数据……")
                report = build_report(store, code, period, unit)
                if fmt is None:
                    job.progress(3, 3, "")
                    return report, []
                job.progress(1, 3, "正在写出文件……")
                paths = write_report(store, report, folder, fmt)
                job.progress(3, 3, "")
                return report, paths
            finally:
                store.close()

        return work

    def preview(self) -> None:
        def done(result: tuple[Report, list[Path]]) -> None:
            report = result[0]
            self._show(report)
            self.status.setText(f"预览：{report.unit_name} {report.title}（{report.period.label}）")

        self._start(self._job(None), done)

    def save(self, fmt: str) -> None:
        def done(result: tuple[Report, list[Path]]) -> None:
            report, paths = result
            self._show(report)
            self.last_files = paths
            self.open_folder.setEnabled(bool(paths))
            self.status.setText("已保存：\n" + "\n".join(str(p) for p in paths))

        self._start(self._job(fmt), done)

    def open_output_folder(self) -> None:
        folder = self.last_files[0].parent if self.last_files else Path(self.folder.text())
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "选择保存报表的文件夹", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    # -- preview ------------------------------------------------------------------------------------
    def _show(self, report: Report | None) -> None:
        self.report = report
        narrative = bool(report and report.narrative)
        self.narrative.setVisible(narrative)
        self.view.setVisible(not narrative)
        self.head.setText(head_html(report) if report and not narrative else "")
        self.notes.setText("\n".join(f"说明：{n}" for n in report.notes) if report and not narrative else "")
        self.tables.blockSignals(True)
        self.tables.clear()
        for t in (report.tables if report and not narrative else []):
            self.tables.addItem(t.caption or report.title)
        self.tables.blockSignals(False)
        self.tables.setVisible(self.tables.count() > 1)
        if narrative:
            self.narrative.setHtml(narrative_html(report))
        self._show_table(0)

    def _show_table(self, i: int) -> None:
        tables = self.report.tables if self.report and not self.report.narrative else []
        self.model.set_table(tables[i] if 0 <= i < len(tables) else None)
        if self.model.rowCount() <= 500:
            self.view.resizeColumnsToContents()

    def refresh(self) -> None:
        if self.code() == "T8" and not self.busy:
            self._load_texts()


def create_pages(ctx: AppContext) -> list[QWidget]:
    return [ReportsPage(ctx)]
