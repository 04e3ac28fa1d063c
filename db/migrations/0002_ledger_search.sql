-- 0002: narrow search text of the live (not deleted) enterprises: name | pinyin initials | credit
-- code. A substring search (and the plain listing) of 100,000 enterprises scans this small table
-- instead of the wide ledger rows. Triggers keep it current for every writer (forms, roster
-- import, demo data, package import), so no code has to remember it.

CREATE TABLE enterprise_search (
    id   INTEGER PRIMARY KEY,              -- enterprise.id
    text TEXT NOT NULL
) STRICT;

INSERT INTO enterprise_search (id, text)
SELECT id, name || '|' || initials || '|' || credit_code FROM enterprise WHERE deleted_at IS NULL;

CREATE TRIGGER enterprise_search_insert AFTER INSERT ON enterprise WHEN new.deleted_at IS NULL
BEGIN
    INSERT OR REPLACE INTO enterprise_search (id, text)
    VALUES (new.id, new.name || '|' || new.initials || '|' || new.credit_code);
END;

CREATE TRIGGER enterprise_search_update AFTER UPDATE OF id, name, initials, credit_code, deleted_at ON enterprise
BEGIN
    DELETE FROM enterprise_search WHERE id = old.id;
    INSERT OR REPLACE INTO enterprise_search (id, text)
    SELECT new.id, new.name || '|' || new.initials || '|' || new.credit_code WHERE new.deleted_at IS NULL;
END;

CREATE TRIGGER enterprise_search_delete AFTER DELETE ON enterprise
BEGIN
    DELETE FROM enterprise_search WHERE id = old.id;
END;
