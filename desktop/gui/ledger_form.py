"""Add/edit dialog of one ledger record, generated from the ledger's FieldSpecs.

Every change re-runs `validate_record` (the rules the importer uses too) and shows each message
under its field. A failed credit-code check character can only be kept through the deliberate
"已核对营业执照，仍然保存" checkbox, whose reason the storage layer writes to the audit log.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QScrollArea, QVBoxLayout, QWidget,
)

from desktop.core.errors import CbecError, ValidationError
from desktop.core.ledgers import FieldIssue, FieldSpec, RecordCheck, kind_of, validate_record
from desktop.core.money import format_money, parse_money
from desktop.storage import ledgers as ledger_store

OVERRIDE_TEXT = "已核对营业执照，仍然保存"
ERROR_STYLE = "color: #c53030;"
WARNING_STYLE = "color: #b7791f;"
FIRST_VOLUME_YEAR = 2021
LINE_TYPES = ("text", "int", "money", "year", "credit", "date", "phone")


class FieldEditor:
    """One input widget for a FieldSpec: `raw()` is what the clerk entered, `set_value` shows a
    stored value, `changed` is connected to the form's re-validation."""

    def __init__(self, spec: FieldSpec, widget: QWidget, raw: Callable[[], Any],
                 set_value: Callable[[Any], None], focus: QWidget | None = None) -> None:
        self.spec = spec
        self.widget = widget
        self.raw = raw
        self.set_value = set_value
        self.focus_widget = focus or widget
        self.message = QLabel()
        self.message.setObjectName(f"message_{spec.name}")
        self.message.setWordWrap(True)
        self.message.hide()

    def show_issue(self, issue: FieldIssue | None, *, warning: bool = False) -> None:
        if issue is None:
            self.message.clear()
            self.message.hide()
            return
        self.message.setStyleSheet(WARNING_STYLE if warning else ERROR_STYLE)
        self.message.setText(issue.message)
        self.message.show()


def _line_editor(spec: FieldSpec, on_change: Callable[[], None]) -> FieldEditor:
    edit = QLineEdit()
    edit.setObjectName(f"field_{spec.name}")
    if spec.type == "credit":
        edit.setPlaceholderText("18位，如 91411323MA44XXXXXX")
    elif spec.type == "year":
        edit.setPlaceholderText("如 2024")
        edit.setMaxLength(6)
    elif spec.type == "date":
        edit.setPlaceholderText("如 2025-09-30")
    edit.textChanged.connect(on_change)

    def set_value(value: Any) -> None:
        if spec.type == "money" and isinstance(value, int):
            edit.setText(format_money(value, spec.unit, thousands=False))
        else:
            edit.setText("" if value is None else str(value))

    return FieldEditor(spec, edit, edit.text, set_value)


def _check_editor(spec: FieldSpec, on_change: Callable[[], None]) -> FieldEditor:
    box = QCheckBox("是")
    box.setObjectName(f"field_{spec.name}")
    box.toggled.connect(on_change)
    return FieldEditor(spec, box, lambda: int(box.isChecked()), lambda v: box.setChecked(bool(v)))


def _combo_editor(spec: FieldSpec, items: list[tuple[str, Any]], on_change: Callable[[], None]) -> FieldEditor:
    combo = QComboBox()
    combo.setObjectName(f"field_{spec.name}")
    for text, data in items:
        combo.addItem(text, data)
    combo.currentIndexChanged.connect(on_change)

    def set_value(value: Any) -> None:
        i = combo.findData(value)
        if i < 0 and value not in (None, ""):
            combo.addItem(f"{value}（已停用）", value)
            i = combo.count() - 1
        combo.setCurrentIndex(max(i, 0))

    return FieldEditor(spec, combo, combo.currentData, set_value)


def _modes_editor(spec: FieldSpec, modes: dict[str, str], on_change: Callable[[], None]) -> FieldEditor:
    box = QWidget()
    box.setObjectName(f"field_{spec.name}")
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    checks: dict[str, QCheckBox] = {}
    for code, name in modes.items():
        cb = QCheckBox(code)
        cb.setObjectName(f"mode_{code}")
        cb.setToolTip(name)
        cb.toggled.connect(on_change)
        row.addWidget(cb)
        checks[code] = cb
    row.addStretch(1)

    def raw() -> str:
        return ",".join(code for code, cb in checks.items() if cb.isChecked())

    def set_value(value: Any) -> None:
        wanted = set(str(value or "").split(","))
        for code, cb in checks.items():
            cb.setChecked(code in wanted)

    first = next(iter(checks.values()), box)
    return FieldEditor(spec, box, raw, set_value, focus=first)


class VolumeEditor(QWidget):
    """Annual cross-border volume of an enterprise, typed in 万元 per year."""

    changed = Signal()

    def __init__(self, years: list[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("field_volumes")
        self.edits: dict[int, QLineEdit] = {}
        grid = QFormLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for year in years:
            edit = QLineEdit()
            edit.setObjectName(f"volume_{year}")
            edit.setPlaceholderText("万元")
            edit.textChanged.connect(self.changed)
            grid.addRow(f"{year}年（万元）", edit)
            self.edits[year] = edit

    def set_volumes(self, volumes: dict[int, int]) -> None:
        for year, edit in self.edits.items():
            amount = volumes.get(year)
            edit.setText("" if amount is None else format_money(amount, "万元", thousands=False))

    def volumes(self) -> tuple[dict[int, int], list[str]]:
        """Typed amounts in 元 per year, and Chinese messages for amounts that do not parse."""
        out: dict[int, int] = {}
        problems: list[str] = []
        for year, edit in self.edits.items():
            text = edit.text().strip()
            if not text:
                continue
            try:
                out[year] = parse_money(text, "万元", field=f"{year}年交易额")
            except ValidationError as exc:
                problems.append(exc.message)
        return out, problems


def volume_years(stored: dict[int, int], today: date | None = None) -> list[int]:
    this_year = (today or date.today()).year
    return sorted(set(range(FIRST_VOLUME_YEAR, this_year + 1)) | set(stored))


class LedgerForm(QDialog):
    """新增/修改 one record. `saved(id)` is emitted after a successful write."""

    saved = Signal(int)

    def __init__(self, store: Any, kind_key: str, *, operator: str, record_id: int | None = None,
                 unit_code: str | None = None, read_only: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.kind = store, kind_of(kind_key)
        self.operator, self.record_id, self.read_only = operator, record_id, read_only
        self.stored: dict[str, Any] = ledger_store.get(store, kind_key, record_id) if record_id else {}
        self.unit_code = unit_code or self.stored.get("unit_code") or store.unit_code
        self.lookups = ledger_store.load_lookups(store, self.unit_code)
        self.editors: dict[str, FieldEditor] = {}
        self.touched: set[str] = set()
        self.show_all = False
        self.check: RecordCheck | None = None
        self._loading = True
        self._build()
        self._load()
        self._loading = False
        self.revalidate()
        first = next(iter(self.editors.values()))
        first.focus_widget.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building -------------------------------------------------------------------------------
    def _title(self) -> str:
        if self.read_only:
            return f"查看{self.kind.title}"
        return f"修改{self.kind.title}" if self.record_id else f"新增{self.kind.title}"

    def _build(self) -> None:
        self.setWindowTitle(self._title())
        self.setObjectName(f"ledgerForm_{self.kind.key}")
        self.override_box = QCheckBox(OVERRIDE_TEXT, self)
        self.override_box.setObjectName("credit_override")
        self.override_box.setToolTip("校验位不符但与营业执照核对无误时勾选；此操作记入操作日志")
        self.override_box.hide()
        self.override_box.toggled.connect(self.revalidate)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in self.kind.fields:
            editor = self._make_editor(spec)
            self.editors[spec.name] = editor
            form.addRow(self._label(spec), self._cell(editor, spec))
        self.volume_editor: VolumeEditor | None = None
        self.volume_message = QLabel()
        if self.kind.has_volumes:
            self._build_volumes(form)
        inner = QWidget()
        inner.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("保存(Ctrl+S)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.addButton("取消(Esc)" if not self.read_only else "关闭(Esc)",
                                                    QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button.setVisible(not self.read_only)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.resize(620, 720 if self.kind.has_volumes else 560)
        self._chain_tab_order()
        if self.read_only:
            inner.setEnabled(False)

    def _label(self, spec: FieldSpec) -> QLabel:
        label = QLabel(f"{spec.label}{' *' if spec.required else ''}")
        if spec.required:
            label.setToolTip("必填")
        return label

    def _cell(self, editor: FieldEditor, spec: FieldSpec) -> QWidget:
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(editor.widget)
        if spec.type == "credit":
            box.addWidget(self.override_box)
        box.addWidget(editor.message)
        return cell

    def _make_editor(self, spec: FieldSpec) -> FieldEditor:
        name = spec.name

        def on_change() -> None:
            if not self._loading:
                self.touched.add(name)
                self.revalidate()

        if spec.type == "bool":
            return _check_editor(spec, on_change)
        if spec.type == "choice":
            items = ([] if spec.required or spec.default else [("（未填）", "")]) + [(c, c) for c in spec.choices]
            return _combo_editor(spec, items, on_change)
        if spec.type == "park":
            parks = sorted(self.lookups.parks.items(), key=lambda kv: kv[1])
            return _combo_editor(spec, [("（无）", None)] + [(n, i) for n, i in parks], on_change)
        if spec.type == "belt":
            belts = self.store.query("SELECT code, name FROM industry_belt ORDER BY sort")
            return _combo_editor(spec, [("（无）", None)] + [(b["name"], b["code"]) for b in belts], on_change)
        if spec.type == "modes":
            return _modes_editor(spec, dict(self.lookups.modes), on_change)
        return _line_editor(spec, on_change)

    def _build_volumes(self, form: QFormLayout) -> None:
        stored = {int(y): a for y, a in (self.stored.get("volumes") or {}).items()}
        self.volume_editor = VolumeEditor(volume_years(stored))
        self.volume_editor.changed.connect(self._volumes_changed)
        self.volume_message.setObjectName("message_volumes")
        self.volume_message.setStyleSheet(ERROR_STYLE)
        self.volume_message.setWordWrap(True)
        self.volume_message.hide()
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.volume_editor)
        box.addWidget(self.volume_message)
        form.addRow(QLabel("跨境电商交易额"), cell)

    def _chain_tab_order(self) -> None:
        widgets: list[QWidget] = []
        for editor in self.editors.values():
            widgets.append(editor.focus_widget)
            if editor.spec.type == "credit":
                widgets.append(self.override_box)
        if self.volume_editor is not None:
            widgets.extend(self.volume_editor.edits.values())
        widgets += [self.save_button, self.cancel_button]
        for a, b in zip(widgets, widgets[1:]):
            QWidget.setTabOrder(a, b)

    def _load(self) -> None:
        for spec in self.kind.fields:
            value = self.stored.get(spec.name) if self.record_id else spec.empty_value()
            self.editors[spec.name].set_value(value)
        if self.volume_editor is not None:
            self.volume_editor.set_volumes({int(y): a for y, a in (self.stored.get("volumes") or {}).items()})
        if self.record_id and self.stored.get("credit_override"):
            self.override_box.setChecked(True)

    def _volumes_changed(self) -> None:
        if not self._loading:
            self.touched.add("volumes")
            self.revalidate()

    # -- validation -----------------------------------------------------------------------------
    def values(self) -> tuple[dict[str, Any], list[str]]:
        """What the clerk entered, as validate_record/create take it, and volume parse problems."""
        out = {name: editor.raw() for name, editor in self.editors.items()}
        problems: list[str] = []
        if self.volume_editor is not None:
            out["volumes"], problems = self.volume_editor.volumes()
        if self.store.is_municipal:
            out["unit_code"] = self.unit_code
        return out, problems

    def revalidate(self) -> RecordCheck:
        values, volume_problems = self.values()
        check = validate_record(self.kind.key, values, lookups=self.lookups)
        self.check = check
        errors = {e.field: e for e in reversed(check.errors)}
        warnings = {w.field: w for w in reversed(check.warnings)}
        for name, editor in self.editors.items():
            visible = self.show_all or name in self.touched
            if name in errors and visible:
                editor.show_issue(errors[name])
            elif name in warnings and visible:
                editor.show_issue(warnings[name], warning=True)
            else:
                editor.show_issue(None)
        self._show_override(check)
        self._show_volume_problems(volume_problems)
        self._show_summary(check, volume_problems)
        return check

    def _show_override(self, check: RecordCheck) -> None:
        failed = any(e.code == "credit_check" for e in check.errors)
        self.override_box.setVisible(failed and not self.read_only)

    def _show_volume_problems(self, problems: list[str]) -> None:
        self.volume_problems = problems
        self.volume_message.setText("；".join(problems))
        self.volume_message.setVisible(bool(problems))

    def blocking_errors(self) -> list[str]:
        """Chinese messages that stop saving now (empty = may save)."""
        check = self.check or self.revalidate()
        errors = list(check.errors)
        if check.only_credit_check_failed and self.override_box.isChecked():
            errors = []
        return [e.message for e in errors] + list(self.volume_problems)

    def _show_summary(self, check: RecordCheck, volume_problems: list[str]) -> None:
        n = len(check.errors) + len(volume_problems)
        if self.read_only:
            self.summary.setText("市级汇总库中的台账由各县区维护，此处只读。")
        elif n and self.show_all:
            self.summary.setStyleSheet(ERROR_STYLE)
            self.summary.setText(f"还有 {n} 处需要修改，请看各项下方的红字说明。")
        elif check.warnings:
            self.summary.setStyleSheet(WARNING_STYLE)
            self.summary.setText("提示：" + "；".join(w.message for w in check.warnings))
        else:
            self.summary.clear()

    # -- saving ---------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Enter saves from any field (a field that uses Enter itself, like an open combo popup,
        consumes it first); Esc cancels through QDialog."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.read_only:
            event.accept()
            self.save()
            return
        super().keyPressEvent(event)

    def override_reason(self) -> str | None:
        check = self.check
        if check is not None and check.only_credit_check_failed and self.override_box.isChecked():
            return OVERRIDE_TEXT
        return None

    def save(self) -> bool:
        """Validate, write through the storage layer, emit `saved` and close. False if refused."""
        if self.read_only:
            return False
        self.show_all = True
        self.revalidate()
        problems = self.blocking_errors()
        if problems:
            self._focus_first_problem()
            return False
        values, _ = self.values()
        try:
            if self.record_id:
                ledger_store.update(self.store, self.kind.key, self.record_id, values,
                                    operator=self.operator, credit_override_reason=self.override_reason())
                saved_id = self.record_id
            else:
                saved_id = ledger_store.create(self.store, self.kind.key, values, operator=self.operator,
                                               credit_override_reason=self.override_reason())
        except CbecError as exc:
            self._show_refusal(exc)
            return False
        self.record_id = saved_id
        self.saved.emit(saved_id)
        self.accept()
        return True

    def _show_refusal(self, exc: CbecError) -> None:
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.setText(f"未保存：{exc}")
        issues = getattr(exc, "issues", None) or []
        for issue in issues:
            editor = self.editors.get(issue.field)
            if editor is not None:
                editor.show_issue(issue)

    def _focus_first_problem(self) -> None:
        for name, editor in self.editors.items():
            if editor.message.isVisible() and editor.message.styleSheet() == ERROR_STYLE:
                editor.focus_widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        if self.volume_problems and self.volume_editor is not None:
            next(iter(self.volume_editor.edits.values())).setFocus()
