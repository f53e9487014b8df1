-- The hash-chained audit trail (docs/audit.md). Same tables and columns as Postgres/0001_audit_records.sql;
-- only the types are SQLite's. Column meanings: Opsmith.Storage.Audit.AuditRecord.
CREATE TABLE audit_records (
    sequence      INTEGER PRIMARY KEY,   -- 1, 2, 3…: assigned by the store under the append lock
    run_id        TEXT NOT NULL,
    time_utc      TEXT NOT NULL,         -- yyyy-MM-ddTHH:mm:ss.ffffffZ: fixed width, so it sorts as time
    kind          TEXT NOT NULL,
    actor         TEXT NOT NULL,
    host          TEXT NOT NULL,
    skill         TEXT NOT NULL,
    skill_hash    TEXT NOT NULL,
    decision      TEXT,
    detail        TEXT NOT NULL,         -- masked by the caller before it gets here
    owner_machine TEXT,                  -- owner_*: the process that started the run (run-started only)
    owner_pid     INTEGER,
    owner_boot_id TEXT,
    owner_start   INTEGER,
    previous_hash TEXT NOT NULL,
    hash          TEXT NOT NULL
) STRICT;

CREATE INDEX audit_records_run ON audit_records (run_id, kind);
CREATE INDEX audit_records_time ON audit_records (time_utc);
CREATE INDEX audit_records_run_started ON audit_records (sequence) WHERE kind = 'run-started';

-- The last committed record, updated in the same transaction as every append. Appends link to it, and
-- verify compares it with the last record, which catches records cut off the end of the trail.
CREATE TABLE audit_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    sequence INTEGER NOT NULL,
    hash     TEXT NOT NULL
) STRICT;
INSERT INTO audit_head (id, sequence, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only against mistakes (a stray UPDATE in a shell), not against an attacker, who can drop these:
-- the hash chain is what detects deliberate edits.
CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only: DELETE is not allowed'); END;
