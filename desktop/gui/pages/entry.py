"""数据填报: the DHIS2-style entry grid of a month or quarter — type, check, save, 报送, 更正;
the municipal office views any unit's figures read-only and can return a period (退回修改)."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QKeySequence, QPalette, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate, QAbstractItemView, QApplication, QComboBox, QGroupBox, QHBoxLayout, QHeaderView,
    QInputDialog, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QSplitter, QStyle, QStyledItemDelegate,
    QStyleOptionViewItem, QTableView, QVBoxLayout, QWidget,
)

from desktop.core.errors import CbecError
from desktop.core.periods import Period
from desktop.gui.context import AppContext
from desktop.gui.entry_model import COMPARE_ROLE, ERROR_BG, EXPLAINED_BG, WARNING_BG, EntryGridModel
from desktop.gui.widgets.messages import confirm, show_error
from desktop.gui.widgets.period_picker import PeriodPicker
from desktop.storage import entry
from desktop.storage.entry import TOTAL_CATEGORY
from desktop.storage.reference import unit_codes

LOCKED_TEXT = "已报送，如需更正请点击更正"
ROW_HEIGHT = 54
SECTION_HEIGHT = 28
_BANNER_STYLES = {
    "submitted": "background:#dff0d8; color:#1e5b1e; border:1px solid #9cc99c;",
    "returned": "background:#f8d7da; color:#842029; border:1px solid #e3a5ab;",
    "reopened": "background:#fff3cd; color:#664d03; border:1px solid #e6cf84;",
}


class CompareDelegate(QStyledItemDelegate):
    """Paints a value cell as the value with 上期 and 同期 below it in small grey type."""

    def paint(self, painter, option, index) -> None:
        sub = index.data(COMPARE_ROLE)
        if not sub:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        if selected:  # keep the red/amber status colour visible; mark the cell with a frame instead
            opt.state &= ~QStyle.StateFlag.State_Selected
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if selected:
            painter.save()
            painter.setPen(QPen(QColor("#1554b0"), 2))
            painter.drawRect(opt.rect.adjusted(1, 1, -1, -1))
            painter.restore()
        r = opt.rect.adjusted(4, 1, -5, -2)
        lines = sub.split("\n")
        first_h = r.height() * 2 // 5
        small_h = (r.height() - first_h) // max(len(lines), 1)
        painter.save()
        painter.setFont(opt.font)
        fg = index.data(Qt.ItemDataRole.ForegroundRole)
        painter.setPen(fg.color() if fg is not None else opt.palette.color(QPalette.ColorRole.Text))
        right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        painter.drawText(QRect(r.left(), r.top(), r.width(), first_h), right, text)
        small = QFont(opt.font)
        small.setPointSizeF(max(opt.font.pointSizeF() * 0.8, 6.5))
        painter.setFont(small)
        painter.setPen(QColor("#666666"))
        for i, line in enumerate(lines):
            painter.drawText(QRect(r.left(), r.top() + first_h + i * small_h, r.width(), small_h), right, line)
        painter.restore()


    def createEditor(self, parent, option, index):  # noqa: N802 — Qt override
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QLineEdit):
            editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            target = QPersistentModelIndex(index)
            editor.textEdited.connect(lambda text, e=editor: self.preview(e, target, text))
        return editor

    @staticmethod
    def preview(editor: QLineEdit, index: QPersistentModelIndex, text: str) -> None:
        """Colour the editor as the clerk types: red for an error, amber for a warning."""
        model = index.model()
        key = model.key_at(index) if model is not None else None
        if key is None:
            return
        level, messages = model.preview(key, text)
        colour = {"error": ERROR_BG, "warning": WARNING_BG, "explained": EXPLAINED_BG}.get(level)
        editor.setStyleSheet(f"QLineEdit {{ background: {colour.name()}; }}" if colour else "")
        editor.setToolTip("\n".join(messages))


class EntryTableView(QTableView):
    """Tab/Shift+Tab and Enter move through the editable cells only, passing over the optional
    合计 (reached with the arrow keys or the mouse); Enter after typing moves on; Del clears the
    current cell."""

    def moveCursor(self, action, modifiers) -> QModelIndex:  # noqa: N802 — Qt override
        nxt = QAbstractItemView.CursorAction.MoveNext
        prv = QAbstractItemView.CursorAction.MovePrevious
        if action not in (nxt, prv):
            return super().moveCursor(action, modifiers)
        return self.neighbour(self.currentIndex(), forward=action == nxt)

    def neighbour(self, start: QModelIndex, *, forward: bool) -> QModelIndex:
        m = self.model()
        rows, cols = m.rowCount(), m.columnCount()
        pos = start.row() * cols + start.column() if start.isValid() else -1
        for _ in range(rows * cols):
            pos = (pos + (1 if forward else -1)) % (rows * cols)
            idx = m.index(pos // cols, pos % cols)
            key = m.key_at(idx)
            if key is not None and (m.read_only or key[1] != TOTAL_CATEGORY):
                return idx
        return start

    def keyPressEvent(self, event) -> None:  # noqa: N802 — Qt override
        editing = self.state() == QAbstractItemView.State.EditingState
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not editing:
            self.setCurrentIndex(self.neighbour(self.currentIndex(), forward=True))
            return
        if event.key() == Qt.Key.Key_Delete and not editing:  # clear the cell
            self.model().setData(self.currentIndex(), "")
            return
        super().keyPressEvent(event)

    def closeEditor(self, editor, hint) -> None:  # noqa: N802 — Qt override
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:  # Enter in the editor
            hint = QAbstractItemDelegate.EndEditHint.EditNextItem
        super().closeEditor(editor, hint)


class EntryPage(QWidget):
    page_title = "数据填报"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.municipal = ctx.is_municipal
        # Dialog hooks (tests replace them): confirmation, reason for 更正, note for 退回.
        self.ask_confirm = lambda text: confirm(self, text)
        self.ask_text = self._ask_text
        self.model = EntryGridModel(ctx.store, self)
        self._build()
        self.model.issues_changed.connect(self._update_status)
        self.model.issues_changed.connect(self._show_cell_info)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._show_cell())
        self._unit = self._units.currentData() if self.municipal else ctx.unit_code
        self._period = self.picker.period()
        self.load()

    # -- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.picker = PeriodPicker(Period.last_full_month(), kinds=("month", "quarter"))
        self.picker.period_changed.connect(self._period_changed)
        top = QHBoxLayout()
        top.addWidget(QLabel("填报期别："))
        top.addWidget(self.picker)
        self._units = QComboBox()
        if self.municipal:
            for code in unit_codes(self.ctx.store):
                self._units.addItem(self.ctx.store.unit_name(code), code)
            self._units.currentIndexChanged.connect(self._unit_changed)
            top.addWidget(QLabel("填报单位："))
            top.addWidget(self._units)
        self.state_label = QLabel()
        top.addWidget(self.state_label)
        top.addStretch(1)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setObjectName("entryBanner")
        self.note = QLabel()
        self.note.setStyleSheet("color:#555;")
        self.view = EntryTableView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(CompareDelegate(self.view))
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.view.horizontalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.horizontalHeader().setMinimumSectionSize(88)
        pal = self.view.palette()
        pal.setColor(QPalette.ColorRole.Highlight, QColor("#b9d4f5"))
        pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#000000"))
        self.view.setPalette(pal)
        self.view.setWordWrap(False)
        grid_box = QVBoxLayout()
        grid_box.setContentsMargins(0, 0, 0, 0)
        grid_box.addWidget(self.banner)
        grid_box.addWidget(self.view, 1)
        grid_box.addWidget(self.note)
        left = QWidget()
        left.setLayout(grid_box)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self._build_side())
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([780, 220])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(self._build_buttons())

    def _build_side(self) -> QWidget:
        box = QGroupBox("单元格详情")
        lay = QVBoxLayout(box)
        self.cell_title = QLabel("请选择一个单元格")
        self.cell_title.setStyleSheet("font-weight:bold;")
        self.cell_title.setWordWrap(True)
        self.cell_info = QLabel()
        self.cell_info.setWordWrap(True)
        self.cell_info.setTextFormat(Qt.TextFormat.PlainText)
        self.cell_issues = QLabel()
        self.cell_issues.setWordWrap(True)
        self.comment_label = QLabel("说明（同比变动超过±50%、合计与分项不符等须填写）：")
        self.comment_label.setWordWrap(True)
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("写明原因，例如：新增两家B2B出口企业投产")
        self.comment.textChanged.connect(self._comment_edited)
        for w in (self.cell_title, self.cell_info, self.cell_issues, self.comment_label):
            lay.addWidget(w)
        lay.addWidget(self.comment, 1)
        box.setMinimumWidth(200)
        return box

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.summary = QLabel()
        row.addWidget(self.summary, 1)
        self.discard_button = QPushButton("放弃修改")
        self.save_button = QPushButton("保存 (Ctrl+S)")
        self.submit_button = QPushButton("报送")
        self.correct_button = QPushButton("更正")
        self.return_button = QPushButton("退回修改")
        self.discard_button.clicked.connect(self.discard)
        self.save_button.clicked.connect(self.save)
        self.submit_button.clicked.connect(self.submit)
        self.correct_button.clicked.connect(self.correct)
        self.return_button.clicked.connect(self.return_to_unit)
        buttons = ([self.return_button] if self.municipal else
                   [self.discard_button, self.save_button, self.submit_button, self.correct_button])
        for b in buttons:
            row.addWidget(b)
        for b in {self.discard_button, self.save_button, self.submit_button, self.correct_button,
                  self.return_button} - set(buttons):
            b.hide()
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        return row

    # -- loading ----------------------------------------------------------------------------------
    def load(self) -> None:
        self.model.load(self._unit, str(self._period), read_only=self.municipal)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for r, line in enumerate(self.model.lines):
            self.view.setRowHeight(r, SECTION_HEIGHT if line.row is None else ROW_HEIGHT)
        self._update_banner()
        self._update_status()
        first = self.view.neighbour(self.model.index(0, 0), forward=True)
        self.view.setCurrentIndex(first)
        self._show_cell()

    def refresh(self) -> None:
        if not self.model.dirty:  # never throw away what the clerk is typing
            self.load()

    def set_period(self, period: Period | str) -> None:
        period = Period.parse(period)
        self.picker.set_period(period)
        self._period_changed(period)

    def _period_changed(self, period: Period) -> None:
        if period == self._period:
            return
        if self.model.dirty and not self._save_quietly():
            self.picker.set_period(self._period)
            return
        self._period = period
        self.load()

    def _unit_changed(self) -> None:
        self._unit = self._units.currentData()
        self.load()

    def _save_quietly(self) -> bool:
        try:
            self.model.save(operator=self.ctx.operator)
        except CbecError as exc:
            show_error(self, exc)
            return False
        self.ctx.notify("indicator_value")
        return True

    # -- status -----------------------------------------------------------------------------------
    def _update_banner(self) -> None:
        sub = self.model.grid.submission
        text = ""
        if sub.state == "submitted":
            text = f"{LOCKED_TEXT}（第{sub.version}版，{(sub.submitted_at or '')[:16].replace('T', ' ')} 由{sub.submitted_by or '—'}报送）"
            if self.municipal:
                text = f"已报送（第{sub.version}版），如数据有误请点击“退回修改”"
        elif sub.state == "returned":
            text = f"市综试办退回修改：{sub.return_note or sub.reason or ''}（修改后请重新报送，第{sub.version}版）"
        elif sub.state == "reopened":
            text = f"更正中（第{sub.version}版），更正原因：{sub.reason or ''}。修改后请重新报送"
        self.banner.setText(text)
        self.banner.setStyleSheet(f"QLabel#entryBanner{{{_BANNER_STYLES.get(sub.state, '')} padding:6px;}}")
        self.banner.setVisible(bool(text))
        p = Period.parse(self.model.grid.period)
        self.note.setText("季度指标（孵化跨境电商企业）请选择“季报”填报。" if p.kind == "month" and p.index % 3 == 0
                          else "")
        self.note.setVisible(bool(self.note.text()))

    def _update_status(self) -> None:
        sub = self.model.grid.submission if self.model.grid else None
        if sub is None:
            return
        self.state_label.setText(f"状态：{sub.state_label} · 第{sub.version}版")
        errors, open_w, done_w = self.model.summary()
        parts = [f"{errors} 个错误" if errors else "", f"{open_w} 个警告待填写说明" if open_w else "",
                 f"{done_w} 个警告已说明" if done_w else ""]
        text = "，".join(p for p in parts if p) or "校验通过"
        if self.model.dirty:
            text += "（有未保存的修改）"
        self.summary.setText(text)
        self.summary.setStyleSheet("color:#b00020;" if errors else ("color:#9a6700;" if open_w else "color:#1e5b1e;"))
        editable = not self.model.read_only
        self.save_button.setEnabled(editable and self.model.dirty)
        self.discard_button.setEnabled(editable and self.model.dirty)
        self.submit_button.setEnabled(editable and not self.municipal)
        self.correct_button.setEnabled(sub.locked and not self.municipal)
        self.return_button.setEnabled(self.municipal and sub.locked)

    def current_key(self):
        return self.model.key_at(self.view.currentIndex())

    def _show_cell(self) -> None:
        """Side panel for the current cell: comparison, issues and its 说明."""
        key = self._show_cell_info()
        self.comment.blockSignals(True)
        try:
            text = self.model.comment(key) if key is not None else ""
            self.comment.setPlainText(text)
            self.comment.setEnabled(key is not None and self.model.commentable(key) or bool(text))
            self.comment.setReadOnly(self.model.read_only)
        finally:
            self.comment.blockSignals(False)

    def _show_cell_info(self):
        key = self.current_key()
        if key is None or self.model.grid is None:
            self.cell_title.setText("请选择一个单元格")
            self.cell_info.setText("")
            self.cell_issues.setText("")
            return None
        ind = self.model.indicator(key[0])
        self.cell_title.setText(self.model.caption(key))
        prev, ly = self.model.comparison(key)
        g = self.model.growth(key)
        v = self.model.shown_value(key)
        self.cell_info.setText(
            f"本期：{ind.format(v) or '未填'} {ind.display_unit}\n"
            f"上期（{self.model.grid.previous_period}）：{ind.format(prev) or '未填'}\n"
            f"上年同期（{self.model.grid.last_year_period}）：{ind.format(ly) or '未填'}\n"
            f"同比：{f'{g:+}%' if g is not None else '—'}")
        level = self.model.cell_level(key)
        self.cell_issues.setText("\n".join(self.model.cell_issues(key)))
        self.cell_issues.setStyleSheet("color:#b00020;" if level == "error" else "color:#9a6700;")
        if not self.comment.isEnabled() and self.model.commentable(key):
            self.comment.setEnabled(True)  # a value was just typed: its 说明 can now be written
        return key

    def _comment_edited(self) -> None:
        key = self.current_key()
        if key is not None and self.model.commentable(key):
            self.model.set_comment(key, self.comment.toPlainText())

    # -- actions ----------------------------------------------------------------------------------
    def discard(self) -> None:
        self.model.discard()
        self._show_cell()

    def save(self) -> bool:
        if self.model.read_only:
            return False
        try:
            saved = self.model.save(operator=self.ctx.operator)
        except CbecError as exc:
            show_error(self, exc)
            return False
        if saved:
            self.ctx.notify("indicator_value")
            self._after_write()
        return True

    def submit(self) -> None:
        if self.model.read_only or not self.save():
            return
        p = Period.parse(self.model.grid.period)
        if not self.ask_confirm(f"报送{p.label}的数据？报送后数据将锁定，如需修改须点击“更正”并填写原因。"):
            return
        try:
            entry.submit_period(self.ctx.store, self._unit, p, operator=self.ctx.operator)
        except CbecError as exc:
            show_error(self, exc)
            return
        self.ctx.notify("submission")
        self._after_write()

    def correct(self) -> None:
        p = Period.parse(self.model.grid.period)
        reason = self.ask_text("更正", f"请填写更正{p.label}数据的原因：")
        if reason is None:
            return
        try:
            entry.reopen_period(self.ctx.store, self._unit, p, operator=self.ctx.operator, reason=reason)
        except CbecError as exc:
            show_error(self, exc)
            return
        self.ctx.notify("submission")
        self._after_write()

    def return_to_unit(self) -> None:
        p = Period.parse(self.model.grid.period)
        note = self.ask_text("退回修改", f"请填写退回{self.ctx.store.unit_name(self._unit)}{p.label}数据的意见：")
        if note is None:
            return
        try:
            entry.return_period(self.ctx.store, self._unit, p, note=note, operator=self.ctx.operator)
        except CbecError as exc:
            show_error(self, exc)
            return
        self.ctx.notify("submission")
        self._after_write()

    def _after_write(self) -> None:
        key = self.current_key()
        self.load()
        if key is not None:
            idx = self.model.index_of(key)
            if idx.isValid():
                self.view.setCurrentIndex(idx)

    def _ask_text(self, title: str, label: str) -> str | None:
        text, ok = QInputDialog.getMultiLineText(self, title, label)
        return text if ok else None


def create_pages(ctx: AppContext) -> list[QWidget]:
    return [EntryPage(ctx)]

