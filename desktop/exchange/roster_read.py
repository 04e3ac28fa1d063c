"""Read a clerk's roster spreadsheet (.xlsx, .xls, .csv): find the header row(s), propose the column
mapping, and keep every data row with its Excel row number. No database access here."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from desktop.core.errors import FileFormatError
from desktop.core.ledgers import header_names, kind_of, normalise_header, volume_header, volume_label

HEADER_SCAN_ROWS = 30
VOLUME_PREFIX = "volume:"

_TOTAL = re.compile(r"^(合\s*计|总\s*计|小\s*计|共\s*计|全(县|市|区)合计)")
_FOOTER = re.compile(r"^(填表人|审核人|审核|制表人|制表|单位负责人|统计负责人|负责人|填报人|报出日期|填报日期|"
                     r"填表日期|联系电话|说明|注|备注)\s*([:：]|$)")
_INDEX_WORDS = ("甲", "乙", "丙", "丁", "戊", "己", "庚", "辛")


@dataclass
class SheetData:
    """One sheet with a recognised header: combined header texts, proposed mapping, data rows."""

    name: str
    header_rows: tuple[int, ...]                     # Excel row numbers (one or two rows)
    headers: list[str]                               # combined header text per column
    mapping: dict[int, str]                          # column index -> target key ('' = ignore)
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)   # (Excel row, cells)
    skipped: list[tuple[int, str]] = field(default_factory=list)      # (Excel row, why)


@dataclass
class RosterFile:
    path: Path
    kind: str
    sheets: list[SheetData]
    ignored_sheets: list[str] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sheets)


def volume_target(year: int, unit: str) -> str:
    return f"{VOLUME_PREFIX}{year}:{unit}"


def parse_volume_target(key: str) -> tuple[int, str] | None:
    if not key.startswith(VOLUME_PREFIX):
        return None
    year, unit = key[len(VOLUME_PREFIX):].split(":")
    return int(year), unit


def target_label(kind: str, key: str) -> str:
    """Chinese name of a mapping target, e.g. 'credit_code' → 统一社会信用代码."""
    vol = parse_volume_target(key)
    if vol:
        return volume_label(*vol)
    return kind_of(kind).field(key).label if key else "（不导入）"


def mapping_targets(kind: str, years: range | None = None) -> list[tuple[str, str]]:
    """Targets the wizard offers for a column: every field, and volume years for enterprises."""
    k = kind_of(kind)
    out = [("", "（不导入）")] + [(f.name, f.label) for f in k.fields]
    if k.has_volumes:
        out += [(volume_target(y, "万元"), volume_label(y)) for y in (years or range(2018, 2031))]
    return out


# -- matching headers ---------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _names(kind: str) -> dict[str, str]:
    return header_names(kind)


def match_header(kind: str, text: Any) -> str | None:
    """Target key for one header text, or None."""
    h = normalise_header(text)
    if not h:
        return None
    names = _names(kind)
    for cand in (h, re.sub(r"\([^)]*\)", "", h)):
        if cand in names:
            return names[cand]
    if kind_of(kind).has_volumes:
        vol = volume_header(h)
        if vol:
            return volume_target(*vol)
    return None


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def _column_target(kind: str, top: str, bottom: str) -> tuple[str, str] | None:
    """(target, header text to show) of one column; volume columns get their canonical label
    so that a workbook written with these headers (errors workbook) reads back the same."""
    for cand in (top + bottom, bottom + top, bottom, top):
        if cand:
            t = match_header(kind, cand)
            if t:
                vol = parse_volume_target(t)
                return t, volume_label(*vol) if vol else cand
    return None


def _fill_merged(top: list[str], bottom: list[str]) -> list[str]:
    """Carry a horizontally merged top header over the columns it spans (read-only files lose the
    merge ranges): an empty top cell above a sub-header takes the text on its left."""
    out = list(top)
    for c in range(1, len(out)):
        if not out[c] and out[c - 1] and c < len(bottom) and bottom[c] and bottom[c - 1]:
            out[c] = out[c - 1]
    return out


def _header_map(kind: str, top: list[Any], bottom: list[Any] | None) -> tuple[dict[int, str], list[str]]:
    t = [_text(v) for v in top]
    b = [_text(v) for v in (bottom or [])]
    width = max(len(t), len(b))
    t += [""] * (width - len(t))
    b += [""] * (width - len(b))
    if bottom is not None:
        t = _fill_merged(t, b)
    mapping: dict[int, str] = {}
    texts: list[str] = []
    used: set[str] = set()
    for c in range(width):
        found = _column_target(kind, t[c], b[c] if bottom is not None else "")
        if found and found[0] not in used:
            mapping[c] = found[0]
            used.add(found[0])
            texts.append(found[1])
        else:
            texts.append((t[c] + b[c]) if bottom is not None and t[c] != b[c] else (t[c] or b[c]))
    return mapping, texts


def find_header(kind: str, rows: list[list[Any]]) -> tuple[tuple[int, ...], dict[int, str], list[str]] | None:
    """(header row indexes 0-based, mapping, header texts) of the best header in the first rows."""
    best: tuple[tuple[int, int], tuple[int, ...], dict[int, str], list[str]] | None = None
    k = kind_of(kind)
    for r in range(min(HEADER_SCAN_ROWS, len(rows))):
        options = [((r,), *_header_map(kind, rows[r], None))]
        if r + 1 < len(rows):
            options.append(((r, r + 1), *_header_map(kind, rows[r], rows[r + 1])))
        for idx, mapping, texts in options:
            targets = set(mapping.values())
            if "name" not in targets or len(targets) < 2:
                continue
            # Ties go to the single-row header (a title row above adds nothing).
            score = (len(targets) + (1 if k.match_field in targets else 0), -len(idx))
            if best is None or score > best[0]:
                best = (score, idx, mapping, texts)
    return None if best is None else best[1:]


# -- classifying data rows ----------------------------------------------------------------------------
def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _index_row(values: list[Any]) -> bool:
    """A column-number row under the header: 甲 乙 1 2 3 … ."""
    vals = [_text(v) for v in values if not _is_blank(v)]
    if len(vals) < 3:
        return False
    nums = [v for v in vals if v not in _INDEX_WORDS]
    try:
        ints = [int(float(v)) for v in nums]
    except ValueError:
        return False
    return ints == list(range(ints[0], ints[0] + len(ints))) if ints else True


def skip_reason(values: list[Any], header_texts: list[str], mapping: dict[int, str]) -> str | None:
    """Why a row under the header is not data ('空行', '合计行', '表尾', '表头'), or None."""
    filled = [v for v in values if not _is_blank(v)]
    if not filled:
        return "空行"
    first = [_text(v) for v in filled[:3]]
    if any(_TOTAL.match(t.replace(" ", "")) for t in first):
        return "合计行"
    if _FOOTER.match(first[0]):
        return "表尾"
    if all(_is_blank(values[c]) for c in mapping if c < len(values)):
        return "空行"   # a pre-numbered row of an unfilled form (only 序号 written)
    same = sum(1 for c in mapping if c < len(values) and c < len(header_texts)
               and _text(values[c]) and _text(values[c]) == header_texts[c])
    if same >= max(2, len(mapping) // 2):
        return "表头"
    if _index_row(values):
        return "列序号行"
    return None


def sheet_from_rows(kind: str, name: str, rows: list[list[Any]]) -> SheetData | None:
    found = find_header(kind, rows)
    if found is None:
        return None
    idx, mapping, texts = found
    sheet = SheetData(name, tuple(i + 1 for i in idx), texts, mapping)
    for r in range(idx[-1] + 1, len(rows)):
        values = list(rows[r])
        why = skip_reason(values, texts, mapping)
        if why:
            if why != "空行":
                sheet.skipped.append((r + 1, why))
            continue
        sheet.rows.append((r + 1, values))
    return sheet


# -- file formats ------------------------------------------------------------------------------------
def _xlsx_sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise FileFormatError(f"文件“{path.name}”无法作为 Excel 工作簿读取（{type(exc).__name__}）",
                              detail="请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。") from None
    try:
        out = []
        for ws in wb.worksheets:
            _trust_dimensions_or_reset(ws)
            # Read-only rows come in order with missing rows and cells filled in.
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            out.append((ws.title, rows))
        return out
    finally:
        wb.close()


def _trust_dimensions_or_reset(ws: Any) -> None:
    """Some writers store no or a one-cell <dimension>; then read every row (costs a second
    pass over the sheet, so only when needed)."""
    try:
        dim = ws.calculate_dimension()
    except ValueError:
        dim = None
    if not dim or dim in ("A1", "A1:A1"):
        ws.reset_dimensions()


def _xls_sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        out = []
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            out.append((name, [[None if v == "" else v for v in row] for row in rows]))
        return out
    except Exception as exc:  # calamine raises its own error types
        raise FileFormatError(f"文件“{path.name}”无法作为 .xls 工作簿读取（{exc}）",
                              detail="请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。") from None


def decode_csv(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (what Excel/WPS save as 'CSV' in China)."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise FileFormatError(f"文件“{name}”的文字编码无法识别（不是 UTF-8 或 GB18030）",
                          detail="请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。")


def _csv_sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    text = decode_csv(path.read_bytes(), path.name)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [[None if c.strip() == "" else c for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    return [(path.stem, rows)]


READERS = {".xlsx": _xlsx_sheets, ".xlsm": _xlsx_sheets, ".xls": _xls_sheets, ".csv": _csv_sheets}


def read_roster(path: Path | str, kind: str) -> RosterFile:
    """Read every sheet of a roster file; sheets without a recognisable header are ignored."""
    p = Path(path)
    kind_of(kind)
    reader = READERS.get(p.suffix.lower())
    if reader is None:
        raise FileFormatError(f"不支持的文件类型“{p.suffix or p.name}”：请使用 .xlsx、.xls 或 .csv 文件")
    if not p.is_file():
        raise FileFormatError(f"找不到文件“{p}”")
    roster = RosterFile(p, kind, [])
    for name, rows in reader(p):
        sheet = sheet_from_rows(kind, name, rows)
        (roster.sheets.append(sheet) if sheet else roster.ignored_sheets.append(name))
    if not roster.sheets:
        k = kind_of(kind)
        cols = "“" + "”“".join(k.field(f).label for f in dict.fromkeys(("name", k.match_field))) + "”"
        raise FileFormatError(
            f"文件“{p.name}”中没有找到{k.title}名录的表头行",
            detail=f"表头应有一行包含{cols}等列名（已查看每个工作表的前 {HEADER_SCAN_ROWS} 行）。")
    return roster
