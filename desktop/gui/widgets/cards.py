"""Figure card: a titled box with one big number and a few lines under it."""
from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


class FigureCard(QFrame):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#figureCard { background: #ffffff; border: 1px solid #d6dbe3; border-radius: 6px; }")
        self.title_label = QLabel(title)
        self.title_label.setStyleSheet("color: #4a5568;")
        self.value_label = QLabel()
        self.value_label.setStyleSheet("font-size: 20pt; font-weight: bold; color: #1a365d;")
        self.detail_label = QLabel()
        self.detail_label.setStyleSheet("color: #4a5568;")
        self.detail_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.title_label)
        layout.addWidget(self.value_label)
        layout.addWidget(self.detail_label)
        layout.addStretch(1)

    def set_figures(self, value: str, lines: list[str]) -> None:
        self.value_label.setText(value)
        self.detail_label.setText("\n".join(lines))
        self.detail_label.setVisible(bool(lines))

    def value_text(self) -> str:
        return self.value_label.text()

    def detail_text(self) -> str:
        return self.detail_label.text()
