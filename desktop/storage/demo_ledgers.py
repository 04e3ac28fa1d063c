"""Demo ledgers of one unit (parks, enterprises with annual volumes, bases, warehouses,
live-streaming bases, O2O stores) as plain row tuples for desktop/storage/demo.py."""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from desktop.core.credit import ALPHABET, make_valid
from desktop.core.text import initials
from desktop.storage import demo_vocab as V

COLUMNS: dict[str, tuple[str, ...]] = {
    "park": ("id", "uid", "unit_code", "name", "initials", "level", "demonstration", "operator", "area_m2",
             "address", "tenants", "cbec_tenants", "certified_year", "status", "note", "deleted_at", "updated_at"),
    "enterprise": ("id", "uid", "unit_code", "name", "initials", "credit_code", "credit_override", "park_id",
                   "belt_code", "main_products", "modes", "known", "known_year", "brought_in", "brought_in_year",
                   "brought_in_origin", "contact", "phone", "status", "note", "deleted_at", "updated_at"),
    "enterprise_volume": ("enterprise_id", "year", "amount"),
    "base": ("id", "uid", "unit_code", "name", "initials", "kind", "level", "demonstration", "operator", "area_m2",
             "address", "established_year", "status", "note", "deleted_at", "updated_at"),
    "base_period": ("base_id", "period", "sessions", "trainees", "incubated"),
    "warehouse": ("id", "uid", "unit_code", "name", "initials", "operator", "country", "city", "area_m2", "public",
                  "demonstration", "opened_year", "status", "note", "deleted_at", "updated_at"),
    "livestream_base": ("id", "uid", "unit_code", "name", "initials", "operator", "address", "area_m2", "hosts",
                        "rooms", "established_year", "status", "note", "deleted_at", "updated_at"),
    "livestream_period": ("base_id", "period", "sessions", "sales"),
    "o2o_store": ("id", "uid", "unit_code", "name", "initials", "operator", "address", "area_m2", "opened_year",
                  "status", "note", "deleted_at", "updated_at"),
}
_EXPORT_MODES = ("9610", "9710", "9810", "1210")
_DIGITS = "0123456789"


class Sink:
    """Rows per table plus id counters; written by demo.py with one executemany per table."""

    def __init__(self, first_ids: dict[str, int]) -> None:
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        self._next = dict(first_ids)
        self.codes: set[str] = set()

    def new_id(self, table: str) -> int:
        n = self._next.get(table, 1)
        self._next[table] = n + 1
        return n

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)


def stamp(d: date, rng: random.Random) -> str:
    """A fixed local timestamp on day `d` (office hours), derived from the rng."""
    return f"{d.isoformat()}T{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:00+08:00"


def month_key(y: int, m: int) -> str:
    return f"{y}-{m:02d}"


@dataclass
class Month:
    year: int
    month: int
    key: str


@dataclass
class UnitLedgers:
    """What the periodic figures need from the ledgers, per month key."""
    sessions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    trainees: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    incubated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    live_sales: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    enterprises: int = 0


class LedgerMaker:
    """Generates one unit's ledgers into a Sink. `annual` = unit volume per complete year (元)."""

    def __init__(self, sink: Sink, seed: int, unit: str, unit_name: str, *, factor: int,
                 months: list[Month], today: date, annual: dict[int, float]) -> None:
        self.sink, self.unit, self.unit_name = sink, unit, unit_name
        self.p = V.PROFILES[unit]
        self.factor, self.months, self.today, self.annual = factor, months, today, annual
        self.rng = random.Random(f"{seed}/{unit}/ledgers")
        self.out = UnitLedgers()
        self.parks: list[list] = []
        self.big: list[tuple[str, str]] = []   # (name, modes) of the largest enterprises
        # Registered names start with a place: 西峡 / 西峡县 / 南阳 / 河南.
        full = unit_name if unit_name.endswith(("县", "市")) or unit_name in ("宛城区", "卧龙区") else self.p.short
        self.places = (self.p.short, self.p.short, full, "南阳", "河南")

    # -- helpers ------------------------------------------------------------------------------
    def uid(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def updated(self, year: int | None) -> str:
        y = min(year or 2021, self.today.year)
        d = date(y, self.rng.randint(1, 12), self.rng.randint(1, 28))
        return stamp(min(d, self.today), self.rng)

    def address(self) -> str:
        return f"河南省南阳市{self.unit_name}{self.rng.choice(V.ROADS)}{self.rng.randint(1, 399)}号"

    def person(self) -> str:
        r = self.rng
        return r.choice(V.SURNAMES) + "".join(r.choice(V.GIVEN) for _ in range(r.choice((1, 2, 2))))

    def phone(self) -> str:
        r = self.rng
        if r.random() < 0.8:
            return f"1{r.choice('35789')}{r.randint(0, 9)}{r.randint(0, 99999999):08d}"
        return f"0377-6{r.randint(0, 9999999):07d}"

    def year_between(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, max(lo, min(hi, self.today.year)))

    def run(self) -> UnitLedgers:
        self.make_parks()
        self.make_enterprises()
        for park in self.parks:
            if park[13] == "运营":   # tenants: CBEC ones plus others; none while being built
                park[10] = park[11] + self.rng.randint(5, 60)
            self.sink.add("park", tuple(park))
        self.make_bases()
        self.make_warehouses()
        self.make_o2o()
        return self.out

    # -- parks --------------------------------------------------------------------------------
    def make_parks(self) -> None:
        r, big = self.rng, self.p.share >= 9
        n = len(self.p.parks)
        years = sorted(self.year_between(2019, 2025) for _ in range(n))
        if big:
            years[0] = r.choice((2019, 2020))
        for i, name in enumerate(self.p.parks):
            level = "省级" if i == 0 and big else r.choice(("市级", "市级", "县级", "县级", "其他"))
            building = i == n - 1 and n >= 3 and r.random() < 0.3
            op = f"{self.p.short}{r.choice(('电子商务', '产业园', '城市发展', '数字经济'))}" \
                 f"{r.choice(('发展有限公司', '运营管理有限公司', '投资有限公司'))}"
            self.parks.append([
                self.sink.new_id("park"), self.uid(), self.unit, name, initials(name), level,
                int(level in ("省级", "市级") and r.random() < 0.6), op, r.randint(20, 150) * 1000,
                self.address(), 0, 0, None if building else years[i], "筹建" if building else "运营", "", None,
                self.updated(years[i]),
            ])

    # -- enterprises --------------------------------------------------------------------------
    def ent_name(self, belt: str, sole: bool, used: set[str]) -> tuple[str, str]:
        r = self.rng
        for _ in range(50):
            brand = r.choice(V.BRAND_CHARS) + r.choice(V.BRAND_CHARS)
            place = r.choice(self.places)
            word = r.choice(V.BELT_WORDS[belt])
            tail = r.choice(V.SOLE_SUFFIXES) if sole else r.choice(V.SUFFIXES)
            if word.endswith("科技") and tail.startswith("科技"):
                tail = "有限公司"
            name = f"{place}{brand}{word}{tail}"
            if name not in used:
                used.add(name)
                return name, brand
        name = f"{self.p.short}{brand}{word}{tail}（{len(used)}）"
        used.add(name)
        return name, brand

    def credit_code(self, sole: bool) -> str:
        r = self.rng
        while True:
            if r.random() < 0.7:
                body = "MA" + "".join(r.choices(ALPHABET, k=7))
            else:
                body = "".join(r.choices(_DIGITS, k=8)) + r.choice("0123456789X")
            code = make_valid(("92" if sole else "91") + self.p.division + body)
            if code not in self.sink.codes:
                self.sink.codes.add(code)
                return code

    def modes(self) -> str:
        r = self.rng
        k = r.choices((1, 2, 3), (60, 35, 5))[0]
        chosen: set[str] = set()
        while len(chosen) < k:
            chosen.add(r.choices(_EXPORT_MODES, self.p.export_mix[:4])[0])
        if self.unit == "Z01" and r.random() < 0.15:
            chosen.add("1239")
        return ",".join(sorted(chosen))

    def make_enterprises(self) -> None:
        r, n = self.rng, self.p.enterprises * self.factor
        belts = r.choices([b for b, _ in self.p.belts], [w for _, w in self.p.belts], k=n)
        parks = [p for p in self.parks if p[13] == "运营"]
        used: set[str] = set()
        ents = []
        for belt in belts:
            sole = r.random() < 0.08
            name, brand = self.ent_name(belt, sole, used)
            start = r.choices((2012, 2016, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026),
                              (6, 8, 8, 8, 10, 12, 12, 12, 10, 8, 6))[0]
            start = min(start, self.today.year)
            ents.append([name, brand, belt, sole, start, r.lognormvariate(0, 1.4), r.uniform(-0.1, 0.35)])
        order = sorted(range(n), key=lambda i: -ents[i][5])
        seasoned = [i for i in order if ents[i][4] <= 2023] or order   # known takes a few years
        # 知名企业 are few: the plan asks for 6 city-wide by 2025, so only the larger units have one or two.
        known = {i: rank for rank, i in enumerate(seasoned[: (2 if n >= 2000 else 1 if n >= 700 else 0)], 1)}
        self.big = [(ents[i][0], "") for i in order[:10]]
        volumes = self.volumes(ents)
        for i, (name, brand, belt, sole, start, _w, _g) in enumerate(ents):
            self.add_enterprise(i, name, belt, sole, start, known.get(i, 0), parks, volumes.get(i, {}))
        self.out.enterprises = n

    def volumes(self, ents: list[list]) -> dict[int, dict[int, int]]:
        """Annual amounts per enterprise: each unit-year's roster covers ~88% of its volume."""
        out: dict[int, dict[int, int]] = defaultdict(dict)
        for year, total in self.annual.items():
            raw = {i: e[5] * (1 + e[6]) ** (year - 2021) for i, e in enumerate(ents) if e[4] <= year}
            s = sum(raw.values())
            for i, w in raw.items():
                amount = round(total * 0.88 * w / s, -2)
                if amount >= 100:
                    out[i][year] = int(amount)
        return out

    def add_enterprise(self, i: int, name: str, belt: str, sole: bool, start: int, known: int,
                       parks: list[list], vols: dict[int, int]) -> None:
        r, eid = self.rng, self.sink.new_id("enterprise")
        brought = r.random() < (0.25 if known else 0.04) and start >= 2019
        status = "在营" if known else r.choices(("在营", "停业", "注销"), (955, 30, 15))[0]
        park = r.choice(parks) if parks and r.random() < 0.35 else None
        if park is not None:
            park[11] += 1
        deleted = stamp(min(date(self.today.year, 1, 5), self.today), r) if r.random() < 0.003 and not known else None
        products = "、".join(r.sample(V.BELT_PRODUCTS[belt], k=r.randint(1, 3)))
        self.sink.add("enterprise", (
            eid, self.uid(), self.unit, name, initials(name), self.credit_code(sole), 0,
            park[0] if park else None, belt, products, self.modes(), int(bool(known)),
            # a unit's first 知名企业 by 2021, its second by 2023 (known = rank 1, 2; 0 = not known)
            max(start, 2019 + 2 * known) if known else None, int(brought),
            start if brought else None, r.choice(V.ORIGIN_CITIES) if brought else "",
            self.person(), self.phone(), status, "", deleted, self.updated(start),
        ))
        for year, amount in vols.items():
            self.sink.add("enterprise_volume", (eid, year, amount))

    # -- bases and live-streaming -------------------------------------------------------------
    def make_bases(self) -> None:
        r = self.rng
        kinds = ("培训", "孵化", "培训孵化", "培训")
        for i in range(self.p.bases):
            name = V.BASE_NAMES[i % len(V.BASE_NAMES)].format(s=self.p.short)
            bid, kind = self.sink.new_id("base"), kinds[i % len(kinds)]
            est = self.year_between(2018, 2020) if i == 0 else self.year_between(2020, 2025)
            level = ("省级" if self.p.share >= 30 else "市级") if i == 0 else r.choice(("市级", "县级"))
            self.sink.add("base", (
                bid, self.uid(), self.unit, name, initials(name), kind, level,
                int(level != "县级" and r.random() < 0.5), f"{self.p.short}电子商务服务有限公司",
                r.randint(8, 60) * 100, self.address(), est, "运营", "", None, self.updated(est)))
            size = 2 if self.p.share >= 9 else 1
            for mo in self.months:
                if mo.year >= est:
                    self.base_month(bid, kind, size, mo)
        self.make_livestream()

    def base_month(self, bid: int, kind: str, size: int, mo: Month) -> None:
        r = self.rng
        season = V.TRAINING_SEASON[mo.month - 1]
        sessions = int(r.randint(0, 2 if kind == "孵化" else 4) * size * season + r.random())
        trainees = sum(r.randint(25, 70) for _ in range(sessions))
        incubated = 0 if kind == "培训" else r.choices((0, 1, 2), (70, 25, 5))[0]
        self.sink.add("base_period", (bid, mo.key, sessions, trainees, incubated))
        self.out.sessions[mo.key] += sessions
        self.out.trainees[mo.key] += trainees
        self.out.incubated[mo.key] += incubated

    def make_livestream(self) -> None:
        r = self.rng
        self.live: list[tuple[int, int, int]] = []
        for i, name in enumerate(self.p.livestream):
            lid = self.sink.new_id("livestream_base")
            est = self.year_between(2019, 2021) if i == 0 else self.year_between(2020, 2025)
            hosts = r.randint(60, 300) if self.p.share >= 30 else r.randint(8, 80)
            rooms = max(2, hosts // r.randint(2, 4))
            self.sink.add("livestream_base", (
                lid, self.uid(), self.unit, name, initials(name), f"{self.p.short}直播电商运营有限公司",
                self.address(), r.randint(10, 120) * 100, hosts, rooms, est, "运营", "", None, self.updated(est)))
            self.live.append((lid, est, rooms))

    def livestream_months(self, export_9610: dict[str, int]) -> None:
        """Split a growing share of the unit's 9610 export over the bases open in each month."""
        r = self.rng
        boost = 2.0 if self.unit == "411324" else 1.0
        for mo in self.months:
            active = [(lid, rooms) for lid, est, rooms in self.live if mo.year >= est]
            if not active:
                continue
            share = min(0.5, (0.04 + 0.04 * (mo.year - 2021)) * boost)
            pool = export_9610.get(mo.key, 0) * share
            weight = sum(rm for _, rm in active)
            for lid, rooms in active:
                sales = int(round(pool * rooms / weight * r.uniform(0.8, 1.2), -2))
                self.sink.add("livestream_period", (lid, mo.key, r.randint(rooms * 3, rooms * 10), sales))
                self.out.live_sales[mo.key] += sales

    # -- warehouses and O2O stores ------------------------------------------------------------
    def make_warehouses(self) -> None:
        r = self.rng
        for _ in range(self.p.warehouses):
            country, cities, se_eu = r.choice(V.WAREHOUSE_PLACES)
            city = r.choice(cities)
            op = r.choice(self.big)[0] if self.big else f"{self.p.short}供应链管理有限公司"
            public = int(se_eu and r.random() < 0.6)
            core = op.split("有限")[0].split("股份")[0].split("（")[0]
            name = f"{core}{country}{city}{'公共' if public else ''}海外仓"
            opened = self.year_between(2018, 2025)
            building = r.random() < 0.1
            self.sink.add("warehouse", (
                self.sink.new_id("warehouse"), self.uid(), self.unit, name, initials(name), op, country, city,
                r.randint(10, 200) * 100, public, int(r.random() < 0.3), None if building else opened,
                "筹建" if building else "运营", "", None, self.updated(opened)))

    def make_o2o(self) -> None:
        r = self.rng
        for i in range(self.p.o2o):
            road = r.choice(V.ROADS)
            name = V.O2O_NAMES[i % len(V.O2O_NAMES)].format(s=self.p.short, r=road)
            opened = self.year_between(2020, 2025)
            op = r.choice(self.big)[0] if self.big else f"{self.p.short}商贸有限公司"
            self.sink.add("o2o_store", (
                self.sink.new_id("o2o_store"), self.uid(), self.unit, name, initials(name), op,
                f"河南省南阳市{self.unit_name}{road}{r.randint(1, 399)}号", r.randint(12, 150) * 10, opened,
                "运营", "", None, self.updated(opened)))
