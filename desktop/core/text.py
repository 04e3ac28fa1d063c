"""Text helpers shared by forms, importer and demo data: pinyin initials, clean names."""
from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=65536)
def _char_initial(ch: str) -> str:
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    from pypinyin import Style, lazy_pinyin  # 0.25 s to import: only when a name is first seen

    py = lazy_pinyin(ch, style=Style.FIRST_LETTER, errors="ignore")
    return py[0].lower() if py else ""


def initials(name: str) -> str:
    """Pinyin initials for search: '西峡香菇有限公司' → 'xxxgyxgs'. ASCII letters/digits kept.

    Character by character (cached) so that 100,000 names take well under a second; polyphonic
    characters get their most common reading, which is what a clerk types.
    """
    return "".join(_char_initial(ch) for ch in clean_name(name))


def clean_name(text: str | None) -> str:
    """NFKC, collapse inner white space, strip — how names are stored."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    return " ".join(s.split())
