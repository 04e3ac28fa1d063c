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


def test_source_scan_is_skipped_and_features_still_work():
    """desktop.gui.app.skip_pyside_source_scan: later imports no longer read their module's
    source, and PySide6's opt-in feature syntax keeps working in a fresh process."""
    import subprocess
    import textwrap

    code = textwrap.dedent("""
        import inspect
        import desktop.gui.app as app
        from PySide6.QtWidgets import QApplication
        assert app.skip_pyside_source_scan()
        read = []
        real = inspect.getsource
        inspect.getsource = lambda obj: read.append(obj) or real(obj)
        import json, decimal, desktop.storage.figures
        assert read == [], read
        qapp = QApplication([])
        from __feature__ import snake_case  # noqa: F401
        from PySide6.QtWidgets import QLabel
        label = QLabel()
        label.set_text("南阳")
        print(label.text())
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "南阳"
