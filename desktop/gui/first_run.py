"""First-run dialog: choose the role, the unit and the operator, then create the database."""
from __future__ import annotations

import json

from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QRadioButton, QVBoxLayout, QWidget,
)

from desktop.core.errors import CbecError, ReferenceDataError
from desktop.storage.paths import DataDir
from desktop.storage.reference import CITY_CODE, reference_dir
from desktop.exchange.installation import initialise
from desktop.storage.setup import InitResult


def bundled_units() -> list[tuple[str, str]]:
    """(code, name) of the reporting units in display order, from the bundled units.json."""
    path = reference_dir() / "units.json"
    try:
        units = json.loads(path.read_text(encoding="utf-8"))["units"]
    except (OSError, ValueError, KeyError) as exc:
        raise ReferenceDataError(f"基础数据文件“{path}”无法读取：{exc}") from None
    rows = [u for u in units if u["code"] != CITY_CODE and u.get("active", 1)]
    return [(u["code"], u["name"]) for u in sorted(rows, key=lambda u: u["sort"])]


class FirstRunDialog(QDialog):
    """Shown when the data folder has no database. Accepting creates it (database and signing key) with initialise()."""

    def __init__(self, data_dir: DataDir, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.result_info: InitResult | None = None
        self.setWindowTitle("首次使用 — 设置本机角色")
        self.setMinimumWidth(480)
        intro = QLabel("欢迎使用南阳跨境电商综试区统计填报系统。请选择本机的使用单位，"
                       "设置后不能更改（如需更改，请换一个数据文件夹）。")
        intro.setWordWrap(True)
        self.county_radio = QRadioButton("县区填报单位")
        self.municipal_radio = QRadioButton("市级综试办")
        self.county_radio.setChecked(True)
        self._roles = QButtonGroup(self)
        self._roles.addButton(self.county_radio)
        self._roles.addButton(self.municipal_radio)
        role_row = QHBoxLayout()
        role_row.addWidget(self.county_radio)
        role_row.addWidget(self.municipal_radio)
        role_row.addStretch(1)
        self.unit_combo = QComboBox()
        for code, name in bundled_units():
            self.unit_combo.addItem(f"{name}（{code}）", code)
        self.operator_edit = QLineEdit()
        self.operator_edit.setPlaceholderText("填表人姓名（必填）")
        self.operator_edit.setMaxLength(40)
        folder = QLabel(str(data_dir.root))
        folder.setWordWrap(True)
        form = QFormLayout()
        form.addRow("使用角色：", role_row)
        form.addRow("填报单位：", self.unit_combo)
        form.addRow("填表人：", self.operator_edit)
        form.addRow("数据文件夹：", folder)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.municipal_radio.toggled.connect(self._role_changed)

    @property
    def role(self) -> str:
        return "municipal" if self.municipal_radio.isChecked() else "county"

    def _role_changed(self) -> None:
        # The municipal office is one unit (南阳市); a unit only makes sense for a county.
        self.unit_combo.setEnabled(self.role == "county")
        self.error_label.hide()

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def try_accept(self) -> None:
        operator = self.operator_edit.text().strip()
        if not operator:
            self.show_error("请填写填表人姓名。")
            self.operator_edit.setFocus()
            return
        unit = self.unit_combo.currentData() if self.role == "county" else None
        try:
            self.result_info = initialise(self.data_dir, role=self.role, unit_code=unit, operator=operator)
        except CbecError as exc:
            self.show_error(str(exc))
            return
        self.accept()
