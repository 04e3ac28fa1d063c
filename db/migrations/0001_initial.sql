-- 0001: the whole first schema. Every ledger row belongs to exactly one unit (unit_code); the
-- municipal office owns the reference tables (unit, indicator, plan, target, task, deadline ...).
-- Ledger rows carry `uid` (random hex) so that a data package can replace a unit's partition in
-- another database where the integer ids differ. Money is integer 元.

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE unit (
    code        TEXT PRIMARY KEY CHECK (length(code) BETWEEN 3 AND 6),
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('city', 'district', 'county', 'county_city', 'zone')),
    official    INTEGER NOT NULL CHECK (official IN (0, 1)),  -- 1 = GB/T 2260 division code
    parent_code TEXT REFERENCES unit(code),
    pilot       TEXT,                                          -- e.g. 跨境电商零售出口试点
    sort        INTEGER NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE industry_belt (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    sort INTEGER NOT NULL
) STRICT;

CREATE TABLE customs_mode (
    code      TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    b2b       INTEGER NOT NULL CHECK (b2b IN (0, 1)),
    sort      INTEGER NOT NULL
) STRICT;

-- Indicator catalogue (DHIS2-style data elements) and their disaggregations.
CREATE TABLE category_option (
    set_code TEXT NOT NULL,
    code     TEXT NOT NULL,
    name     TEXT NOT NULL,
    sort     INTEGER NOT NULL,
    PRIMARY KEY (set_code, code)
) STRICT;

CREATE TABLE indicator (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    unit           TEXT NOT NULL,          -- unit of the stored integer: 元, 人, 场, 人次, 家, 列, 标箱
    display_unit   TEXT NOT NULL,          -- unit shown: 万元 for money
    frequency      TEXT NOT NULL CHECK (frequency IN ('month', 'quarter')),
    aggregation    TEXT NOT NULL CHECK (aggregation IN ('sum', 'last')),
    category_set   TEXT,                   -- NULL = no disaggregation
    requires       TEXT,                   -- code of an indicator that must be reported with this one
    sort           INTEGER NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

-- One figure: unit x period x indicator x disaggregation option ('' = no disaggregation).
CREATE TABLE indicator_value (
    unit_code      TEXT NOT NULL REFERENCES unit(code),
    period         TEXT NOT NULL,          -- '2025-09' or '2025Q3' by the indicator's frequency
    indicator_code TEXT NOT NULL REFERENCES indicator(code),
    category       TEXT NOT NULL DEFAULT '',
    value          INTEGER NOT NULL CHECK (value >= 0),
    comment        TEXT,                   -- 说明 explaining a validation warning
    updated_at     TEXT NOT NULL,
    updated_by     TEXT,
    PRIMARY KEY (unit_code, period, indicator_code, category)
) STRICT, WITHOUT ROWID;
-- Covering index for the figure engine's aggregations (GROUP BY indicator, category, period).
CREATE INDEX indicator_value_agg ON indicator_value (indicator_code, category, period, unit_code, value);

-- Plans with milestone years and targets (reference data; several plans can coexist).
CREATE TABLE plan (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    doc_no      TEXT,
    start_year  INTEGER NOT NULL,
    end_year    INTEGER NOT NULL CHECK (end_year >= start_year),
    milestones  TEXT NOT NULL               -- JSON list of milestone years
) STRICT;

CREATE TABLE plan_metric (
    plan_code   TEXT NOT NULL REFERENCES plan(code),
    key         TEXT NOT NULL,              -- VOLUME, PARKS, KNOWN_ENTERPRISES, TALENT ...
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,              -- storage unit (元, 个, 人)
    display_unit TEXT NOT NULL,             -- 亿元, 个, 人
    basis       TEXT NOT NULL CHECK (basis IN ('annual', 'cumulative')),
    comparison  TEXT NOT NULL CHECK (comparison IN ('gt', 'ge')),
    sort        INTEGER NOT NULL,
    PRIMARY KEY (plan_code, key)
) STRICT;

-- unit_code = '411300' for the city-wide target; other codes are per-unit splits.
CREATE TABLE plan_target (
    plan_code  TEXT NOT NULL,
    metric_key TEXT NOT NULL,
    year       INTEGER NOT NULL,
    unit_code  TEXT NOT NULL REFERENCES unit(code),
    value      INTEGER NOT NULL CHECK (value >= 0),
    PRIMARY KEY (plan_code, metric_key, year, unit_code),
    FOREIGN KEY (plan_code, metric_key) REFERENCES plan_metric(plan_code, key)
) STRICT;

-- The plan's numbered tasks; subtasks kept as JSON as the plan prints them.
CREATE TABLE task (
    plan_code   TEXT NOT NULL REFERENCES plan(code),
    no          INTEGER NOT NULL,
    section     TEXT NOT NULL,
    title       TEXT NOT NULL,
    summary     TEXT NOT NULL,
    lead        TEXT NOT NULL,              -- 牵头单位, joined with 、
    responsible TEXT NOT NULL,              -- 责任单位, joined with 、
    all_units   INTEGER NOT NULL CHECK (all_units IN (0, 1)),
    subtasks    TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (plan_code, no)
) STRICT;

CREATE TABLE task_unit (
    plan_code TEXT NOT NULL,
    task_no   INTEGER NOT NULL,
    unit_code TEXT NOT NULL REFERENCES unit(code),
    PRIMARY KEY (plan_code, task_no, unit_code),
    FOREIGN KEY (plan_code, task_no) REFERENCES task(plan_code, no)
) STRICT;

CREATE TABLE task_progress (
    unit_code  TEXT NOT NULL REFERENCES unit(code),
    quarter    TEXT NOT NULL CHECK (quarter GLOB '[0-9][0-9][0-9][0-9]Q[1-4]'),
    plan_code  TEXT NOT NULL,
    task_no    INTEGER NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('未启动', '推进中', '已完成', '长期推进')),
    progress   TEXT NOT NULL DEFAULT '',
    next_steps TEXT NOT NULL DEFAULT '',
    progress_date TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (unit_code, quarter, plan_code, task_no),
    FOREIGN KEY (plan_code, task_no) REFERENCES task(plan_code, no)
) STRICT;

-- Texts of the 表号 block per report, set by the municipal office.
CREATE TABLE report_header (
    report_code TEXT PRIMARY KEY,
    table_no    TEXT NOT NULL,
    authority   TEXT NOT NULL,
    approval_no TEXT NOT NULL,
    valid_until TEXT NOT NULL
) STRICT;

-- Reporting deadlines: period kind rule or a specific period.
CREATE TABLE deadline (
    period   TEXT PRIMARY KEY,                -- '2025-09', '2025Q3'
    due_date TEXT NOT NULL CHECK (due_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
) STRICT;

-- Ledgers ------------------------------------------------------------------------------------
CREATE TABLE park (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,
    unit_code      TEXT NOT NULL REFERENCES unit(code),
    name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
    initials       TEXT NOT NULL DEFAULT '',
    level          TEXT NOT NULL CHECK (level IN ('国家级', '省级', '市级', '县级', '其他')),
    demonstration  INTEGER NOT NULL DEFAULT 0 CHECK (demonstration IN (0, 1)),
    operator       TEXT NOT NULL DEFAULT '',
    area_m2        INTEGER CHECK (area_m2 >= 0),
    address        TEXT NOT NULL DEFAULT '',
    tenants        INTEGER CHECK (tenants >= 0),          -- 入驻企业
    cbec_tenants   INTEGER CHECK (cbec_tenants >= 0),     -- 其中跨境电商企业
    certified_year INTEGER CHECK (certified_year BETWEEN 2000 AND 2100),
    status         TEXT NOT NULL DEFAULT '运营' CHECK (status IN ('筹建', '运营', '停运')),
    note           TEXT NOT NULL DEFAULT '',
    deleted_at     TEXT,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE INDEX park_by_unit ON park (unit_code);

CREATE TABLE enterprise (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,
    unit_code      TEXT NOT NULL REFERENCES unit(code),
    name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
    initials       TEXT NOT NULL DEFAULT '',
    credit_code    TEXT NOT NULL CHECK (length(credit_code) = 18),
    credit_override INTEGER NOT NULL DEFAULT 0 CHECK (credit_override IN (0, 1)),
    park_id        INTEGER REFERENCES park(id),
    belt_code      TEXT REFERENCES industry_belt(code),
    main_products  TEXT NOT NULL DEFAULT '',
    modes          TEXT NOT NULL DEFAULT '',              -- comma-joined customs mode codes, sorted
    known          INTEGER NOT NULL DEFAULT 0 CHECK (known IN (0, 1)),
    known_year     INTEGER CHECK (known_year BETWEEN 2000 AND 2100),
    brought_in     INTEGER NOT NULL DEFAULT 0 CHECK (brought_in IN (0, 1)),
    brought_in_year INTEGER CHECK (brought_in_year BETWEEN 2000 AND 2100),
    brought_in_origin TEXT NOT NULL DEFAULT '',
    contact        TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT '在营' CHECK (status IN ('在营', '停业', '注销')),
    note           TEXT NOT NULL DEFAULT '',
    deleted_at     TEXT,
    updated_at     TEXT NOT NULL,
    CHECK (known = 0 OR known_year IS NOT NULL),
    CHECK (brought_in = 0 OR brought_in_year IS NOT NULL)
) STRICT;
CREATE UNIQUE INDEX enterprise_credit_per_unit ON enterprise (unit_code, credit_code) WHERE deleted_at IS NULL;
CREATE INDEX enterprise_by_park ON enterprise (park_id);
CREATE INDEX enterprise_by_credit ON enterprise (credit_code);
-- Covering index for the ledger counts (known, brought in) of live enterprises.
CREATE INDEX enterprise_counts ON enterprise (unit_code, status, known, known_year, brought_in, brought_in_year)
    WHERE deleted_at IS NULL;

CREATE TABLE enterprise_volume (
    enterprise_id INTEGER NOT NULL REFERENCES enterprise(id) ON DELETE CASCADE,
    year          INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    amount        INTEGER NOT NULL CHECK (amount >= 0),    -- 元
    PRIMARY KEY (enterprise_id, year)
) STRICT, WITHOUT ROWID;

CREATE TABLE base (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,
    unit_code      TEXT NOT NULL REFERENCES unit(code),
    name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
    initials       TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL CHECK (kind IN ('培训', '孵化', '培训孵化')),
    level          TEXT NOT NULL CHECK (level IN ('国家级', '省级', '市级', '县级', '其他')),
    demonstration  INTEGER NOT NULL DEFAULT 0 CHECK (demonstration IN (0, 1)),
    operator       TEXT NOT NULL DEFAULT '',
    area_m2        INTEGER CHECK (area_m2 >= 0),
    address        TEXT NOT NULL DEFAULT '',
    established_year INTEGER CHECK (established_year BETWEEN 2000 AND 2100),
    status         TEXT NOT NULL DEFAULT '运营' CHECK (status IN ('筹建', '运营', '停运')),
    note           TEXT NOT NULL DEFAULT '',
    deleted_at     TEXT,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE INDEX base_by_unit ON base (unit_code);

-- Per-period figures of a base (trainees and incubated enterprises).
CREATE TABLE base_period (
    base_id    INTEGER NOT NULL REFERENCES base(id) ON DELETE CASCADE,
    period     TEXT NOT NULL,
    sessions   INTEGER NOT NULL DEFAULT 0 CHECK (sessions >= 0),
    trainees   INTEGER NOT NULL DEFAULT 0 CHECK (trainees >= 0),
    incubated  INTEGER NOT NULL DEFAULT 0 CHECK (incubated >= 0),
    PRIMARY KEY (base_id, period)
) STRICT, WITHOUT ROWID;

CREATE TABLE warehouse (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,
    unit_code      TEXT NOT NULL REFERENCES unit(code),
    name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
    initials       TEXT NOT NULL DEFAULT '',
    operator       TEXT NOT NULL DEFAULT '',              -- 运营企业
    country        TEXT NOT NULL DEFAULT '',
    city           TEXT NOT NULL DEFAULT '',
    area_m2        INTEGER CHECK (area_m2 >= 0),
    public         INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    demonstration  INTEGER NOT NULL DEFAULT 0 CHECK (demonstration IN (0, 1)),
    opened_year    INTEGER CHECK (opened_year BETWEEN 2000 AND 2100),
    status         TEXT NOT NULL DEFAULT '运营' CHECK (status IN ('筹建', '运营', '停运')),
    note           TEXT NOT NULL DEFAULT '',
    deleted_at     TEXT,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE INDEX warehouse_by_unit ON warehouse (unit_code);

CREATE TABLE livestream_base (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,
    unit_code      TEXT NOT NULL REFERENCES unit(code),
    name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
    initials       TEXT NOT NULL DEFAULT '',
    operator       TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    area_m2        INTEGER CHECK (area_m2 >= 0),
    hosts          INTEGER NOT NULL DEFAULT 0 CHECK (hosts >= 0),   -- 主播数
    rooms          INTEGER NOT NULL DEFAULT 0 CHECK (rooms >= 0),   -- 直播间
    established_year INTEGER CHECK (established_year BETWEEN 2000 AND 2100),
    status         TEXT NOT NULL DEFAULT '运营' CHECK (status IN ('筹建', '运营', '停运')),
    note           TEXT NOT NULL DEFAULT '',
    deleted_at     TEXT,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE INDEX livestream_by_unit ON livestream_base (unit_code);

CREATE TABLE livestream_period (
    base_id   INTEGER NOT NULL REFERENCES livestream_base(id) ON DELETE CASCADE,
    period    TEXT NOT NULL,
    sessions  INTEGER NOT NULL DEFAULT 0 CHECK (sessions >= 0),
    sales     INTEGER NOT NULL DEFAULT 0 CHECK (sales >= 0),   -- 元
    PRIMARY KEY (base_id, period)
) STRICT, WITHOUT ROWID;

CREATE TABLE o2o_store (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,
    unit_code      TEXT NOT NULL REFERENCES unit(code),
    name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
    initials       TEXT NOT NULL DEFAULT '',
    operator       TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    area_m2        INTEGER CHECK (area_m2 >= 0),
    opened_year    INTEGER CHECK (opened_year BETWEEN 2000 AND 2100),
    status         TEXT NOT NULL DEFAULT '运营' CHECK (status IN ('筹建', '运营', '停运')),
    note           TEXT NOT NULL DEFAULT '',
    deleted_at     TEXT,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE INDEX o2o_by_unit ON o2o_store (unit_code);

-- Period submissions: open -> submitted (locked) -> reopened (更正, version+1) -> submitted ...
-- 'returned' = the municipal office sent the period back for correction.
CREATE TABLE submission (
    unit_code    TEXT NOT NULL REFERENCES unit(code),
    period       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('open', 'submitted', 'reopened', 'returned')),
    version      INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    submitted_at TEXT,
    submitted_by TEXT,
    reason       TEXT,                       -- reason of the latest correction / return
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (unit_code, period)
) STRICT;

-- 退回修改 notes from the municipal office, per unit and period.
CREATE TABLE return_note (
    id          INTEGER PRIMARY KEY,
    unit_code   TEXT NOT NULL REFERENCES unit(code),
    period      TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    resolved_at TEXT
) STRICT;

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    operator   TEXT NOT NULL DEFAULT '',
    table_name TEXT NOT NULL,
    row_key    TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'restore', 'override', 'submit', 'reopen', 'return', 'import')),
    before     TEXT,                          -- JSON
    after      TEXT,                          -- JSON
    reason     TEXT
) STRICT;
CREATE INDEX audit_by_table_row ON audit_log (table_name, row_key);
