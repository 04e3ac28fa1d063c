"""Find and register embeddable CJK TrueType fonts for the PDF renderer.

ReportLab embeds TrueType outlines only (TTF/TTC); CFF fonts (Noto CJK, 思源) cannot be used. We
look for the fonts a Chinese office PC has (Windows: SimSun, SimHei, FangSong, KaiTi, Microsoft
YaHei; Linux/UOS/Kylin: WenQuanYi, AR PL, Droid), honour the store setting `report_font` (a font
file path) first, and refuse with a Chinese message naming what was looked for if none works —
never boxes or blank text.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from desktop.core.errors import CbecError

SETTING_KEY = "report_font"


class ReportFontError(CbecError):
    """No usable CJK font: the PDF would show boxes, so it is not written."""


# role -> candidate file names in order of preference (Windows names first, then Linux).
_WINDOWS = {
    "song": ["simsun.ttc", "simsun.ttf", "msyh.ttc", "msyh.ttf"],
    "hei": ["simhei.ttf", "msyhbd.ttc", "msyh.ttc", "msyh.ttf"],
    "fang": ["simfang.ttf", "simsun.ttc", "msyh.ttc"],
    "kai": ["simkai.ttf", "simfang.ttf", "simsun.ttc"],
}
_LINUX = {
    "song": ["uming.ttc", "wqy-zenhei.ttc", "wqy-microhei.ttc", "DroidSansFallbackFull.ttf", "DroidSansFallback.ttf"],
    "hei": ["wqy-zenhei.ttc", "wqy-microhei.ttc", "DroidSansFallbackFull.ttf", "uming.ttc"],
    "fang": ["uming.ttc", "wqy-zenhei.ttc", "wqy-microhei.ttc", "DroidSansFallbackFull.ttf"],
    "kai": ["ukai.ttc", "uming.ttc", "wqy-zenhei.ttc", "wqy-microhei.ttc", "DroidSansFallbackFull.ttf"],
}
DISPLAY_NAMES = ("宋体 SimSun", "黑体 SimHei", "仿宋 FangSong", "楷体 KaiTi", "微软雅黑 Microsoft YaHei",
                 "文泉驿 WenQuanYi", "文鼎 AR PL UMing/UKai", "Droid Sans Fallback")
ROLES = ("song", "hei", "fang", "kai")


@dataclass(frozen=True)
class FontSet:
    """ReportLab font names registered for each role."""

    song: str
    hei: str
    fang: str
    kai: str


def font_dirs() -> list[Path]:
    dirs: list[Path] = []
    if sys.platform.startswith("win"):
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        dirs += [windir / "Fonts"]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    else:
        dirs += [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                 Path.home() / ".local" / "share" / "fonts", Path.home() / ".fonts"]
        if sys.platform == "darwin":
            dirs += [Path("/Library/Fonts"), Path("/System/Library/Fonts")]
    from desktop.storage.paths import resource_root

    dirs.append(resource_root() / "resources" / "fonts")
    return [d for d in dirs if d.is_dir()]


_FILE_INDEX: dict[str, Path] | None = None


def _index() -> dict[str, Path]:
    """Lower-case file name -> path of every font file in the font folders (scanned once)."""
    global _FILE_INDEX
    if _FILE_INDEX is None:
        found: dict[str, Path] = {}
        for d in font_dirs():
            for root, _dirs, files in os.walk(d):
                for f in files:
                    if f.lower().endswith((".ttf", ".ttc")):
                        found.setdefault(f.lower(), Path(root) / f)
        _FILE_INDEX = found
    return _FILE_INDEX


_REGISTERED: dict[str, str | None] = {}  # path -> registered font name (None = unusable)


def _register(path: Path) -> str | None:
    """Register one font file with ReportLab; None when it is not an embeddable TrueType font."""
    key = str(path)
    if key in _REGISTERED:
        return _REGISTERED[key]
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    name = f"CJK-{len(_REGISTERED)}-{path.stem}"
    try:
        font = TTFont(name, key, subfontIndex=0)
        if font.face.charToGlyph.get(ord("中")) is None:  # not a CJK font
            raise TTFError("no CJK glyphs")
        pdfmetrics.registerFont(font)
    except (TTFError, OSError, ValueError, KeyError):
        _REGISTERED[key] = None
        return None
    _REGISTERED[key] = name
    return name


def _candidates(role: str) -> list[Path]:
    idx = _index()
    names = _WINDOWS[role] + _LINUX[role] if sys.platform.startswith("win") else _LINUX[role] + _WINDOWS[role]
    return [idx[n.lower()] for n in names if n.lower() in idx]


def find_fonts(override: str | None = None) -> FontSet:
    """Register the best font for each role; `override` (a file path) is used for every role."""
    if override:
        path = Path(override).expanduser()
        name = _register(path) if path.is_file() else None
        if name is None:
            raise ReportFontError(
                f"设置中指定的报表字体“{override}”不存在或不是可嵌入的 TrueType 中文字体（.ttf/.ttc）",
                detail="请在设置中改为 simsun.ttc、simhei.ttf 等中文字体文件，或清空该设置以自动查找。",
            )
        return FontSet(name, name, name, name)
    chosen: dict[str, str] = {}
    for role in ROLES:
        for path in _candidates(role):
            name = _register(path)
            if name:
                chosen[role] = name
                break
    if not chosen:
        raise ReportFontError(
            "未找到可用于PDF的中文字体，无法生成报表",
            detail="已查找：" + "、".join(DISPLAY_NAMES) + "（文件夹：" + "；".join(str(d) for d in font_dirs())
            + "）。请安装其中任一字体（Linux 可安装 fonts-wqy-microhei），或在设置中指定字体文件。",
        )
    fallback = next(iter(chosen.values()))
    return FontSet(*(chosen.get(role, fallback) for role in ROLES))


def font_files(fonts: FontSet) -> dict[str, str]:
    """Role → font file path of a FontSet (for `cbec report font`)."""
    by_name = {n: p for p, n in _REGISTERED.items() if n}
    return {role: by_name.get(getattr(fonts, role), "") for role in ROLES}


def set_font_override(store: object, path: str | None, *, operator: str) -> FontSet:
    """Check `path` is a usable CJK TrueType font, then store it as the override (None clears)."""
    from desktop.storage import audit

    fonts = find_fonts(path) if path else find_fonts()
    before = store.get_setting(SETTING_KEY)  # type: ignore[attr-defined]
    with store.atomic() as conn:  # type: ignore[attr-defined]
        if path:
            store.set_setting(SETTING_KEY, str(Path(path).expanduser().resolve()))  # type: ignore[attr-defined]
        else:
            conn.execute("DELETE FROM setting WHERE key = ?", (SETTING_KEY,))
        audit.record(conn, operator=operator, table="setting", row_key=SETTING_KEY, action="update",
                     before={"value": before}, after={"value": path})
    return fonts


def fonts_for_store(store: object) -> FontSet:
    getter = getattr(store, "get_setting", None)
    override = getter(SETTING_KEY) if getter else None
    return find_fonts(override or None)
