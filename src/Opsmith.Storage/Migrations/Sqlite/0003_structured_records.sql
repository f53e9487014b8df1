-- Structured fields on audit records (docs/audit.md), so nothing parses audit text any more. Records
-- written before this migration keep format 1 and empty fields: they hash and verify as they were written.
-- Same columns as Postgres/0003_structured_records.sql.
ALTER TABLE audit_records ADD COLUMN format INTEGER NOT NULL DEFAULT 1;  -- which canonical form the hash covers
ALTER TABLE audit_records ADD COLUMN section TEXT NOT NULL DEFAULT '';   -- preconditions, actions, rollback, …
ALTER TABLE audit_records ADD COLUMN step TEXT NOT NULL DEFAULT '';      -- the step's name in its skill
ALTER TABLE audit_records ADD COLUMN tier TEXT NOT NULL DEFAULT '';      -- the step's effective tier: read … data-mutation
ALTER TABLE audit_records ADD COLUMN mode TEXT NOT NULL DEFAULT '';      -- dry-run, execute, rollback
ALTER TABLE audit_records ADD COLUMN outcome TEXT NOT NULL DEFAULT '';   -- run verdict (run-finished) or deciding rule (decision)

-- Cooldowns, rate limits and budgets look for commands above read by skill and host.
CREATE INDEX audit_records_changes ON audit_records (skill, host, sequence) WHERE kind = 'command' AND tier NOT IN ('', 'read');
