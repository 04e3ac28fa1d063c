"""Ledger (台账) fields and their rules: the one place used by the forms, the importer and demo data.

No Qt, no SQL. Storage turns park/belt names into ids through a `Lookups` object it builds.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field as dc_field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from desktop.core import credit
from desktop.core.errors import CreditCodeError, ValidationError
from desktop.core.money import parse_money
from desktop.core.text import clean_name

FIELD_TYPES = ("text", "int", "money", "year", "bool", "choice", "modes", "credit", "park", "belt",
               "date", "phone")
LEVELS = ("国家级", "省级", "市级", "县级", "其他")
SITE_STATUS = ("筹建", "运营", "停运")
ENTERPRISE_STATUS = ("在营", "停业", "注销")
BASE_KINDS = ("培训", "孵化", "培训孵化")
YEAR_MIN, YEAR_MAX = 2000, 2100

TRUE_WORDS = frozenset({"是", "√", "✓", "✔", "☑", "Y", "YES", "TRUE", "1", "有", "对"})
FALSE_WORDS = frozenset({"否", "空", "×", "✗", "✘", "N", "NO", "FALSE", "0", "无", "不是", "-", "—", "/"})

# Common clerk spellings of choice values.
CHOICE_SYNONYMS = {
    "运营中": "运营", "正常运营": "运营", "正常": "运营", "在建": "筹建", "建设中": "筹建",
    "停止运营": "停运", "停业中": "停业", "存续": "在营", "在业": "在营", "开业": "在营",
    "吊销": "注销", "已注销": "注销", "国家": "国家级", "省": "省级", "市": "市级", "县": "县级",
    "培训基地": "培训", "孵化基地": "孵化", "培训+孵化": "培训孵化", "培训、孵化": "培训孵化",
}


@dataclass(frozen=True)
class FieldSpec:
    name: str                      # SQL column
    label: str                     # Chinese header
    type: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # header variants accepted by the importer
    minimum: int | None = None
    maximum: int | None = None
    default: Any = None
    unit: str = "万元"              # money: unit a clerk types in

    def empty_value(self) -> Any:
        if self.default is not None:
            return self.default
        if self.type in ("text", "modes", "phone", "credit"):
            return ""
        if self.type == "bool":
            return 0
        return None


@dataclass(frozen=True)
class LedgerKind:
    key: str
    table: str
    title: str
    fields: tuple[FieldSpec, ...]
    search_columns: tuple[str, ...] = ("name", "initials")
    match_field: str = "name"       # how an imported row finds its stored record within the unit

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return _FIELD_NAMES.get(self.key) or tuple(f.name for f in self.fields)

    @property
    def has_volumes(self) -> bool:
        return self.key == "enterprises"


@dataclass(frozen=True)
class FieldIssue:
    field: str
    label: str
    message: str
    code: str = ""     # 'required', 'credit_check', 'credit_format', 'range', 'choice', 'format', ...


@dataclass
class RecordCheck:
    clean: dict[str, Any]
    errors: list[FieldIssue] = dc_field(default_factory=list)
    warnings: list[FieldIssue] = dc_field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def only_credit_check_failed(self) -> bool:
        """True when the only error is a failed check character (the overridable case)."""
        return bool(self.errors) and all(e.code == "credit_check" for e in self.errors)

    def error_text(self) -> str:
        return "；".join(e.message for e in self.errors)


@dataclass(frozen=True)
class Lookups:
    """Names the rules must resolve: parks of the unit, industry belts, customs modes."""

    parks: Mapping[str, int] = dc_field(default_factory=dict)        # park name -> id
    park_ids: frozenset[int] = frozenset()
    belts: Mapping[str, str] = dc_field(default_factory=dict)        # belt name or code -> code
    modes: Mapping[str, str] = dc_field(default_factory=dict)        # mode code -> name


def _f(name: str, label: str, type_: str = "text", **kw: Any) -> FieldSpec:
    return FieldSpec(name, label, type_, **kw)


_STATUS = _f("status", "状态", "choice", choices=SITE_STATUS, default="运营",
             aliases=("运营状态", "当前状态"))
_NOTE = _f("note", "备注", aliases=("说明", "备注说明"))
_OPERATOR = _f("operator", "运营主体", aliases=("运营单位", "运营企业", "运营方", "建设运营单位"))
_AREA = _f("area_m2", "面积（平方米）", "int", minimum=0, aliases=("面积", "面积(平方米)", "面积（㎡）",
                                                                  "占地面积", "建筑面积", "面积(㎡)"))
_ADDRESS = _f("address", "地址", aliases=("详细地址", "所在地址", "地点"))
_DEMO = _f("demonstration", "是否示范", "bool", aliases=("是否市级示范", "示范", "市级示范"))


def _year(name: str, label: str, *aliases: str) -> FieldSpec:
    return _f(name, label, "year", minimum=YEAR_MIN, maximum=YEAR_MAX, aliases=aliases)


ENTERPRISE_FIELDS = (
    _f("name", "企业名称", required=True, aliases=("单位名称", "企业全称", "公司名称", "企业（单位）名称", "名称")),
    _f("credit_code", "统一社会信用代码", "credit", required=True,
       aliases=("信用代码", "社会信用代码", "统一信用代码", "统一代码", "社会统一信用代码")),
    _f("park_id", "所属园区", "park", aliases=("园区", "入驻园区", "所在园区")),
    _f("belt_code", "所属产业带", "belt", aliases=("产业带", "所属行业", "产业")),
    _f("main_products", "主营产品", aliases=("主要产品", "经营产品", "主营业务")),
    _f("modes", "经营模式", "modes", aliases=("海关监管方式", "监管方式", "业务模式", "跨境电商模式", "监管代码")),
    _f("known", "是否知名企业", "bool", aliases=("知名企业",)),
    _year("known_year", "知名企业认定年份", "认定年份", "知名企业年份"),
    _f("brought_in", "是否引进企业", "bool", aliases=("引进企业", "是否引进")),
    _year("brought_in_year", "引进年份", "引进时间"),
    _f("brought_in_origin", "引进来源地", aliases=("来源地", "引进来源")),
    _f("contact", "联系人", aliases=("负责人", "联系人姓名")),
    _f("phone", "联系电话", "phone", aliases=("电话", "手机", "联系方式", "手机号码")),
    _f("status", "经营状态", "choice", choices=ENTERPRISE_STATUS, default="在营", aliases=("状态", "企业状态")),
    _NOTE,
)

PARK_FIELDS = (
    _f("name", "园区名称", required=True, aliases=("名称", "园区", "产业园名称", "园区全称")),
    _f("level", "级别", "choice", required=True, choices=LEVELS, aliases=("园区级别", "等级")),
    _DEMO, _OPERATOR, _AREA, _ADDRESS,
    _f("tenants", "入驻企业数", "int", minimum=0, aliases=("入驻企业", "入驻企业（家）", "入驻企业数（家）")),
    _f("cbec_tenants", "其中跨境电商企业数", "int", minimum=0,
       aliases=("其中跨境电商企业", "跨境电商企业数", "跨境电商企业（家）")),
    _year("certified_year", "认定年份", "获批年份"),
    _STATUS, _NOTE,
)

BASE_FIELDS = (
    _f("name", "基地名称", required=True, aliases=("名称", "培训孵化基地名称", "基地")),
    _f("kind", "基地类型", "choice", required=True, choices=BASE_KINDS, aliases=("类型", "类别")),
    _f("level", "级别", "choice", required=True, choices=LEVELS, aliases=("基地级别", "等级")),
    _DEMO, _OPERATOR, _AREA, _ADDRESS,
    _year("established_year", "成立年份", "建成年份", "设立年份"),
    _STATUS, _NOTE,
)

WAREHOUSE_FIELDS = (
    _f("name", "海外仓名称", required=True, aliases=("名称", "仓库名称")),
    _f("operator", "运营企业", aliases=("运营主体", "运营单位", "所属企业")),
    _f("country", "所在国家", aliases=("国家", "国家（地区）", "所在国家（地区）")),
    _f("city", "所在城市", aliases=("城市",)),
    _AREA,
    _f("public", "是否公共海外仓", "bool", aliases=("公共海外仓", "是否公共仓")),
    _DEMO,
    _year("opened_year", "开仓年份", "开业年份", "建成年份"),
    _STATUS, _NOTE,
)

LIVESTREAM_FIELDS = (
    _f("name", "直播基地名称", required=True, aliases=("名称", "基地名称")),
    _OPERATOR, _ADDRESS, _AREA,
    _f("hosts", "主播数", "int", minimum=0, default=0, aliases=("主播人数", "主播（人）", "签约主播数")),
    _f("rooms", "直播间数", "int", minimum=0, default=0, aliases=("直播间", "直播间（个）")),
    _year("established_year", "成立年份", "建成年份"),
    _STATUS, _NOTE,
)

O2O_FIELDS = (
    _f("name", "体验店名称", required=True, aliases=("名称", "门店名称", "店名")),
    _OPERATOR, _ADDRESS, _AREA,
    _year("opened_year", "开业年份", "开店年份"),
    _STATUS, _NOTE,
)

KINDS: dict[str, LedgerKind] = {
    "enterprises": LedgerKind("enterprises", "enterprise", "企业", ENTERPRISE_FIELDS,
                              ("name", "initials", "credit_code"), "credit_code"),
    "parks": LedgerKind("parks", "park", "园区", PARK_FIELDS),
    "bases": LedgerKind("bases", "base", "培训孵化基地", BASE_FIELDS),
    "warehouses": LedgerKind("warehouses", "warehouse", "海外仓", WAREHOUSE_FIELDS),
    "livestream": LedgerKind("livestream", "livestream_base", "直播基地", LIVESTREAM_FIELDS),
    "o2o": LedgerKind("o2o", "o2o_store", "O2O体验店", O2O_FIELDS),
}
TABLE_TO_KIND = {k.table: k for k in KINDS.values()}
_FIELD_NAMES: dict[str, tuple[str, ...]] = {k.key: tuple(f.name for f in k.fields) for k in KINDS.values()}


def kind_of(key: str) -> LedgerKind:
    try:
        return KINDS[key]
    except KeyError:
        names = "、".join(KINDS)
        raise ValidationError(f"台账类别“{key}”不存在（可选：{names}）", field="台账类别") from None


# -- normalisation ---------------------------------------------------------------------------------
def _nfkc(raw: Any) -> str:
    return unicodedata.normalize("NFKC", str(raw)).strip()


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _number_text(raw: Any) -> str:
    """A typed number as plain text: NFKC, no thousands separators, spaces or unit words."""
    s = _nfkc(raw).replace(",", "").replace("，", "").replace(" ", "")
    return re.sub(r"(平方米|㎡|m2|m²|家|个|人|名|间|年)$", "", s)


def _integer(spec: FieldSpec, raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValidationError(f"{spec.label}“{raw}”不是整数", field=spec.label)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw != raw or raw != int(raw):
            raise ValidationError(f"{spec.label}“{raw:g}”不是整数", field=spec.label)
        return int(raw)
    if isinstance(raw, Decimal):
        text = str(raw)
    else:
        text = _number_text(raw)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{spec.label}“{raw}”不是数字", field=spec.label) from None
    if not value.is_finite() or value != value.to_integral_value():
        raise ValidationError(f"{spec.label}“{raw}”不是整数", field=spec.label)
    return int(value)


def _year_value(spec: FieldSpec, raw: Any) -> int:
    if isinstance(raw, (datetime, date)):
        return raw.year
    if isinstance(raw, str):
        m = re.match(r"^\s*(\d{4})\s*(年|[-/.]\d{1,2}.*)?\s*$", _nfkc(raw))
        if m:
            return int(m[1])
    return _integer(spec, raw)


def _bool(spec: FieldSpec, raw: Any) -> int:
    if isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return int(raw)
    word = _nfkc(raw).upper()
    if word in TRUE_WORDS:
        return 1
    if word in FALSE_WORDS:
        return 0
    raise ValidationError(f"{spec.label}“{raw}”应填“是”或“否”（也可填 √ 或留空）", field=spec.label)


def _choice(spec: FieldSpec, raw: Any) -> str:
    word = _nfkc(raw).replace(" ", "")
    word = CHOICE_SYNONYMS.get(word, word)
    if word in spec.choices:
        return word
    raise ValidationError(f"{spec.label}“{raw}”不是可选值（{'、'.join(spec.choices)}）", field=spec.label)


def split_modes(raw: Any) -> list[str]:
    """'9610、9710' / '9710/9810' / '9610（零售）' → ['9610', '9710', ...] (codes and other words)."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = str(int(raw))
    text = _nfkc(raw)
    tokens = [t for t in re.split(r"[、,;；/|\s\\+]+|和|及", text) if t]
    out: list[str] = []
    for tok in tokens:
        codes = re.findall(r"(?<!\d)\d{4}(?!\d)", tok)
        out.extend(codes if codes else [re.sub(r"[()（）]", "", tok)])
    return out


def _modes(raw: Any) -> str:
    return ",".join(sorted(dict.fromkeys(split_modes(raw))))


def _credit(spec: FieldSpec, raw: Any) -> str:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise ValidationError(
            f"{spec.label}被表格存成了数字（{raw:.0f}），末几位可能已丢失：请把该列设为文本格式后重新填写",
            field=spec.label)
    return credit.normalise(raw)


def _date(spec: FieldSpec, raw: Any) -> str:
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    m = re.match(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$", _nfkc(raw))
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            pass
    raise ValidationError(f"{spec.label}“{raw}”不是有效日期（如 2025-09-30）", field=spec.label)


def _phone(spec: FieldSpec, raw: Any) -> str:
    if isinstance(raw, float) and raw == int(raw):
        raw = int(raw)
    text = _nfkc(raw)
    if not re.fullmatch(r"[0-9+\-()（）/、,， 转]*", text):
        raise ValidationError(f"{spec.label}“{raw}”含有不是电话号码的字符", field=spec.label)
    return " ".join(text.split())


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw == int(raw):
        raw = int(raw)
    if isinstance(raw, datetime):
        raw = raw.date().isoformat()
    return clean_name(raw)


def normalise_value(spec: FieldSpec, raw: Any) -> Any:
    """What a clerk typed (or a cell held) → the stored value. Raises ValidationError (Chinese).

    Blank gives the field's empty value ('' / None / 0 for booleans: 空 means 否).
    """
    if is_blank(raw):
        return spec.empty_value()
    t = spec.type
    if t == "int":
        return _integer(spec, raw)
    if t == "year":
        return _year_value(spec, raw)
    if t == "money":
        return parse_money(raw if not isinstance(raw, str) else _nfkc(raw), spec.unit, field=spec.label)
    if t == "bool":
        return _bool(spec, raw)
    if t == "choice":
        return _choice(spec, raw)
    if t == "modes":
        return _modes(raw)
    if t == "credit":
        return _credit(spec, raw)
    if t == "date":
        return _date(spec, raw)
    if t == "phone":
        return _phone(spec, raw)
    if t == "park" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    return _text(raw)


# -- enterprise annual volumes ---------------------------------------------------------------------
VOLUME_UNIT = "万元"


def volume_label(year: int, unit: str = VOLUME_UNIT) -> str:
    return f"{year}年跨境电商交易额（{unit}）"


_VOLUME_YEAR = re.compile(r"(?<!\d)(\d{4})(?:年|$|[(（])")
_VOLUME_WORD = re.compile(r"交易额|交易量|进出口额|出口额|销售额|营业额|金额")
_UNIT_IN_HEADER = re.compile(r"[(（]\s*(亿元|万元|元)\s*[)）]|单位[:：]?\s*(亿元|万元|元)")


def volume_header(header: str) -> tuple[int, str] | None:
    """'2024年跨境电商交易额（万元）' → (2024, '万元'); None when the header is not a volume column."""
    text = _nfkc(header).replace(" ", "")
    m = _VOLUME_YEAR.search(text)
    if not m or not _VOLUME_WORD.search(text):
        return None
    year = int(m[1])
    if not YEAR_MIN <= year <= YEAR_MAX:
        return None
    u = _UNIT_IN_HEADER.search(text)
    unit = (u[1] or u[2]) if u else VOLUME_UNIT
    return year, unit


def volume_spec(year: int, unit: str = VOLUME_UNIT) -> FieldSpec:
    return FieldSpec(f"volume_{year}", volume_label(year, unit), "money", minimum=0, unit=unit)


# -- record validation -----------------------------------------------------------------------------
def _issue(spec: FieldSpec, message: str, code: str) -> FieldIssue:
    return FieldIssue(spec.name, spec.label, message, code)


def _check_credit(spec: FieldSpec, value: str, errors: list[FieldIssue]) -> str:
    try:
        return credit.check(value)
    except CreditCodeError as exc:
        code = "credit_check" if "校验位错误" in exc.message else "credit_format"
        errors.append(_issue(spec, exc.message, code))
        return value


def _resolve_park(spec: FieldSpec, value: Any, lookups: Lookups, warnings: list[FieldIssue]) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, int):
        if value in lookups.park_ids:
            return value
        warnings.append(_issue(spec, f"{spec.label}（编号 {value}）不在本单位园区台账中，已留空", "unknown_park"))
        return None
    park_id = lookups.parks.get(str(value))
    if park_id is None:
        warnings.append(_issue(spec, f"{spec.label}“{value}”不在本单位园区台账中，已留空（可先在园区台账中添加）",
                               "unknown_park"))
    return park_id


def _resolve_belt(spec: FieldSpec, value: Any, lookups: Lookups, warnings: list[FieldIssue]) -> str | None:
    if value in (None, ""):
        return None
    code = lookups.belts.get(str(value)) or lookups.belts.get(str(value).upper())
    if code is None:
        warnings.append(_issue(spec, f"{spec.label}“{value}”不是已登记的产业带，已留空", "unknown_belt"))
    return code


def _resolve_modes(spec: FieldSpec, value: str, lookups: Lookups, errors: list[FieldIssue]) -> str:
    if not value:
        return ""
    by_name = {name: code for code, name in lookups.modes.items()}
    codes, bad = [], []
    for tok in value.split(","):
        code = tok if tok in lookups.modes else by_name.get(tok)
        (codes.append(code) if code else bad.append(tok))
    if bad:
        known = "、".join(lookups.modes) or "9610、9710、9810、1210"
        errors.append(_issue(spec, f"{spec.label}“{'、'.join(bad)}”不是海关监管方式代码（可选：{known}）", "choice"))
    return ",".join(sorted(set(codes)))


def _check_range(spec: FieldSpec, value: Any, errors: list[FieldIssue]) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        return
    if spec.minimum is not None and value < spec.minimum:
        msg = "不能为负数" if spec.minimum == 0 else f"不能小于 {spec.minimum}"
        errors.append(_issue(spec, f"{spec.label}{msg}（{value}）", "range"))
    elif spec.maximum is not None and value > spec.maximum:
        errors.append(_issue(spec, f"{spec.label}不能大于 {spec.maximum}（{value}）", "range"))


def _check_field(spec: FieldSpec, raw: Any, lookups: Lookups, check: RecordCheck) -> None:
    try:
        value = normalise_value(spec, raw)
    except ValidationError as exc:
        check.errors.append(_issue(spec, exc.message, "format"))
        check.clean[spec.name] = spec.empty_value()
        return
    if spec.required and value in (None, ""):
        check.errors.append(_issue(spec, f"{spec.label}为空（必填）",
                                   "credit_missing" if spec.type == "credit" else "required"))
    elif spec.type == "credit":
        value = _check_credit(spec, value, check.errors)
    elif spec.type == "park":
        value = _resolve_park(spec, value, lookups, check.warnings)
    elif spec.type == "belt":
        value = _resolve_belt(spec, value, lookups, check.warnings)
    elif spec.type == "modes":
        value = _resolve_modes(spec, value, lookups, check.errors)
    _check_range(spec, value, check.errors)
    check.clean[spec.name] = value


def _check_volumes(raw: Any, check: RecordCheck) -> None:
    volumes: dict[int, int] = {}
    for year, amount in dict(raw or {}).items():
        spec = volume_spec(int(year) if str(year).isdigit() else 0)
        if not str(year).isdigit() or not YEAR_MIN <= int(year) <= YEAR_MAX:
            check.errors.append(FieldIssue("volumes", "交易额", f"交易额年份“{year}”无效", "range"))
            continue
        if amount is None:
            continue
        if isinstance(amount, bool) or not isinstance(amount, int):
            check.errors.append(_issue(spec, f"{spec.label}“{amount}”不是整数元", "format"))
        elif amount < 0:
            check.errors.append(_issue(spec, f"{spec.label}不能为负数", "range"))
        else:
            volumes[int(year)] = amount
    check.clean["volumes"] = volumes


def _cross_checks(kind: LedgerKind, clean: dict[str, Any], check: RecordCheck) -> None:
    if kind.key == "enterprises":
        for flag, year in (("known", "known_year"), ("brought_in", "brought_in_year")):
            fs, ys = kind.field(flag), kind.field(year)
            if clean.get(flag) and clean.get(year) is None:
                check.errors.append(_issue(ys, f"已标为“{fs.label.removeprefix('是否')}”，请填写{ys.label}", "required"))
    if kind.key == "parks":
        t, c = clean.get("tenants"), clean.get("cbec_tenants")
        if t is not None and c is not None and c > t:
            spec = kind.field("cbec_tenants")
            check.errors.append(_issue(spec, f"{spec.label}（{c}）不能多于入驻企业数（{t}）", "range"))


def validate_record(kind_key: str, values: Mapping[str, Any], *, lookups: Lookups) -> RecordCheck:
    """Normalise and check one record. Missing fields take their empty/default value.

    Errors block saving; the only overridable one is FieldIssue.code == 'credit_check'.
    Warnings (unknown park or belt) leave the value empty and let the record be saved.
    """
    kind = kind_of(kind_key)
    check = RecordCheck(clean={})
    for spec in kind.fields:
        _check_field(spec, values.get(spec.name), lookups, check)
    if kind.has_volumes:
        _check_volumes(values.get("volumes"), check)
    _cross_checks(kind, check.clean, check)
    return check


def header_names(kind_key: str) -> dict[str, str]:
    """Every accepted header text (label and aliases, normalised) → field name."""
    out: dict[str, str] = {}
    for spec in kind_of(kind_key).fields:
        for h in (spec.label, *spec.aliases):
            out.setdefault(normalise_header(h), spec.name)
    return out


def normalise_header(text: Any) -> str:
    """Header text for matching: NFKC, no spaces, line breaks, '*' marks or colons."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return re.sub(r"[\s*＊:：]", "", s)
