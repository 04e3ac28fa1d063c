"""AppContext: what every page gets — the store, the data folder, who is working, and helpers."""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from desktop.storage.db import Store
from desktop.storage.paths import DataDir

log = logging.getLogger(__name__)

ROLE_NAMES = {"county": "县区填报单位", "municipal": "市级综试办"}

# A handler for a file given on the command line (e.g. a .cbecpkg): returns True when it took it.
OpenFileHandler = Callable[[Path], bool]


class Job:
    """Handed to a worker function that asked for it: report progress, see whether to stop."""

    def __init__(self, signals: _WorkerSignals) -> None:
        self._signals = signals
        self._cancel = threading.Event()

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._signals.progress.emit(done, total, text)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _WorkerSignals(QObject):
    """Lives in the GUI thread; the worker emits, and because the receiving slots belong to this
    object the connection is queued and the callbacks run in the GUI thread."""

    done = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)

    def __init__(self, on_done: Callable[[Any], None], on_error: Callable[[Any], None],
                 on_progress: Callable[[int, int, str], None] | None) -> None:
        super().__init__()
        self._on_done, self._on_error, self._on_progress = on_done, on_error, on_progress
        self.done.connect(self._done)
        self.failed.connect(self._failed)
        self.progress.connect(self._progressed)

    @Slot(object)
    def _done(self, result: Any) -> None:
        self._on_done(result)

    @Slot(object)
    def _failed(self, exc: Any) -> None:
        self._on_error(exc)

    @Slot(int, int, str)
    def _progressed(self, done: int, total: int, text: str) -> None:
        if self._on_progress is not None:
            self._on_progress(done, total, text)


class _Worker(QRunnable):
    def __init__(self, fn: Callable[..., Any], signals: _WorkerSignals, job: Job | None) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._signals = signals
        self._job = job

    def run(self) -> None:  # called by Qt in a pool thread
        try:
            result = self._fn(self._job) if self._job is not None else self._fn()
        except BaseException as exc:  # noqa: BLE001 — every failure goes back to the GUI thread
            self._signals.failed.emit(exc)
        else:
            self._signals.done.emit(result)


class AppContext(QObject):
    """One per open data folder. Pages read `store` only from the GUI thread; worker functions
    open their own Store (sqlite connections must not be shared across threads mid-transaction)."""

    data_changed = Signal(str)  # table name, emitted after any write

    def __init__(self, store: Store, data_dir: DataDir, *, log_file: Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.data_dir = data_dir
        self.role: str = store.role or "county"
        self.unit_code: str = store.unit_code or ""
        self.unit_name: str = store.unit_name(self.unit_code)
        self.operator: str = store.operator
        self.log_file = log_file
        self.open_file_handlers: list[OpenFileHandler] = []
        self._pool = QThreadPool.globalInstance()
        self._running: set[_WorkerSignals] = set()

    @property
    def is_municipal(self) -> bool:
        return self.role == "municipal"

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)

    def open_worker_store(self) -> Store:
        """A separate connection for a worker thread; close it when the work is done."""
        return Store.open(self.data_dir)

    def run_in_thread(self, fn: Callable[..., Any], on_done: Callable[[Any], None] | None = None,
                      on_error: Callable[[BaseException], None] | None = None, *,
                      on_progress: Callable[[int, int, str], None] | None = None,
                      with_job: bool = False) -> Job | None:
        """Run `fn()` (or `fn(job)` with with_job=True) in the thread pool; `on_done(result)` or
        `on_error(exc)` then run in the GUI thread. Without on_error the error is shown to the
        clerk (Chinese message for a CbecError, the crash dialog otherwise)."""
        holder: list[_WorkerSignals] = []

        def finish(callback: Callable[[Any], None] | None, value: Any) -> None:
            self._running.discard(holder[0])
            if callback is not None:
                callback(value)

        signals = _WorkerSignals(lambda r: finish(on_done, r),
                                 lambda e: finish(on_error or _report_error, e), on_progress)
        holder.append(signals)
        job = Job(signals) if with_job else None
        self._running.add(signals)
        self._pool.start(_Worker(fn, signals, job))
        return job

    def wait_for_workers(self, msecs: int = 30_000) -> bool:
        """Block until the pool is idle (used on quit and in tests)."""
        return self._pool.waitForDone(msecs)

    def notify(self, table: str) -> None:
        """Tell every page that `table` changed (call after a committed write)."""
        self.data_changed.emit(table)


def _report_error(exc: BaseException) -> None:
    from desktop.core.errors import CbecError

    if isinstance(exc, CbecError):
        from desktop.gui.widgets.messages import show_error

        show_error(None, exc)
        return
    import sys

    log.error("后台任务出错", exc_info=(type(exc), exc, exc.__traceback__))
    sys.excepthook(type(exc), exc, exc.__traceback__)
