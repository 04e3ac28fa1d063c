"""A long job off the GUI thread behind a progress dialog with a cancel button (roster import,
Excel export, data-package import)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.gui.widgets.messages import show_error


@dataclass
class LongTask:
    """A running background job and its progress dialog; `cancel()` asks the worker to stop."""

    dialog: QProgressDialog
    job: Any

    def cancel(self) -> None:
        self.job.cancel()
        self.dialog.setLabelText("正在取消…")


def run_long(ctx: Any, parent: QWidget, title: str, work: Callable[[Any], Any],
             on_done: Callable[[Any], None], on_error: Callable[[BaseException], None] | None = None,
             ) -> LongTask:
    """Run `work(job)` off the GUI thread behind a progress dialog with a cancel button."""
    dialog = QProgressDialog(title, "取消", 0, 0, parent)
    dialog.setWindowTitle("请稍候")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def progress(done: int, total: int, text: str) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
        if text:
            dialog.setLabelText(text)

    def finish(callback: Callable[[Any], None] | None, value: Any) -> None:
        dialog.reset()
        dialog.close()
        if callback is not None:
            callback(value)
        elif isinstance(value, BaseException):
            show_error(parent, value)

    job = ctx.run_in_thread(work, lambda r: finish(on_done, r), lambda e: finish(on_error, e),
                            on_progress=progress, with_job=True)
    task = LongTask(dialog, job)
    dialog.canceled.connect(task.cancel)
    return task
