"""Rotating log file in the data folder's logs/ (shared by the window and the CLI; no Qt)."""
from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "cbec.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"
_MARK = "_cbec_handler"


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
        handler: logging.Handler = RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=False)
        result: Path | None = path
    except OSError as exc:
        handler = logging.StreamHandler(sys.stderr)
        result = None
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
