"""A small data set for the report tests whose figures are written down by hand below."""
from __future__ import annotations

from desktop.core.credit import make_valid
from desktop.storage.db import Store, new_uid, now_iso

UNIT = "411323"  # 西峡县

# (period, indicator, category, value); money in 元.
VALUES = [
    ("2025-01", "CBEC_EXPORT", "OTHER", 1_000_000),
    ("2025-07", "CBEC_EXPORT", "9610", 1_000_000),
    ("2025-07", "CBEC_EXPORT", "9710", 2_500_000),
    ("2025-08", "CBEC_EXPORT", "9710", 3_000_000),
    ("2025-09", "CBEC_EXPORT", "9810", 1_500_000),
    ("2025-09", "CBEC_IMPORT", "1210", 500_000),
    ("2024-08", "CBEC_EXPORT", "9710", 4_000_000),
    ("2024-02", "CBEC_IMPORT", "1210", 1_000_000),
    ("2025-08", "TALENT_TRAINED", "OPS", 12),
    ("2025-09", "TALENT_INTRODUCED", "TECH", 3),
    ("2023-05", "TALENT_TRAINED", "EXEC", 10),
]
# Hand-computed for 2025Q3 (Jul–Sep) and year to date (Jan–Sep):
Q3_VOLUME, YTD_VOLUME, LY_VOLUME = 8_500_000, 9_500_000, 5_000_000       # 850.00 / 950.00 / 500.00 万元
Q3_EXPORT, YTD_EXPORT, LY_EXPORT = 8_000_000, 9_000_000, 4_000_000
Q3_IMPORT, YTD_IMPORT, LY_IMPORT = 500_000, 500_000, 1_000_000
VOLUME_TARGET = 50_000_000                                               # 5,000.00 万元 → 19.0 %
Q3_B2B, Q3_B2C = 7_000_000, 1_000_000
ENTERPRISE_VOLUME_2024 = 12_345_678                                      # 1,234.57 万元


def _ledger(conn, table: str, **cols: object) -> int:
    cols = {"uid": new_uid(), "unit_code": UNIT, "updated_at": now_iso(), **cols}
    cur = conn.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                       tuple(cols.values()))
    return int(cur.lastrowid)


def fill(store: Store) -> None:
    with store.atomic() as conn:
        conn.executemany(
            "INSERT INTO indicator_value(unit_code, period, indicator_code, category, value, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)", [(UNIT, p, i, c, v, now_iso()) for p, i, c, v in VALUES])
        conn.execute("INSERT INTO plan_target(plan_code, metric_key, year, unit_code, value)"
                     " VALUES ('NY2021', 'VOLUME', 2025, ?, ?)", (UNIT, VOLUME_TARGET))
        park = _ledger(conn, "park", name="西峡县香菇跨境电商产业园", level="省级", operator="西峡县园区公司",
                       area_m2=50_000, tenants=40, cbec_tenants=25, certified_year=2022)
        _ledger(conn, "park", name="已删除的园区", level="县级", deleted_at=now_iso())
        a = _ledger(conn, "enterprise", name="西峡县香菇进出口有限公司", credit_code=make_valid("91411323MA0000001"),
                    park_id=park, modes="9710,9810", known=1, known_year=2023, main_products="干香菇")
        _ledger(conn, "enterprise", name="南阳引进电商科技有限公司", credit_code=make_valid("91411323MA0000002"),
                modes="9610", brought_in=1, brought_in_year=2025, brought_in_origin="深圳")
        _ledger(conn, "enterprise", name="西峡猕猴桃电子商务有限公司", credit_code=make_valid("91411323MA0000003"))
        _ledger(conn, "enterprise", name="已删除企业", credit_code=make_valid("91411323MA0000004"),
                deleted_at=now_iso())
        _ledger(conn, "enterprise", name="已注销企业", credit_code=make_valid("91411323MA0000005"), status="注销")
        conn.execute("INSERT INTO enterprise_volume(enterprise_id, year, amount) VALUES (?, 2024, ?)",
                     (a, ENTERPRISE_VOLUME_2024))


def test_engine_agrees_with_the_hand_computed_figures(county_store: Store) -> None:
    """The reports trust the plan-figure engine; this pins the data set the report tests use."""
    from desktop.storage.figures import plan_figures

    fill(county_store)
    figs = plan_figures(county_store, "2025Q3", UNIT)
    vol = figs.row("VOLUME")
    assert (vol.value, vol.ytd, vol.ytd_last_year, vol.target) == (Q3_VOLUME, YTD_VOLUME, LY_VOLUME, VOLUME_TARGET)
    assert figs.row("ENTERPRISES").value == 3 and figs.row("PARKS").value == 1
