"""Core values: periods, money, credit codes, text."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from desktop.core import credit
from desktop.core.errors import CreditCodeError, PeriodError, ValidationError
from desktop.core.money import format_money, growth_percent, parse_money, share_percent
from desktop.core.periods import Period, month_range
from desktop.core.text import clean_name, initials


# -- periods ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text, kind, norm", [
    ("2025-09", "month", "2025-09"), ("2025-9", "month", "2025-09"), ("2025Q3", "quarter", "2025Q3"),
    ("2025q3", "quarter", "2025Q3"), ("2025", "year", "2025"), ("２０２５－０９", "month", "2025-09"),
    ("2025年9月", "month", "2025-09"), ("2025年第三季度", "quarter", "2025Q3"), ("2025年", "year", "2025"),
])
def test_period_parse(text, kind, norm):
    p = Period.parse(text)
    assert p.kind == kind and str(p) == norm and Period.parse(str(p)) == p


@pytest.mark.parametrize("bad", ["2025-13", "2025Q5", "25-09", "", "abc", "1999-01"])
def test_period_parse_refuses(bad):
    with pytest.raises(PeriodError) as e:
        Period.parse(bad)
    assert "期别" in str(e.value)


def test_period_arithmetic():
    p = Period.parse("2025-09")
    assert p.label == "2025年9月" and p.ytd_label == "1—9月"
    assert p.same_period_last_year() == Period.parse("2024-09")
    assert p.quarter_of() == Period.parse("2025Q3")
    assert [str(m) for m in p.ytd_months()][0] == "2025-01" and len(p.ytd_months()) == 9
    assert Period.parse("2025-01").previous() == Period.parse("2024-12")
    assert Period.parse("2025Q1").previous() == Period.parse("2024Q4")
    assert Period.parse("2024Q4").next() == Period.parse("2025Q1")
    assert Period.parse("2025Q3").month_keys() == ["2025-07", "2025-08", "2025-09"]
    assert Period.parse("2025Q3").label == "2025年第三季度"
    assert Period.parse("2024-02").end_date() == date(2024, 2, 29)
    assert Period.parse("2025").end_date() == date(2025, 12, 31)
    assert Period.last_full_month(date(2026, 1, 15)) == Period.parse("2025-12")
    assert Period.parse("2025-09") < Period.parse("2025Q3") < Period.parse("2025-10") < Period.parse("2025")
    assert Period.parse("2025Q3").contains(Period.parse("2025-08"))
    assert len(list(month_range(Period.parse("2021-01"), Period.parse("2025Q4")))) == 60


@given(st.integers(2000, 2099), st.integers(1, 12))
def test_month_next_previous_roundtrip(y, m):
    p = Period.month(y, m)
    assert p.next().previous() == p and Period.parse(str(p)) == p


# -- money -----------------------------------------------------------------------------------
def test_parse_money_variants():
    assert parse_money("1,234.5") == 12_345_000
    assert parse_money("１２３４．５６") == 12_345_600
    assert parse_money(" 0.01 ") == 100
    assert parse_money(3, "亿元") == 300_000_000
    assert parse_money("12345", "元") == 12345


@pytest.mark.parametrize("bad, msg", [("-1", "负数"), ("abc", "不是数字"), ("", "为空"), ("0.000001", "精度")])
def test_parse_money_refuses(bad, msg):
    with pytest.raises(ValidationError) as e:
        parse_money(bad)
    assert msg in str(e.value)


def test_format_and_growth():
    assert format_money(12_345_678) == "1,234.57"
    assert format_money(16_000_000_000, "亿元") == "160.00"
    assert format_money(None) == ""
    assert growth_percent(110, 100) == Decimal("10.0")
    assert growth_percent(5, 0) is None
    assert share_percent(1, 3) == Decimal("33.3")


@given(st.integers(0, 10**15))
def test_money_roundtrip_is_exact(yuan):
    assert parse_money(format_money(yuan, "万元", 4, thousands=False)) == yuan


# -- credit codes ----------------------------------------------------------------------------
@pytest.mark.parametrize("typed", [
    "914403001922038216", "９１４４０３００１９２２０３８２１６", " 91440300 1922038216 ", "914403001922038216\t",
])
def test_credit_code_normalised_and_valid(typed):
    assert credit.check(typed) == "914403001922038216"


def test_credit_code_lower_case_letters():
    code = credit.make_valid("91411323MA44ABCDX")
    assert credit.check(code.lower()) == code


@pytest.mark.parametrize("bad, msg", [
    ("914403001922038217", "校验位错误：第18位应为“6”"), ("9144030019220382", "应为18位，实际16位"),
    ("91440300192203821O", "不允许的字符“O”"), ("", "为空"),
])
def test_credit_code_messages(bad, msg):
    with pytest.raises(CreditCodeError) as e:
        credit.check(bad)
    assert msg in str(e.value)


def test_text_helpers():
    assert initials("西峡香菇有限公司").startswith("xxxg")
    assert clean_name("  南阳　玉雕  有限公司 ") == "南阳 玉雕 有限公司"
