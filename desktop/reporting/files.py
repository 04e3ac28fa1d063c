"""Atomic output files with names a clerk understands and email accepts."""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Callable, IO

from desktop.core.errors import OutputFileError

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def safe_name(stem: str) -> str:
    """Drop characters Windows or mail clients refuse; keep Chinese text as it is."""
    return _UNSAFE.sub("", stem).strip(".") or "报表"


def atomic_write(target: Path, write: Callable[[IO[bytes]], None]) -> Path:
    """Write through a temp file in the same folder, fsync, then os.replace.

    A file open in Excel/WPS cannot be replaced on Windows: say so and keep the old file.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFileError(f"无法创建文件夹“{target.parent}”：{exc.strerror or exc}") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".~", suffix=target.suffix, dir=target.parent)
    except OSError as exc:
        raise OutputFileError(f"文件夹“{target.parent}”无法写入：{exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except PermissionError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputFileError(
            f"文件“{target.name}”正被其他程序（如 Excel、WPS 或 PDF 阅读器）打开，无法覆盖",
            detail=f"请关闭该文件后重试；原文件“{target}”保持不变。",
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
