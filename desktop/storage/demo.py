"""`cbec demo`: realistic, reproducible demo data (DOMAIN.md magnitudes) in one transaction.

Same seed and same `today` give byte-identical rows: every random choice comes from
random.Random streams seeded with the seed and the unit code (so a unit's county-scale data
equals its share of the city-scale data), and every timestamp is derived from the period.
"""
from __future__ import annotations

import json
import math
import random
from datetime import date, timedelta

from desktop.core.errors import RoleError, ValidationError
from desktop.core.periods import Period
from desktop.storage import demo_vocab as V
from desktop.storage.db import Store
from desktop.storage.demo_ledgers import COLUMNS, LedgerMaker, Month, Sink, UnitLedgers, month_key, stamp
from desktop.storage.reference import unit_codes

SCALES = ("county", "city", "stress")
STRESS_FACTOR = 5
START_YEAR = 2021
DEMO_SETTING = "demo_data"
_DATA_TABLES = ("park", "enterprise", "enterprise_volume", "base", "base_period", "warehouse",
                "livestream_base", "livestream_period", "o2o_store", "indicator_value", "submission",
                "task_progress", "return_note")
_MONEY = ("CBEC_EXPORT", "CBEC_IMPORT", "LIVESTREAM_SALES")
_EXPORT_CATS = ("9610", "9710", "9810", "1210", "OTHER")
_IMPORT_CATS = ("9610", "1210", "1239", "OTHER")
_MISSING_UNITS = 3        # city scale: units whose last month has not arrived yet


def generate_demo(store: Store, *, scale: str, seed: int, today: date | None = None) -> dict:
    """Fill an empty database with demo data for `scale`; returns a JSON-serialisable summary.

    county = the store's own unit (county role); city = all 18 units, ~20,000 enterprises;
    stress = ~100,000 enterprises (both municipal role). Refuses a database that has data.
    """
    today = today or date.today()
    units = _units_for(store, scale)
    _refuse_if_filled(store)
    last = Period.last_full_month(today)
    months = [Month(y, m, month_key(y, m)) for y in range(START_YEAR, last.year + 1)
              for m in range(1, 13) if (y, m) <= (last.year, last.index)]
    gen = _Generator(store, seed=seed, today=today, months=months, scale=scale, units=units)
    gen.run()   # in memory; the write below is one transaction that re-checks emptiness under its lock
    with store.atomic():
        _refuse_if_filled(store)
        gen.write()
        store.set_setting(DEMO_SETTING, json.dumps({"scale": scale, "seed": seed, "today": today.isoformat()}))
    return gen.summary()


def _units_for(store: Store, scale: str) -> list[str]:
    if scale not in SCALES:
        raise ValidationError(f"演示数据规模“{scale}”无效，应为 county、city 或 stress", field="规模")
    role = store.role
    if role == "county":
        if scale != "county":
            raise RoleError(f"本数据库属于{store.unit_name()}（{store.unit_code}），只能生成本单位的演示数据",
                            detail="县区数据库请使用 --scale county；全市或压力测试数据请在市级数据文件夹中生成。")
        return [str(store.unit_code)]
    if role == "municipal":
        if scale == "county":
            raise RoleError("市级数据库汇总全市18个单位，不能生成单个县区规模的演示数据",
                            detail="请使用 --scale city（约2万家企业）或 --scale stress（约10万家企业）。")
        return [u for u in unit_codes(store) if u in V.PROFILES]
    raise RoleError("数据库尚未初始化单位和角色，不能生成演示数据",
                    detail="请先运行 cbec init --unit 单位代码 或 cbec init --municipal。")


def _refuse_if_filled(store: Store) -> None:
    filled = [t for t in _DATA_TABLES if store.scalar(f"SELECT 1 FROM {t} LIMIT 1")]
    if filled:
        raise ValidationError("已有数据，演示数据只能生成到新的数据文件夹",
                              detail=f"数据库中已有记录的表：{'、'.join(filled)}。原数据未作任何改动。")


def _round100(x: float) -> int:
    """Money as clerks enter it: 万元 with two decimals = whole hundreds of 元."""
    return max(0, int(round(x, -2)))


def _count(rng: random.Random, expected: float) -> int:
    return max(0, int(expected * rng.uniform(0.6, 1.4) + rng.random()))


def _next_month(y: int, m: int) -> date:
    return date(y + (m == 12), m % 12 + 1, 1)


class _Generator:
    def __init__(self, store: Store, *, seed: int, today: date, months: list[Month], scale: str,
                 units: list[str]) -> None:
        self.store, self.seed, self.today, self.months, self.scale = store, seed, today, months, scale
        self.units = units
        self.factor = STRESS_FACTOR if scale == "stress" else 1
        first = {t: (store.scalar(f"SELECT max(id) FROM {t}") or 0) + 1
                 for t in ("park", "enterprise", "base", "warehouse", "livestream_base", "o2o_store", "return_note")}
        self.sink = Sink(first)
        self.catalogue = self._catalogue()
        self.names = dict(store.conn.execute("SELECT code, name FROM unit"))
        self.belt_names = dict(store.conn.execute("SELECT code, name FROM industry_belt"))
        self.complete_years = [y for y in range(START_YEAR, today.year + 1)
                               if months and (y < months[-1].year or months[-1].month == 12)]
        self.missing, self.returned = self._late_units()
        self.operator = store.operator or "市综试办"

    def _catalogue(self) -> dict[str, tuple[str, list[str]]]:
        cats: dict[str, list[str]] = {}
        for set_code, code in self.store.conn.execute("SELECT set_code, code FROM category_option ORDER BY sort"):
            cats.setdefault(set_code, []).append(code)
        return {code: (freq, cats.get(cs, []) if cs else [""]) for code, freq, cs in self.store.conn.execute(
            "SELECT code, frequency, category_set FROM indicator WHERE active = 1 ORDER BY sort")}

    def _late_units(self) -> tuple[set[str], str | None]:
        if self.scale == "county" or len(self.units) < _MISSING_UNITS + 2:
            return set(), None
        rng = random.Random(f"{self.seed}/city/late")
        pool = [u for u in self.units if u not in ("411323", "411324")]
        picked = rng.sample(pool, _MISSING_UNITS + 1)
        return set(picked[:-1]), picked[-1]

    # -- per unit -----------------------------------------------------------------------------
    def run(self) -> None:
        total_share = {y: sum(self._raw_share(u, y) for u in V.PROFILES) for y in self._years()}
        talent_norm = sum(math.sqrt(p.share) for p in V.PROFILES.values())
        for unit in self.units:
            rng = random.Random(f"{self.seed}/{unit}/figures")
            annual = {y: self._city_volume(y) * self._raw_share(unit, y) / total_share[y] * rng.uniform(0.96, 1.04)
                      for y in self._years()}
            flows = self._flows(rng, unit, annual, math.sqrt(V.PROFILES[unit].share) / talent_norm)
            # A unit whose last month has not arrived has no per-period ledger rows for it either.
            months = self.months[:-1] if unit in self.missing else self.months
            maker = LedgerMaker(self.sink, self.seed, unit, self.names[unit], factor=self.factor,
                                months=months, today=self.today,
                                annual={y: annual[y] for y in self.complete_years})
            ledgers = maker.run()
            maker.livestream_months({k: v[("CBEC_EXPORT", "9610")] for k, v in flows.items()})
            clerk = maker.person()
            filled = self._submissions(unit, clerk)
            self._values(rng, unit, flows, ledgers, filled, clerk)
            self._tasks(unit)
        self._deadlines()

    def _years(self) -> list[int]:
        return sorted({m.year for m in self.months})

    @staticmethod
    def _city_volume(y: int) -> float:
        return V.CITY_VOLUME.get(y) or V.CITY_VOLUME[2026] * 1.07 ** (y - 2026)

    @staticmethod
    def _raw_share(unit: str, y: int) -> float:
        p = V.PROFILES[unit]
        return p.share * (1 + p.trend) ** (y - 2025)

    def _flows(self, rng: random.Random, unit: str, annual: dict[int, float],
               talent_share: float) -> dict[str, dict[tuple[str, str], int]]:
        p = V.PROFILES[unit]
        imix = V.IMPORT_MIX.get(unit, V.IMPORT_MIX_DEFAULT)
        season_sum, tseason_sum = sum(V.VOLUME_SEASON), sum(V.TRAINING_SEASON)
        out: dict[str, dict[tuple[str, str], int]] = {}
        for mo in self.months:
            g = mo.year - START_YEAR
            emix = [w * d for w, d in zip(p.export_mix, (1 + 0.05 * g, 1, 1 + 0.1 * g, 1, 1))]
            month_total = annual[mo.year] * V.VOLUME_SEASON[mo.month - 1] / season_sum * rng.uniform(0.93, 1.07)
            row: dict[tuple[str, str], int] = {}
            for cats, mix, part, code in ((_EXPORT_CATS, emix, 1 - p.import_share, "CBEC_EXPORT"),
                                          (_IMPORT_CATS, imix, p.import_share, "CBEC_IMPORT")):
                for c, w in zip(cats, mix):
                    row[(code, c)] = _round100(month_total * part * w / sum(mix) * rng.uniform(0.88, 1.12))
            trained = V.CITY_TRAINED.get(mo.year, 1400) * talent_share * V.TRAINING_SEASON[mo.month - 1] / tseason_sum
            for cat, w in V.TALENT_MIX:
                row[("TALENT_TRAINED", cat)] = _count(rng, trained * w)
                row[("TALENT_INTRODUCED", cat)] = _count(rng, trained * 0.15 * w)
            if unit == "Z01":
                trains = self._trains(rng, mo)
                row[("RAIL_TRAINS", "")] = trains
                row[("RAIL_TEU", "")] = sum(rng.randint(80, 100) for _ in range(trains))
            out[mo.key] = row
        return out

    @staticmethod
    def _trains(rng: random.Random, mo: Month) -> int:
        """Plan 8(3): one CBEC train a month within a year, one a week within three years."""
        if (mo.year, mo.month) < (2021, 6):
            return 0
        if mo.year == 2021:
            return rng.choice((0, 1, 1))
        return {2022: rng.randint(1, 2), 2023: rng.randint(2, 4)}.get(mo.year, rng.randint(4, 5))

    def _values(self, rng: random.Random, unit: str, flows: dict, led: UnitLedgers,
                filled: dict[str, tuple[str, bool]], clerk: str) -> None:
        rows: dict[tuple[str, str, str], int] = {}
        for mo in self.months:
            if mo.key not in filled:
                continue
            row = dict(flows[mo.key])
            extra = rng.randint(0, 2)
            row[("TRAINING_SESSIONS", "")] = led.sessions[mo.key] + extra
            row[("TRAINEES", "")] = led.trainees[mo.key] + sum(rng.randint(30, 60) for _ in range(extra))
            row[("LIVESTREAM_SALES", "")] = led.live_sales[mo.key]
            for (code, cat), v in row.items():
                rows[(mo.key, code, cat)] = v
            if mo.month % 3 == 0:
                q = f"{mo.year}Q{mo.month // 3}"
                keys = [month_key(mo.year, m) for m in range(mo.month - 2, mo.month + 1)]
                rows[(q, "INCUBATED", "")] = sum(led.incubated[k] for k in keys) + rng.choice((0, 0, 1))
        for (period, code, cat), v in rows.items():
            freq_cats = self.catalogue.get(code)
            if freq_cats is None or cat not in freq_cats[1]:
                continue
            month = period if "Q" not in period else f"{period[:4]}-{int(period[5]) * 3:02d}"
            self.sink.add("indicator_value", (unit, period, code, cat, v, self._comment(rng, rows, period, code, cat, v),
                                              filled[month][0], clerk))

    def _comment(self, rng: random.Random, rows: dict, period: str, code: str, cat: str, v: int) -> str | None:
        """The entry grid asks for a 说明 where |同比| > 50%: give one, as a clerk would."""
        if code not in _MONEY or "Q" in period:
            return None
        before = rows.get((f"{int(period[:4]) - 1}{period[4:]}", code, cat))
        if not before or abs(v / before - 1) <= 0.5:
            return None
        return rng.choice(V.GROWTH_COMMENTS)

    # -- submissions, deadlines, tasks ----------------------------------------------------------
    def _submissions(self, unit: str, clerk: str) -> dict[str, tuple[str, bool]]:
        """Submission rows; returns month -> (time the figures were entered, submitted)."""
        rng = random.Random(f"{self.seed}/{unit}/submissions")
        filled: dict[str, tuple[str, bool]] = {}
        fix = rng.randrange(len(self.months) - 1) if self.scale == "county" and len(self.months) > 1 else -1
        for i, mo in enumerate(self.months):
            nxt = _next_month(mo.year, mo.month)
            is_last = i == len(self.months) - 1
            if is_last and (self.scale == "county" or unit in self.missing):
                if self.scale == "county":
                    filled[mo.key] = (stamp(min(nxt + timedelta(days=2), self.today), rng), False)
                continue
            r = rng.random()
            day = rng.randint(2, 9) if r < 0.85 else 10 if r < 0.92 else rng.randint(11, 20)
            sub_day = min(nxt.replace(day=day), self.today)
            entered = stamp(max(nxt, sub_day - timedelta(days=1)), rng)
            at = stamp(sub_day, rng)
            filled[mo.key] = (entered, True)
            state, version, reason, updated = "submitted", 1, None, at
            if is_last and unit == self.returned:
                state, reason = "returned", rng.choice(V.RETURN_REASONS)
                updated = stamp(min(sub_day + timedelta(days=2), self.today), rng)
                self._return_note(rng, unit, mo.key, reason, updated, None)
            elif i == fix or rng.random() < 0.02:
                version, reason = 2, rng.choice(V.CORRECTION_REASONS)
                updated = stamp(min(sub_day + timedelta(days=5), self.today), rng)
                if i == fix:
                    note = rng.choice(V.RETURN_REASONS)
                    self._return_note(rng, unit, mo.key, note, stamp(min(sub_day + timedelta(days=2), self.today), rng),
                                      updated)
                    reason = f"按市综试办退回意见更正：{note}"
                at = updated
            self.sink.add("submission", (unit, mo.key, state, version, at, clerk, reason, updated))
            if mo.month % 3 == 0:  # the quarterly figures (孵化企业) go up with the quarter's last month
                self.sink.add("submission", (unit, f"{mo.year}Q{mo.month // 3}", "submitted", 1, at, clerk, None, at))
        return filled

    def _return_note(self, rng: random.Random, unit: str, period: str, note: str, created: str,
                     resolved: str | None) -> None:
        self.sink.add("return_note", (self.sink.new_id("return_note"), unit, period, note,
                                      created, self.operator if self.store.is_municipal else "市综试办", resolved,
                                      f"{rng.getrandbits(128):032x}"))

    def _deadlines(self) -> None:
        for mo in self.months:
            nxt = _next_month(mo.year, mo.month)
            self.sink.add("deadline", (mo.key, nxt.replace(day=10).isoformat()))
            if mo.month % 3 == 0:
                self.sink.add("deadline", (f"{mo.year}Q{mo.month // 3}", nxt.replace(day=10).isoformat()))

    def _tasks(self, unit: str) -> None:
        rng = random.Random(f"{self.seed}/{unit}/tasks")
        p = V.PROFILES[unit]
        belt = self.belt_names.get(p.belts[0][0], "")
        tasks = self.store.conn.execute(
            "SELECT t.plan_code, t.no, t.title, p.start_year, p.end_year FROM task t JOIN plan p ON p.code = t.plan_code"
            " WHERE t.all_units = 1 OR EXISTS (SELECT 1 FROM task_unit u WHERE u.plan_code = t.plan_code"
            " AND u.task_no = t.no AND u.unit_code = ?) ORDER BY t.plan_code, t.no", (unit,)).fetchall()
        last = (self.months[-1].year, self.months[-1].month) if self.months else (0, 0)
        for plan, no, title, start, end in tasks:
            quarters = [(y, q) for y in range(start, end + 1) for q in range(1, 5) if (y, 3 * q) <= last]
            begin, done = rng.randint(0, 2), rng.randint(6, 16) if rng.random() < 0.35 else None
            steady = rng.randint(4, 10)
            for k, (y, q) in enumerate(quarters):
                status, text = self._task_status(rng, k, begin, done, steady, no, title, p.short, belt)
                when = _next_month(y, 3 * q) + timedelta(days=rng.randint(0, 7))
                nxt = "" if status == "已完成" else rng.choice(V.TASK_NEXT)
                self.sink.add("task_progress", (unit, f"{y}Q{q}", plan, no, status, text, nxt, when.isoformat(),
                                                stamp(when, rng)))

    @staticmethod
    def _task_status(rng: random.Random, k: int, begin: int, done: int | None, steady: int, no: int,
                     title: str, short: str, belt: str) -> tuple[str, str]:
        if k < begin:
            return "未启动", V.TASK_NOT_STARTED
        if done is not None and k > done:
            return "已完成", V.TASK_DONE
        templates = V.TASK_TEXTS.get(no) or (f"按照职责分工推进“{title}”相关工作，本季度召开推进会{{n}}次",)
        text = rng.choice(templates).format(s=short, b=belt, n=rng.randint(2, 12), m=rng.randint(20, 400))
        if done is not None and k == done:
            return "已完成", f"{text}；{V.TASK_DONE}"
        return ("长期推进" if done is None and k >= steady else "推进中"), text

    # -- output ---------------------------------------------------------------------------------
    def write(self) -> None:
        conn = self.store.conn
        cols = dict(COLUMNS)
        cols["indicator_value"] = ("unit_code", "period", "indicator_code", "category", "value", "comment",
                                   "updated_at", "updated_by")
        cols["submission"] = ("unit_code", "period", "state", "version", "submitted_at", "submitted_by", "reason",
                              "updated_at")
        cols["task_progress"] = ("unit_code", "quarter", "plan_code", "task_no", "status", "progress", "next_steps",
                                 "progress_date", "updated_at")
        note_cols = ("id", "unit_code", "period", "note", "created_at", "created_by", "resolved_at", "uid")
        has_uid = any(r[1] == "uid" for r in conn.execute("PRAGMA table_info(return_note)"))
        cols["return_note"] = note_cols if has_uid else note_cols[:-1]
        for table in (*COLUMNS, "indicator_value", "submission", "task_progress", "return_note"):
            rows = self.sink.rows.get(table, [])
            c = cols[table]
            if table == "return_note" and not has_uid:
                rows = [r[:-1] for r in rows]
            conn.executemany(f"INSERT INTO {table} ({', '.join(c)}) VALUES ({', '.join('?' * len(c))})", rows)
        conn.executemany("INSERT INTO deadline (period, due_date) VALUES (?, ?) ON CONFLICT (period) DO NOTHING",
                         self.sink.rows.get("deadline", []))

    def summary(self) -> dict:
        rows = self.sink.rows
        return {
            "scale": self.scale, "seed": self.seed, "units": len(self.units),
            "first_period": self.months[0].key if self.months else None,
            "last_period": self.months[-1].key if self.months else None,
            "parks": len(rows["park"]), "enterprises": len(rows["enterprise"]),
            "enterprise_volumes": len(rows["enterprise_volume"]), "bases": len(rows["base"]),
            "warehouses": len(rows["warehouse"]), "livestream_bases": len(rows["livestream_base"]),
            "o2o_stores": len(rows["o2o_store"]), "values": len(rows["indicator_value"]),
            "submissions": len(rows["submission"]), "task_progress": len(rows["task_progress"]),
        }
