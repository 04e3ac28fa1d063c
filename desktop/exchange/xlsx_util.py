"""Workbook helpers shared by exports: atomic save (old file kept if the new one cannot replace it)
and column widths that fit Chinese text."""
from __future__ import annotations

import contextlib
import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Sequence

from openpyxl.utils import get_column_letter

from desktop.core.errors import OutputFileError


def _locked_message(path: Path) -> OutputFileError:
    return OutputFileError(
        f"文件“{path}”无法覆盖：它可能正在 Excel 或 WPS 中打开",
        detail="请关闭该文件后重试，或另选一个文件名。原文件未作改动。",
    )


def atomic_save(workbook: Any, path: Path | str) -> Path:
    """Save an openpyxl workbook to `path` all-or-nothing: temp file in the same folder, fsync,
    os.replace. A file held open by Excel/WPS (Windows) gives a Chinese OutputFileError and the
    old file stays as it was."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputFileError(f"文件夹“{folder}”不存在，无法保存“{target.name}”")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp.xlsx", dir=folder)
    except OSError as exc:
        raise OutputFileError(f"无法在文件夹“{folder}”中保存文件（{exc.strerror or exc}）",
                              detail="请检查该文件夹是否允许写入，或另选一个文件夹。") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        workbook.save(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except PermissionError:
        raise _locked_message(target) from None
    except OSError as exc:
        raise OutputFileError(f"无法保存文件“{target}”：{exc.strerror or exc}",
                              detail="原文件未作改动。") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return target


def display_width(value: Any) -> int:
    """Width of a cell text in Excel 'characters': CJK and full-width characters count twice."""
    if value is None:
        return 0
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_widths(rows: Iterable[Sequence[Any]], *, minimum: int = 6, maximum: int = 50) -> list[int]:
    """Column widths that fit the given rows (e.g. the header plus a sample of data rows)."""
    widths: list[int] = []
    for row in rows:
        for i, value in enumerate(row):
            w = display_width(value)
            if i >= len(widths):
                widths.append(w)
            elif w > widths[i]:
                widths[i] = w
    return [max(minimum, min(maximum, w + 2)) for w in widths]


def set_column_widths(worksheet: Any, widths: Sequence[float]) -> None:
    """Set widths on a worksheet (also a write_only one: call before the first append)."""
    for i, w in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(i)].width = w
