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


# Chinese line-breaking rules (GB/T 15834 标点符号用法; the same as Word's 中文换行规则): a line
# does not start with a closing mark or a pause/stop mark, and does not end with an opening one.
CANNOT_START = "，。、；：！？）》」』】〕〉”’…·%％‰．"
CANNOT_END = "（《「『【〔〈“‘"


def break_lines(text: str, width: float, measure) -> list[str]:  # noqa: ANN001 — measure(str) -> float
    """Greedy line breaking at any character (Chinese has no spaces) within `width`, honouring
    newlines and the rules above: when the next line would start with a mark that may not start
    one, or this line would end with an opening mark, characters move down to the next line
    (never emptying a line, so a very narrow width still makes progress)."""
    out: list[str] = []
    for para in text.split("\n"):
        if measure(para) <= width:
            out.append(para)
            continue
        line, used = "", 0.0
        for ch in para:
            w = measure(ch)
            if line and used + w > width:
                carry = ""
                while len(line) > 1 and ((carry or ch)[0] in CANNOT_START or line[-1] in CANNOT_END):
                    carry = line[-1] + carry
                    line = line[:-1]
                out.append(line)
                line, used = carry, measure(carry) if carry else 0.0
            line += ch
            used += w
        out.append(line)
    return out or [""]
