"""The Qt binding must not leak references to None/True/False (PySide6 6.12.0 on Python 3.11
does, and the process aborts with 'none_dealloc' after a few thousand calls)."""
from __future__ import annotations

import sys


def test_no_refcount_leak_on_signals_and_void_calls(qapp):
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QLabel

    class Emitter(QObject):
        changed = Signal(int)

    e = Emitter()
    e.changed.connect(lambda v: None)
    label = QLabel()
    before = sys.getrefcount(None), sys.getrefcount(True)
    for i in range(3000):
        e.changed.emit(i)
        label.setText(str(i))
    after = sys.getrefcount(None), sys.getrefcount(True)
    assert after[0] >= before[0] - 50 and after[1] >= before[1] - 50, (before, after)
