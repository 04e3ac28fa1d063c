"""Figure card: a titled box with one big number and a few lines under it.

The look comes from CARD_STYLE, applied once by the page that holds the cards: one style sheet
on the parent is much cheaper at start-up than one per label.
"""
from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

CARD_STYLE = """
#figureCard { background: #ffffff; border: 1px solid #d6dbe3; border-radius: 6px; }
#cardTitle, #cardDetail { color: #4a5568; }
#cardValue { font-size: 20pt; font-weight: bold; color: #1a365d; }
#cardValueSmall { font-size: 16pt; font-weight: bold; color: #1a365d; }
"""


class FigureCard(QFrame):
    def __init__(self, title: str, parent: QWidget | None = None, *, small: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("figureCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("cardTitle")
        self.value_label = QLabel()
        self.value_label.setObjectName("cardValueSmall" if small else "cardValue")
        self.detail_label = QLabel()
        self.detail_label.setObjectName("cardDetail")
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
