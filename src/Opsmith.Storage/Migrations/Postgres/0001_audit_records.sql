-- The hash-chained audit trail (docs/audit.md). Same tables and columns as Sqlite/0001_audit_records.sql;
-- only the types are PostgreSQL's. Column meanings: Opsmith.Storage.Audit.AuditRecord.
CREATE TABLE audit_records (
    sequence      bigint PRIMARY KEY,    -- 1, 2, 3…: assigned by the store under the append lock
    run_id        text NOT NULL,
    time_utc      timestamptz NOT NULL,  -- microsecond precision, like the canonical form
    kind          text NOT NULL,
    actor         text NOT NULL,
    host          text NOT NULL,
    skill         text NOT NULL,
    skill_hash    text NOT NULL,
    decision      text,
    detail        text NOT NULL,         -- masked by the caller before it gets here
    owner_machine text,                  -- owner_*: the process that started the run (run-started only)
    owner_pid     bigint,
    owner_boot_id text,
    owner_start   bigint,
    previous_hash text NOT NULL,
    hash          text NOT NULL
);

CREATE INDEX audit_records_run ON audit_records (run_id, kind);
CREATE INDEX audit_records_time ON audit_records (time_utc);
CREATE INDEX audit_records_run_started ON audit_records (sequence) WHERE kind = 'run-started';

-- The last committed record. Every append locks this row (SELECT … FOR UPDATE), which serializes appends
-- from all processes, and updates it in the same transaction; verify compares it with the last record.
CREATE TABLE audit_head (
    id       integer PRIMARY KEY CHECK (id = 1),
    sequence bigint NOT NULL,
    hash     text NOT NULL
);
INSERT INTO audit_head (id, sequence, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only against mistakes, not against a superuser, who can disable these: the chain detects that.
CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only: % is not allowed', TG_OP;
END
$$;
CREATE TRIGGER audit_records_no_change BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();
