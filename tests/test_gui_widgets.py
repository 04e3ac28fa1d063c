"""The self-painting widgets of the home page: figure card and text table (real rendering)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.gui.widgets.cards import BORDER, STRONG, FigureCard
from desktop.gui.widgets.text_table import TextTable


def colours(widget) -> list[str]:
    image = widget.grab().toImage()
    return [image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())]


def test_figure_card_paints_box_value_and_wraps_details(qtbot):
    card = FigureCard("跨境电商交易额")
    qtbot.addWidget(card)
    card.set_figures("1,320.00 万元", ["上年同期（2025年1—11月）：1,100.00 万元", "同比：+20.0%"])
    assert card.value_text() == "1,320.00 万元"
    assert card.detail_text() == "上年同期（2025年1—11月）：1,100.00 万元\n同比：+20.0%"
    assert "1,320.00 万元" in card.toolTip() and card.accessibleName() == "跨境电商交易额"
    wide, narrow = card.heightForWidth(600), card.heightForWidth(150)
    assert narrow > wide                                   # the detail lines wrap when narrow
    card.resize(card.sizeHint())
    painted = colours(card)
    assert BORDER in painted and STRONG in painted         # the box's edge and the big figure
    assert card.sizeHint().height() == card.heightForWidth(card.sizeHint().width())


def test_figure_card_shrinks_a_long_value_to_fit(qtbot):
    card = FigureCard("跨境电商企业", small=True)
    qtbot.addWidget(card)
    card.set_figures("1,234,567,890 家", [])
    assert card._value_font().pointSizeF() == 16
    fitted = card._value_font(120)
    assert 10 <= fitted.pointSizeF() < 16
    card.set_figures("3 家", [])
    assert card._value_font(120).pointSizeF() == 16
    assert card.heightForWidth(200) < FigureCard("x").heightForWidth(200) + 1  # no detail: no detail block


def test_text_table_measures_paints_and_copies(qtbot):
    table = TextTable(("年份", "指标", "状态"), right_aligned=(0,),
                      cell_style=lambda row, col: ("#f9cfd5", True) if col == 2 and row[2] == "滞后" else None)
    qtbot.addWidget(table)
    table.set_rows([("2025", "跨境电商年交易额", "滞后"), ("2023", "跨境电商产业园区", "已完成")])
    assert table.to_text() == "年份\t指标\t状态\n2025\t跨境电商年交易额\t滞后\n2023\t跨境电商产业园区\t已完成"
    widths = table.column_widths()
    assert widths[1] > widths[0] and table.sizeHint().width() >= sum(widths)
    table.resize(table.sizeHint())
    table.show()
    qtbot.waitExposed(table)
    assert colours(table).count("#f9cfd5") > 30              # the one red badge
    QApplication.clipboard().clear()
    qtbot.mouseClick(table, Qt.MouseButton.LeftButton)
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == table.to_text()
    QApplication.clipboard().clear()
    [copy] = table.context_menu().actions()                 # the right-click menu does the same
    assert copy.text().startswith("复制表格")
    copy.trigger()
    assert QApplication.clipboard().text() == table.to_text()


def test_home_widgets_do_not_build_the_qt_namespace():
    """Painting the cards and the table must not touch the Qt namespace: PySide6 builds its ~95
    enums at first use, ~15 ms of start-up (see desktop/gui/widgets/painting.py)."""
    code = textwrap.dedent("""
        import enum
        from PySide6.QtWidgets import QApplication
        made = []
        create = enum.EnumType._create_
        def spy(cls, name, *args, **kwargs):
            made.append(name)
            return create(cls, name, *args, **kwargs)
        enum.EnumType._create_ = spy
        app = QApplication([])
        from desktop.gui.widgets.cards import FigureCard
        from desktop.gui.widgets.text_table import TextTable
        card = FigureCard("出口额"); card.set_figures("150.03 亿元", ["同比：+7.8%"])
        table = TextTable(("状态",), cell_style=lambda r, c: ("#c6ecd2", True)); table.set_rows([("已完成",)])
        for w in (card, table):
            w.resize(w.sizeHint()); w.grab()
        print("built" if {"GlobalColor", "PenStyle", "AlignmentFlag"} & set(made) else "untouched", len(made))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    verdict, count = out.stdout.split()
    assert verdict == "untouched" and int(count) > 0           # the spy saw PySide6's other enums
