"""Exact money: integer 元 everywhere; 万元/亿元 only when shown or typed."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from desktop.core.errors import ValidationError

YUAN_PER_WAN = 10_000
YUAN_PER_YI = 100_000_000
_SCALE = {"元": 1, "万元": YUAN_PER_WAN, "亿元": YUAN_PER_YI}


def to_decimal(yuan: int, unit: str = "万元") -> Decimal:
    """Exact value of `yuan` expressed in `unit` (万元 / 亿元 / 元)."""
    return Decimal(yuan) / _SCALE[unit]


def format_money(yuan: int | None, unit: str = "万元", places: int = 2, *, thousands: bool = True) -> str:
    """'1,234.57' for 12,345,678 元 in 万元. None gives ''."""
    if yuan is None:
        return ""
    q = to_decimal(yuan, unit).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{q:,.{places}f}" if thousands else f"{q:.{places}f}"


def parse_money(text: str | int | float | Decimal, unit: str = "万元", *, field: str = "金额") -> int:
    """Parse a typed amount in `unit` to integer 元. Accepts '1,234.5', full-width digits, spaces.

    Raises ValidationError (Chinese) for non-numbers, negatives and sub-元 precision.
    """
    if isinstance(text, bool):
        raise ValidationError(f"{field}不是数字", field=field)
    if isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, float):
        value = Decimal(repr(text))
    elif isinstance(text, Decimal):
        value = text
    else:
        import unicodedata

        cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(",", "").replace(" ", "")
        cleaned = cleaned.replace("，", "")
        if cleaned == "":
            raise ValidationError(f"{field}为空", field=field)
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise ValidationError(f"{field}“{text}”不是数字", field=field) from None
    if not value.is_finite():
        raise ValidationError(f"{field}“{text}”不是数字", field=field)
    if value < 0:
        raise ValidationError(f"{field}不能为负数（{text}）", field=field)
    yuan = value * _SCALE[unit]
    rounded = yuan.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if abs(yuan - rounded) >= Decimal("0.005"):
        raise ValidationError(f"{field}“{text}”精度超过1元", field=field)
    return int(rounded)


def growth_percent(current: int, previous: int) -> Decimal | None:
    """Year-on-year growth in % (one decimal), None when there is no base to compare with."""
    if not previous:
        return None
    pct = (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)
    return pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share_percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
