"""One way to tell the clerk something: Chinese message boxes for refusals, errors and questions."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.core.errors import CbecError

TITLE_ERROR = "无法完成"
TITLE_INFO = "提示"
TITLE_CONFIRM = "请确认"


def error_text(exc: BaseException) -> str:
    """The clerk-facing text of an error: a CbecError's own Chinese message, else a generic one."""
    if isinstance(exc, CbecError):
        return str(exc)
    return f"操作失败：{exc}"


def show_error(parent: QWidget | None, exc: BaseException | str, title: str = TITLE_ERROR) -> None:
    """A refusal (CbecError) or any message: what is wrong and what to do, nothing changed."""
    text = exc if isinstance(exc, str) else error_text(exc)
    main, _, detail = text.partition("\n")
    box = QMessageBox(QMessageBox.Icon.Warning, title, main, QMessageBox.StandardButton.Ok, parent)
    if detail:
        box.setInformativeText(detail)
    box.exec()


def show_info(parent: QWidget | None, text: str, title: str = TITLE_INFO) -> None:
    QMessageBox.information(parent, title, text)


def confirm(parent: QWidget | None, text: str, title: str = TITLE_CONFIRM) -> bool:
    """Yes/No question, No by default (a careless Enter never destroys anything)."""
    answer = QMessageBox.question(
        parent, title, text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes
