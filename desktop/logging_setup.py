"""Rotating log file in the data folder's logs/ (shared by the window and the CLI; no Qt)."""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

LOG_NAME = "cbec.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"
_MARK = "_cbec_handler"


class RotatingFileHandler(logging.FileHandler):
    """Size-rotated log file: cbec.log, cbec.log.1 … cbec.log.N (oldest dropped).

    A small local version of logging.handlers.RotatingFileHandler: that module pulls in socket,
    pickle and queue, which cost the window's start-up time for nothing.
    """

    def __init__(self, filename: Path, *, max_bytes: int, backup_count: int) -> None:
        super().__init__(filename, mode="a", encoding="utf-8")
        self.max_bytes, self.backup_count = max_bytes, backup_count

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is not None and self.stream.tell() >= self.max_bytes:
                self.rotate()
        except OSError:
            # Another process may hold a rotated file open (Windows): keep writing where we are.
            pass
        super().emit(record)

    def rotate(self) -> None:
        self.close()
        base = self.baseFilename
        for i in range(self.backup_count - 1, 0, -1):
            if os.path.exists(f"{base}.{i}"):
                os.replace(f"{base}.{i}", f"{base}.{i + 1}")
        if self.backup_count > 0:
            os.replace(base, f"{base}.1")
        self.stream = self._open()


def log_path(logs_dir: Path) -> Path:
    return Path(logs_dir) / LOG_NAME


def setup_logging(logs_dir: Path, *, level: int = logging.INFO) -> Path | None:
    """Send the root logger to <logs_dir>/cbec.log, rotated at 1 MB with 5 old files.

    Calling it again (another data folder, a test) replaces the previous handler instead of
    adding a second one. Returns the log file, or None when the folder cannot be written —
    then messages go to stderr only, because a missing log must never stop the program.
    """
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, _MARK, False):
            root.removeHandler(h)
            h.close()
    path = log_path(logs_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(path, max_bytes=MAX_BYTES, backup_count=BACKUP_COUNT)
        result: Path | None = path
    except OSError as exc:
        # A windowed (frozen) build has no stderr at all: then there is nowhere to log.
        handler = logging.StreamHandler(sys.stderr) if sys.stderr is not None else logging.NullHandler()
        result = None
        if sys.stderr is not None:
            print(f"日志文件“{path}”无法写入：{exc.strerror or exc}", file=sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    setattr(handler, _MARK, True)
    root.addHandler(handler)
    root.setLevel(level)
    return result


def current_log_file() -> Path | None:
    """The file the root logger writes to now (None when logging goes to stderr only)."""
    for h in logging.getLogger().handlers:
        if getattr(h, _MARK, False) and isinstance(h, RotatingFileHandler):
            return Path(h.baseFilename)
    return None


def shutdown_logging() -> None:
    """Close and detach our handler (tests, and before the data folder is switched)."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, _MARK, False):
            root.removeHandler(h)
            h.close()
