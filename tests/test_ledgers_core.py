"""Ledger rules (desktop.core.ledgers) and ledger storage (desktop.storage.ledgers)."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest

from desktop.core.credit import make_valid
from desktop.core.errors import RoleError, ValidationError
from desktop.core.ledgers import (
    KINDS,
    Lookups,
    normalise_value,
    validate_record,
    volume_header,
)
from desktop.storage import ledgers as L

GOOD = "914403001922038216"
BAD_CHECK = "914403001922038217"
OP = "张三"


def code(n: int) -> str:
    return make_valid(f"91411323MA4{n:06d}")


def spec(kind: str, name: str):
    return KINDS[kind].field(name)


LOOKUPS = Lookups(parks={"西峡跨境电商产业园": 7}, park_ids=frozenset({7}),
                  belts={"食用菌": "MUSHROOM", "MUSHROOM": "MUSHROOM"},
                  modes={"9610": "跨境贸易电子商务", "9710": "跨境电子商务企业对企业直接出口",
                         "9810": "跨境电子商务出口海外仓", "1210": "保税跨境贸易电子商务"})


# -- normalisation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, expected", [
    ("是", 1), ("否", 0), ("√", 1), ("✓", 1), ("空", 0), (None, 0), ("", 0), ("  ", 0), (1, 1), (0.0, 0),
    ("Ｙ", 1), ("×", 0),
])
def test_bool_words(raw, expected):
    assert normalise_value(spec("enterprises", "known"), raw) == expected


def test_bool_rejects_other_words():
    with pytest.raises(ValidationError, match="是否知名企业“也许”应填“是”或“否”"):
        normalise_value(spec("enterprises", "known"), "也许")


@pytest.mark.parametrize("raw, expected", [
    ("9610、9710", "9610,9710"), ("9710/9810", "9710,9810"), ("９８１０，９６１０", "9610,9810"),
    ("9610（零售出口）", "9610"), (9710.0, "9710"), ("9710 9710", "9710"), ("", ""),
])
def test_modes_lists(raw, expected):
    assert normalise_value(spec("enterprises", "modes"), raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("1,234", 1234), ("１２３４", 1234), ("  56 ", 56), (12.0, 12), ("300平方米", 300), (None, None),
])
def test_integers(raw, expected):
    assert normalise_value(spec("parks", "area_m2"), raw) == expected


def test_integer_errors_are_chinese():
    with pytest.raises(ValidationError, match="面积（平方米）“12.5”不是整数"):
        normalise_value(spec("parks", "area_m2"), "12.5")
    with pytest.raises(ValidationError, match="入驻企业数“很多”不是数字"):
        normalise_value(spec("parks", "tenants"), "很多")


def test_years_money_phone_choice_text():
    assert normalise_value(spec("parks", "certified_year"), "2023年") == 2023
    assert normalise_value(spec("parks", "certified_year"), datetime(2022, 5, 1)) == 2022
    vol = volume_header("2024年跨境电商交易额（万元）")
    assert vol == (2024, "万元")
    from desktop.core.ledgers import volume_spec
    assert normalise_value(volume_spec(2024), "1,234.5") == 12_345_000
    assert normalise_value(volume_spec(2024, "元"), "１２３") == 123
    assert normalise_value(spec("enterprises", "phone"), 13800138000.0) == "13800138000"
    assert normalise_value(spec("enterprises", "status"), "存续") == "在营"
    assert normalise_value(spec("parks", "level"), "省级 ") == "省级"
    assert normalise_value(spec("enterprises", "name"), " 西峡　香菇  有限公司 ") == "西峡 香菇 有限公司"
    assert normalise_value(spec("enterprises", "credit_code"), " ９１４４０３００１９２２０３８２１６ ") == GOOD
    assert normalise_value(spec("enterprises", "credit_code"), "914403001922038216".lower()) == GOOD


def test_credit_code_stored_as_number_is_explained():
    with pytest.raises(ValidationError, match="存成了数字"):
        normalise_value(spec("enterprises", "credit_code"), 9.14403001922038e17)


@pytest.mark.parametrize("header, expected", [
    ("2024年跨境电商交易额（万元）", (2024, "万元")), ("2023年交易额(元)", (2023, "元")),
    ("2022年度跨境电商进出口额（亿元）", (2022, "亿元")), ("2025年交易额", (2025, "万元")),
    ("企业名称", None), ("2024年西峡县企业名录", None),
])
def test_volume_headers(header, expected):
    assert volume_header(header) == expected


# -- record validation -----------------------------------------------------------------------------
def test_valid_enterprise_is_cleaned():
    check = validate_record("enterprises", {
        "name": "西峡香菇有限公司 ", "credit_code": "９１４４０３００１９２２０３８２１６", "park_id": "西峡跨境电商产业园",
        "belt_code": "食用菌", "modes": "9710、9610", "known": "√", "known_year": "2023", "volumes": {2024: 5},
    }, lookups=LOOKUPS)
    assert check.ok and not check.warnings
    assert check.clean["credit_code"] == GOOD and check.clean["park_id"] == 7
    assert check.clean["belt_code"] == "MUSHROOM" and check.clean["modes"] == "9610,9710"
    assert check.clean["known"] == 1 and check.clean["known_year"] == 2023
    assert check.clean["status"] == "在营" and check.clean["volumes"] == {2024: 5}


def test_failed_check_is_the_overridable_error():
    check = validate_record("enterprises", {"name": "甲", "credit_code": BAD_CHECK}, lookups=LOOKUPS)
    assert [e.code for e in check.errors] == ["credit_check"]
    assert check.only_credit_check_failed
    assert "第18位应为“6”" in check.errors[0].message
    short = validate_record("enterprises", {"name": "甲", "credit_code": "91440300"}, lookups=LOOKUPS)
    assert [e.code for e in short.errors] == ["credit_format"] and not short.only_credit_check_failed
    missing = validate_record("enterprises", {"name": "甲"}, lookups=LOOKUPS)
    assert [e.code for e in missing.errors] == ["credit_missing"]
    assert missing.errors[0].message == "统一社会信用代码为空（必填）"


def test_unknown_park_and_belt_are_warnings_and_bad_modes_errors():
    check = validate_record("enterprises", {"name": "甲", "credit_code": GOOD, "park_id": "无此园区",
                                            "belt_code": "无此产业带", "modes": "9610、9999"}, lookups=LOOKUPS)
    assert [w.code for w in check.warnings] == ["unknown_park", "unknown_belt"]
    assert check.clean["park_id"] is None and check.clean["belt_code"] is None
    assert len(check.errors) == 1 and "“9999”不是海关监管方式代码" in check.errors[0].message


def test_cross_field_and_range_rules():
    check = validate_record("enterprises", {"name": "甲", "credit_code": GOOD, "known": "是",
                                            "volumes": {2024: -1}}, lookups=LOOKUPS)
    messages = [e.message for e in check.errors]
    assert "已标为“知名企业”，请填写知名企业认定年份" in messages
    assert any("2024年跨境电商交易额（万元）不能为负数" in m for m in messages)
    park = validate_record("parks", {"name": "园", "level": "市级", "tenants": 3, "cbec_tenants": 5,
                                     "area_m2": -2, "certified_year": 1999}, lookups=LOOKUPS)
    assert {e.field for e in park.errors} == {"cbec_tenants", "area_m2", "certified_year"}
    assert validate_record("parks", {"name": "园"}, lookups=LOOKUPS).errors[0].message == "级别为空（必填）"


def test_core_storage_exchange_do_not_import_qt():
    code_ = ("import sys, desktop.core.ledgers, desktop.storage.ledgers, desktop.exchange.roster, "
             "desktop.exchange.roster_write, desktop.commands.roster; "
             "print(any(m.startswith('PySide6') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code_], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- storage ---------------------------------------------------------------------------------------
@pytest.fixture
def park_id(county_store) -> int:
    return L.create(county_store, "parks", {"name": "西峡跨境电商产业园", "level": "市级"}, operator=OP)


def new_enterprise(store, n: int, name: str, **extra) -> int:
    return L.create(store, "enterprises", {"name": name, "credit_code": code(n), **extra}, operator=OP)


def audit_rows(store):
    return store.query("SELECT table_name, row_key, action, reason FROM audit_log ORDER BY id")


def test_create_get_fetch_and_search(county_store, park_id):
    eid = new_enterprise(county_store, 1, "西峡香菇有限公司", park_id=park_id, modes="9610、9710",
                         known="是", known_year=2023, volumes={2023: 1_000_000, 2024: 2_500_000})
    other = new_enterprise(county_store, 2, "南阳玉雕工艺品公司", belt_code="玉雕工艺品")
    got = L.get(county_store, "enterprises", eid)
    assert got["modes"] == "9610,9710" and got["volumes"] == {2023: 1_000_000, 2024: 2_500_000}
    row = L.fetch_rows(county_store, "enterprises", [eid])[eid]
    assert row["park_name"] == "西峡跨境电商产业园" and row["modes_text"] == "9610、9710"
    assert row["latest_volume"] == 2_500_000 and row["latest_volume_year"] == 2024
    assert row["initials"] == "xxxgyxgs" and row["unit_name"] == "西峡县"
    assert L.list_ids(county_store, "enterprises", search="xxxg") == [eid]
    assert L.list_ids(county_store, "enterprises", search=code(2)[-3:].lower()) == [other]
    assert L.list_ids(county_store, "enterprises", search="玉雕") == [other]
    assert L.list_ids(county_store, "enterprises", search="100%") == []
    assert L.list_ids(county_store, "enterprises", filters={"park_id": park_id}) == [eid]
    assert L.list_ids(county_store, "enterprises", filters={"modes": "9710", "known": 1}) == [eid]
    assert L.list_ids(county_store, "enterprises", filters={"belt_code": "JADE"}) == [other]
    assert L.list_ids(county_store, "enterprises", order_by="latest_volume", descending=True) == [eid, other]
    assert L.list_ids(county_store, "enterprises", order_by="name") == [other, eid]
    assert [a["action"] for a in audit_rows(county_store)] == ["insert"] * 3


def test_credit_override_needs_a_reason_and_is_audited(county_store):
    with pytest.raises(L.RecordInvalid) as exc:
        L.create(county_store, "enterprises", {"name": "老试点企业", "credit_code": BAD_CHECK}, operator=OP)
    assert exc.value.issues[0].code == "credit_check"
    assert county_store.scalar("SELECT count(*) FROM enterprise") == 0
    eid = L.create(county_store, "enterprises", {"name": "老试点企业", "credit_code": BAD_CHECK}, operator=OP,
                   credit_override_reason="已核对营业执照，仍然保存")
    assert L.get(county_store, "enterprises", eid)["credit_override"] == 1
    assert audit_rows(county_store)[-1] == {"table_name": "enterprise", "row_key": str(eid),
                                            "action": "override", "reason": "已核对营业执照，仍然保存"}
    L.update(county_store, "enterprises", eid, {"contact": "王五"}, operator=OP)  # kept override, no new reason
    assert L.get(county_store, "enterprises", eid)["contact"] == "王五"


def test_duplicates_and_bad_values_are_refused_whole(county_store):
    new_enterprise(county_store, 1, "甲公司")
    with pytest.raises(ValidationError, match="已登记为“甲公司”"):
        new_enterprise(county_store, 1, "乙公司")
    with pytest.raises(ValidationError, match="面积"):
        L.create(county_store, "parks", {"name": "园", "level": "市级", "area_m2": "大"}, operator=OP)
    L.create(county_store, "parks", {"name": "园", "level": "市级"}, operator=OP)
    with pytest.raises(ValidationError, match="已有同名园区“园”"):
        L.create(county_store, "parks", {"name": " 园 ", "level": "县级"}, operator=OP)
    assert county_store.scalar("SELECT count(*) FROM enterprise") == 1


def test_write_failure_leaves_nothing(county_store, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("disk full")
    monkeypatch.setattr(L.audit, "record", boom)
    with pytest.raises(RuntimeError):
        new_enterprise(county_store, 1, "甲公司", volumes={2024: 5})
    assert county_store.scalar("SELECT count(*) FROM enterprise") == 0
    assert county_store.scalar("SELECT count(*) FROM enterprise_volume") == 0


def test_update_delete_and_undo_chain(county_store):
    eid = new_enterprise(county_store, 1, "甲公司", volumes={2024: 100})
    L.update(county_store, "enterprises", eid, {"name": "甲公司（改）", "volumes": {2024: 200, 2025: 300}}, operator=OP)
    n_audit = len(audit_rows(county_store))
    L.update(county_store, "enterprises", eid, {"name": "甲公司(改)"}, operator=OP)  # same after NFKC
    assert len(audit_rows(county_store)) == n_audit
    L.delete(county_store, "enterprises", eid, operator=OP)
    assert L.list_ids(county_store, "enterprises") == []
    assert L.list_ids(county_store, "enterprises", include_deleted=True) == [eid]
    assert L.undo_last(county_store, operator="别人") is None
    assert L.undo_last(county_store, operator=OP) == "已撤销：删除企业“甲公司(改)”"
    assert L.list_ids(county_store, "enterprises") == [eid]
    assert L.undo_last(county_store, operator=OP) == "已撤销：修改企业“甲公司(改)”"
    got = L.get(county_store, "enterprises", eid)
    assert got["name"] == "甲公司" and got["volumes"] == {2024: 100}
    assert county_store.scalar("SELECT initials FROM enterprise WHERE id = ?", (eid,)) == "jgs"
    assert L.undo_last(county_store, operator=OP) == "已撤销：新增企业“甲公司”"
    assert L.list_ids(county_store, "enterprises") == []
    assert L.undo_last(county_store, operator=OP) is None
    assert [a["action"] for a in audit_rows(county_store)][-3:] == ["restore"] * 3


def test_undo_refuses_when_someone_changed_the_row_since(county_store):
    eid = new_enterprise(county_store, 1, "甲公司")
    L.update(county_store, "enterprises", eid, {"contact": "赵六"}, operator="李四")
    with pytest.raises(ValidationError, match="又被修改过，不能撤销"):
        L.undo_last(county_store, operator=OP)
    assert L.get(county_store, "enterprises", eid)["contact"] == "赵六"


def test_upsert_many_counts_one_transaction_and_undo(county_store, park_id):
    e1 = new_enterprise(county_store, 1, "甲公司", volumes={2023: 10})
    records = [
        {"name": "甲公司", "credit_code": code(1).lower(), "volumes": {2024: 20}},   # update (adds a year)
        {"name": "乙公司", "credit_code": code(2), "park_id": "西峡跨境电商产业园"},   # add
        {"name": "丙公司", "credit_code": code(3)},                                   # add
    ]
    assert L.upsert_many(county_store, "enterprises", records, operator=OP) == (2, 1, 0)
    assert L.get(county_store, "enterprises", e1)["volumes"] == {2023: 10, 2024: 20}
    assert L.upsert_many(county_store, "enterprises", records, operator=OP) == (0, 0, 3)
    before = "\n".join(county_store.conn.iterdump())
    with pytest.raises(ValidationError, match="第 2 条记录：统一社会信用代码为空"):
        L.upsert_many(county_store, "enterprises", [{"name": "丁", "credit_code": code(4)}, {"name": "戊"}],
                      operator=OP)
    assert "\n".join(county_store.conn.iterdump()) == before
    assert L.undo_last(county_store, operator=OP) == "已撤销：导入企业台账（新增 2 条，更新 1 条）"
    assert L.list_ids(county_store, "enterprises") == [e1]
    assert L.get(county_store, "enterprises", e1)["volumes"] == {2023: 10}
    reasons = {a["reason"] for a in audit_rows(county_store) if a["action"] == "import"}
    assert len(reasons) == 1 and next(iter(reasons)).startswith("导入")


def test_parks_upsert_matches_by_name(county_store, park_id):
    assert L.upsert_many(county_store, "parks", [{"name": " 西峡跨境电商产业园", "tenants": "12"},
                                                  {"name": "新园区", "level": "县级"}], operator=OP) == (1, 1, 0)
    assert L.get(county_store, "parks", park_id)["tenants"] == 12


def test_municipal_store_needs_a_unit(municipal_store):
    with pytest.raises(RoleError):
        L.create(municipal_store, "parks", {"name": "园", "level": "市级"}, operator=OP)
    pid = L.create(municipal_store, "parks", {"name": "园", "level": "市级", "unit_code": "411324"}, operator=OP)
    assert L.get(municipal_store, "parks", pid)["unit_code"] == "411324"
    assert L.list_ids(municipal_store, "parks", filters={"unit_code": "411324"}) == [pid]


def test_county_keeps_to_its_own_unit(county_store):
    with pytest.raises(RoleError, match="不能修改其他单位"):
        L.create(county_store, "parks", {"name": "园", "level": "市级", "unit_code": "411324"}, operator=OP)


def test_audit_snapshots_are_json(county_store):
    eid = new_enterprise(county_store, 1, "甲公司", volumes={2024: 7})
    after = json.loads(county_store.scalar("SELECT after FROM audit_log WHERE row_key = ?", (str(eid),)))
    assert after["credit_code"] == code(1) and after["volumes"] == {"2024": 7}


def test_search_table_follows_every_writer(county_store):
    """enterprise_search (migration 0002) is kept by triggers: raw SQL writers (demo data,
    package import) and soft delete/undo all show up in list_ids."""
    eid = new_enterprise(county_store, 1, "西峡香菇有限公司")
    with county_store.atomic() as conn:
        conn.execute("INSERT INTO enterprise(uid, unit_code, name, initials, credit_code, updated_at)"
                     " VALUES ('u2', '411323', '内乡艾草制品厂', 'nxaczpc', ?, 'x')", (code(2),))
    raw = county_store.scalar("SELECT id FROM enterprise WHERE uid = 'u2'")
    assert L.list_ids(county_store, "enterprises", search="nxac") == [raw]
    assert L.list_ids(county_store, "enterprises", search="有限 xxxg") == [eid]
    assert L.list_ids(county_store, "enterprises", search="ｘｘｘｇ") == [eid]   # full-width typing
    with county_store.atomic() as conn:
        conn.execute("UPDATE enterprise SET name = '内乡艾草科技', initials = 'nxackj' WHERE id = ?", (raw,))
    assert L.list_ids(county_store, "enterprises", search="nxackj") == [raw]
    assert L.list_ids(county_store, "enterprises", search="nxaczpc") == []
    L.delete(county_store, "enterprises", eid, operator=OP)
    assert L.list_ids(county_store, "enterprises", search="xxxg") == []
    assert L.list_ids(county_store, "enterprises", search="xxxg", include_deleted=True) == [eid]
    L.undo_last(county_store, operator=OP)
    assert L.list_ids(county_store, "enterprises", descending=True) == [raw, eid]
    assert L.list_ids(county_store, "enterprises", search="公司", order_by="name") == [eid]
    with county_store.atomic() as conn:
        conn.execute("DELETE FROM enterprise WHERE id = ?", (raw,))
    assert county_store.scalar("SELECT count(*) FROM enterprise_search") == 1
