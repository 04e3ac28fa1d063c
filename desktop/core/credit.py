"""Unified Social Credit Code (GB 32100-2015): normalise what clerks type, check with python-stdnum."""
from __future__ import annotations

import unicodedata

from desktop.core.errors import CreditCodeError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def normalise(text: str | None) -> str:
    """NFKC (full-width → half-width), drop all white space and separators, upper case."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).upper()
    return "".join(ch for ch in s if not ch.isspace() and ch not in "-_")


def check(text: str | None) -> str:
    """Return the normalised code or raise CreditCodeError saying, in Chinese, what is wrong."""
    code = normalise(text)
    if not code:
        raise CreditCodeError("统一社会信用代码为空", field="统一社会信用代码")
    if len(code) != 18:
        raise CreditCodeError(
            f"统一社会信用代码“{code}”应为18位，实际{len(code)}位", field="统一社会信用代码"
        )
    # python-stdnum pulls in ssl and pydoc (~20 ms): imported on the first check, not at start-up.
    from stdnum.cn import uscc
    from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

    bad = [ch for ch in code if ch not in ALPHABET]
    if bad:
        extra = "（不使用 I、O、S、V、Z）" if set(bad) & set("IOSVZ") else ""
        raise CreditCodeError(
            f"统一社会信用代码“{code}”含有不允许的字符“{''.join(dict.fromkeys(bad))}”{extra}",
            field="统一社会信用代码",
        )
    try:
        return uscc.validate(code)
    except InvalidChecksum:
        expected = uscc.calc_check_digit(code[:17])
        raise CreditCodeError(
            f"统一社会信用代码“{code}”校验位错误：第18位应为“{expected}”，请核对营业执照",
            field="统一社会信用代码",
        ) from None
    except InvalidComponent:
        raise CreditCodeError(
            f"统一社会信用代码“{code}”的登记管理部门或机构类别代码无效（第1—2位）",
            field="统一社会信用代码",
        ) from None
    except (InvalidFormat, InvalidLength):
        raise CreditCodeError(f"统一社会信用代码“{code}”格式不正确", field="统一社会信用代码") from None


def is_valid(text: str | None) -> bool:
    try:
        check(text)
    except CreditCodeError:
        return False
    return True


def make_valid(first17: str) -> str:
    """Complete 17 characters with their check character (demo data, tests)."""
    from stdnum.cn import uscc

    return first17 + uscc.calc_check_digit(first17)
