-- 0003: data packages (issue 5). Pinned public keys of the other side, a log of every package
-- made or accepted, what the municipal office has received per unit and period, and a uid on
-- return notes so that they can travel down in packages and be recognised again.

CREATE TABLE pinned_key (
    unit_code   TEXT PRIMARY KEY REFERENCES unit(code),
    public_key  TEXT NOT NULL UNIQUE,          -- raw Ed25519 public key, hex
    fingerprint TEXT NOT NULL,
    pinned_at   TEXT NOT NULL,
    pinned_by   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE package_log (
    id              INTEGER PRIMARY KEY,
    direction       TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    unit_code       TEXT NOT NULL,             -- the owner unit of the package
    sequence        INTEGER NOT NULL CHECK (sequence >= 1),
    digest          TEXT NOT NULL,             -- SHA-256 of manifest.json (hex)
    file_sha256     TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    format_version  INTEGER NOT NULL,
    schema_version  INTEGER NOT NULL,
    fingerprint     TEXT NOT NULL,
    package_created TEXT NOT NULL,             -- created-at written in the package (local time)
    logged_at       TEXT NOT NULL,             -- when this installation made or accepted it
    logged_by       TEXT NOT NULL DEFAULT '',
    periods         TEXT NOT NULL DEFAULT '[]',   -- JSON: periods with submission state
    summary         TEXT NOT NULL DEFAULT '{}'    -- JSON: per-table added/changed/removed
) STRICT;
CREATE INDEX package_log_by_unit ON package_log (direction, unit_code, sequence);

-- Municipal side: the first and the latest package in which a unit's period arrived submitted.
CREATE TABLE received_period (
    unit_code         TEXT NOT NULL REFERENCES unit(code),
    period            TEXT NOT NULL,
    state             TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    submitted_at      TEXT,
    first_sequence    INTEGER NOT NULL,
    first_received_at TEXT NOT NULL,
    last_sequence     INTEGER NOT NULL,
    last_received_at  TEXT NOT NULL,
    PRIMARY KEY (unit_code, period)
) STRICT;

ALTER TABLE return_note ADD COLUMN uid TEXT;
CREATE UNIQUE INDEX return_note_uid ON return_note (uid);

-- Municipal decisions sent down besides return notes (e.g. which unit an enterprise whose credit
-- code appears in two units belongs to).
CREATE TABLE unit_note (
    uid         TEXT PRIMARY KEY,
    unit_code   TEXT NOT NULL REFERENCES unit(code),
    subject     TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT ''
) STRICT;

-- Replacing a unit's partition selects and deletes its enterprises by unit.
CREATE INDEX enterprise_by_unit_pkg ON enterprise (unit_code);
