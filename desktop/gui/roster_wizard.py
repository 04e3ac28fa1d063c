"""从Excel导入 wizard: choose a file → check the header row and column mapping → preview accepted,
rejected and warned rows (sheet, row, reason) → import in one transaction off the GUI thread →
result with counts and the errors workbook. The rules are those of `cbec roster import`."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableView,
    QVBoxLayout, QWidget, QWizard, QWizardPage,
)

from desktop.core.errors import CbecError
from desktop.core.ledgers import kind_of
from desktop.exchange.roster import ImportPlan, ImportResult, apply_import, plan_import
from desktop.exchange.roster_read import RosterFile, read_roster
from desktop.gui.ledger_model import MappingModel, PreviewModel, TargetDelegate
from desktop.gui.widgets.long_task import LongTask, run_long
from desktop.gui.widgets.messages import show_error

FILE_FILTER = "Excel 或 CSV 文件 (*.xlsx *.xls *.csv);;所有文件 (*)"
PAGE_FILE, PAGE_MAPPING, PAGE_PREVIEW, PAGE_RESULT = range(4)


def _table(model: QAbstractTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setStretchLastSection(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    return view


class FilePage(QWizardPage):
    def __init__(self, wizard: RosterWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("第一步：选择文件")
        self.setSubTitle(f"选择{wizard.kind.title}名录（.xlsx、.xls 或 .csv，UTF-8 或 GB18030 编码）。"
                         "程序会自己找到表头行，跳过空行、合计行和表尾。")
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("path")
        self.path_edit.textChanged.connect(self.completeChanged)
        browse = QPushButton("选择文件…")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.template_button = QPushButton("保存空白导入模板…")
        self.template_button.setObjectName("saveTemplate")
        self.template_button.setToolTip("带表头说明和下拉选项的模板；按模板填写最不容易出错")
        self.template_button.clicked.connect(lambda: self.save_template())
        self.template_label = QLabel()
        self.template_label.setWordWrap(True)
        trow = QHBoxLayout()
        trow.addWidget(self.template_button)
        trow.addWidget(self.template_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addSpacing(12)
        layout.addLayout(trow)
        layout.addStretch(1)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择要导入的文件", self.path_edit.text(), FILE_FILTER)
        if path:
            self.path_edit.setText(path)

    def save_template(self, path: str | None = None) -> Path | None:
        from desktop.exchange.roster_write import write_template

        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "保存导入模板", f"{self.w.kind.title}名录导入模板.xlsx",
                                                  "Excel 工作簿 (*.xlsx)")
            if not path:
                return None
        try:
            out = Path(write_template(self.w.ctx.store, self.w.kind.key, path))
        except CbecError as exc:
            show_error(self, exc)
            return None
        self.template_label.setText(f"已保存：{out}")
        return out

    def isComplete(self) -> bool:  # noqa: N802
        return Path(self.path_edit.text().strip()).is_file()

    def validatePage(self) -> bool:  # noqa: N802
        """Reading runs in the thread pool; the wizard moves on by itself when it is done."""
        if self.w.take_ready():
            return True
        if not self.w.running:
            path, kind = self.path_edit.text().strip(), self.w.kind.key
            self.w.run_step("正在读取文件…", lambda job: read_roster(path, kind), self._read)
        return False

    def _read(self, roster: RosterFile) -> None:
        self.w.roster = roster


class MappingPage(QWizardPage):
    def __init__(self, wizard: RosterWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("第二步：核对表头和列的对应关系")
        self.setSubTitle("“导入为”一列可双击修改；不需要的列选“（不导入）”。")
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("sheet")
        self.sheet_combo.currentIndexChanged.connect(self._show_sheet)
        self.info = QLabel()
        self.info.setObjectName("headerInfo")
        self.info.setWordWrap(True)
        self.view = QTableView()
        self.view.setObjectName("mapping")
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.models: dict[str, MappingModel] = {}
        top = QHBoxLayout()
        top.addWidget(QLabel("工作表："))
        top.addWidget(self.sheet_combo, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.info)
        layout.addWidget(self.view, 1)

    def initializePage(self) -> None:  # noqa: N802
        roster: RosterFile = self.w.roster
        self.models = {s.name: MappingModel(roster.kind, s, self) for s in roster.sheets}
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        for s in roster.sheets:
            self.sheet_combo.addItem(f"{s.name}（{len(s.rows)} 行数据）", s.name)
        self.sheet_combo.blockSignals(False)
        self._show_sheet()

    def model(self, sheet: str | None = None) -> MappingModel:
        return self.models[sheet or self.sheet_combo.currentData()]

    def _show_sheet(self) -> None:
        name = self.sheet_combo.currentData()
        if name is None:
            return
        model = self.models[name]
        self.view.setModel(model)
        self.view.setItemDelegateForColumn(3, TargetDelegate(model.targets, self.view))
        for col, width in enumerate((50, 220, 200)):
            self.view.setColumnWidth(col, width)
        rows = "、".join(f"第 {r} 行" for r in model.sheet.header_rows)
        ignored = self.w.roster.ignored_sheets
        extra = f"；未找到表头、不导入的工作表：{'、'.join(ignored)}" if ignored else ""
        self.info.setText(f"表头位于{rows}，数据 {len(model.sheet.rows)} 行{extra}")

    def mappings(self) -> dict[str, dict[int, str]]:
        return {name: m.full_mapping() for name, m in self.models.items()}

    def validatePage(self) -> bool:  # noqa: N802
        """Checking every row against the ledger runs in the thread pool on its own connection."""
        if self.w.take_ready():
            return True
        if not self.w.running:
            roster, mappings, ctx = self.w.roster, self.mappings(), self.w.ctx

            def work(job: Any) -> ImportPlan:
                store = ctx.open_worker_store()
                try:
                    return plan_import(store, roster, mappings)
                finally:
                    store.close()

            self.w.run_step("正在逐行检查…", work, self._planned)
        return False

    def _planned(self, plan: ImportPlan) -> None:
        self.w.plan = plan


class PreviewPage(QWizardPage):
    def __init__(self, wizard: RosterWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("第三步：预览")
        self.setSubTitle("退回的行不会导入，可在导入后保存为错误工作簿，修改后再导入。点击“导入”写入数据库。")
        self.counts = QLabel()
        self.counts.setObjectName("previewCounts")
        self.counts.setWordWrap(True)
        self.model = PreviewModel(None, self)
        self.view = _table(self.model)
        self.view.setObjectName("preview")
        self.view.setWordWrap(True)
        for col, width in enumerate((100, 50, 50, 190)):
            self.view.setColumnWidth(col, width)
        self.view.verticalHeader().setMinimumSectionSize(26)
        self.setButtonText(QWizard.WizardButton.NextButton, "导入")
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.view, 1)

    def initializePage(self) -> None:  # noqa: N802
        plan: ImportPlan = self.w.plan
        self.model.set_plan(plan)
        if self.model.rowCount() <= 2000:  # long reasons wrap instead of ending in …
            self.view.resizeRowsToContents()
        self.counts.setText(
            f"将新增 {plan.count('add')} 条，更新 {plan.count('update')} 条，未变 {plan.count('unchanged')} 条；"
            f"退回 {len(plan.rejected)} 行，提示 {len(plan.warnings_json())} 条，跳过 {len(plan.skipped)} 行。")

    def validatePage(self) -> bool:  # noqa: N802
        if self.w.take_ready():
            return True
        if not self.w.running:
            self.w.start_apply()
        return False


class ResultPage(QWizardPage):
    def __init__(self, wizard: RosterWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("第四步：导入结果")
        self.text = QLabel()
        self.text.setObjectName("resultText")
        self.text.setWordWrap(True)
        self.save_errors_button = QPushButton("保存错误行工作簿…")
        self.save_errors_button.setObjectName("saveErrors")
        self.save_errors_button.clicked.connect(lambda: self.w.save_errors())
        self.saved_label = QLabel()
        self.saved_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.save_errors_button)
        layout.addWidget(self.saved_label)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        result: ImportResult = self.w.result
        lines = [f"已导入：{result.summary()}。",
                 "可在台账页面按 Ctrl+Z 撤销这次导入。" if result.added or result.updated else ""]
        if result.rejected:
            lines.append("退回的行未导入：请保存错误行工作簿（原行加“错误原因”列），改正后再导入。")
        self.text.setText("\n".join(t for t in lines if t))
        self.save_errors_button.setEnabled(bool(result.rejected))


class RosterWizard(QWizard):
    """The import wizard of one ledger kind; the apply step runs in the thread pool."""

    def __init__(self, ctx: Any, kind_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind_of(kind_key)
        self.roster: RosterFile | None = None
        self.plan: ImportPlan | None = None
        self.result: ImportResult | None = None
        self.error: BaseException | None = None
        self.running = False
        self._ready = False
        self.task: LongTask | None = None
        self.setWindowTitle(f"从Excel导入{self.kind.title}名录")
        self.setObjectName(f"rosterWizard_{kind_key}")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage)
        self.setButtonText(QWizard.WizardButton.BackButton, "上一步")
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.file_page, self.mapping_page = FilePage(self), MappingPage(self)
        self.preview_page, self.result_page = PreviewPage(self), ResultPage(self)
        for pid, page in enumerate((self.file_page, self.mapping_page, self.preview_page, self.result_page)):
            self.setPage(pid, page)
        self.resize(820, 560)

    # -- long steps in the thread pool ----------------------------------------------------------
    def run_step(self, title: str, work: Callable[[Any], Any], on_result: Callable[[Any], None]) -> None:
        """Run a page's long work off the GUI thread; when it succeeds, keep the result and move
        to the next page (whose validatePage then lets it pass through take_ready)."""
        self.running = True
        self._enable_buttons(False)

        def done(value: Any) -> None:
            self.running = False
            self._enable_buttons(True)
            on_result(value)
            self._ready = True
            self.next()

        self.task = run_long(self.ctx, self, title, work, done, self._failed)

    def take_ready(self) -> bool:
        ready, self._ready = self._ready, False
        return ready

    def _enable_buttons(self, on: bool) -> None:
        for b in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton):
            self.button(b).setEnabled(on)

    def start_apply(self) -> None:
        plan, operator, ctx = self.plan, self.ctx.operator, self.ctx

        def work(job: Any) -> ImportResult:
            store = ctx.open_worker_store()
            try:
                return apply_import(store, plan, operator=operator,
                                    progress=lambda d, t: job.progress(d, t, f"正在导入 {d}/{t}"),
                                    cancelled=lambda: job.cancelled)
            finally:
                store.close()

        self.run_step("正在导入…", work, self._applied)

    def reject(self) -> None:
        """Closing while work runs asks it to stop (an import's transaction is rolled back); the
        wizard stays open until the worker has finished."""
        if self.running:
            if self.task is not None:
                self.task.cancel()
            return
        super().reject()

    def _applied(self, result: ImportResult) -> None:
        self.result = result
        self.ctx.notify(self.kind.table)

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.error = exc
        self._enable_buttons(True)
        show_error(self, exc)

    def save_errors(self, path: str | None = None) -> Path | None:
        from desktop.exchange.roster_write import write_errors_workbook

        if self.plan is None:
            return None
        if path is None:
            default = str(self.plan.source.with_name(f"{self.plan.source.stem}_错误行.xlsx"))
            path, _ = QFileDialog.getSaveFileName(self, "保存错误行工作簿", default, "Excel 工作簿 (*.xlsx)")
            if not path:
                return None
        try:
            out = write_errors_workbook(self.plan, path)
        except CbecError as exc:
            show_error(self, exc)
            return None
        self.result_page.saved_label.setText(f"已保存：{out}")
        return Path(out)
