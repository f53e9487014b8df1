-- Approval requests (docs/approvals.md), in the same database as the audit trail so a decision and its
-- audit record commit in one transaction. Same table and columns as Postgres/0002_approval_requests.sql;
-- only the types are SQLite's. Column meanings: Opsmith.Storage.Approvals.ApprovalRequest.
CREATE TABLE approval_requests (
    id            TEXT PRIMARY KEY,      -- ap-7f3k2: short enough to type
    run_id        TEXT NOT NULL,
    proposer      TEXT NOT NULL,         -- user:alice, agent:opsmith
    skill         TEXT NOT NULL,
    skill_hash    TEXT NOT NULL,
    host          TEXT NOT NULL,
    step          TEXT NOT NULL,
    command       TEXT NOT NULL,         -- the rendered command, masked by the caller before it gets here
    tier          TEXT NOT NULL,         -- read, service-mutation, destructive, data-mutation
    reason        TEXT NOT NULL,
    created_utc   TEXT NOT NULL,         -- yyyy-MM-ddTHH:mm:ss.ffffffZ: fixed width, so it sorts as time
    expires_utc   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'cancelled')),
    decided_by    TEXT,
    decided_utc   TEXT,
    decision_note TEXT
) STRICT;

CREATE INDEX approval_requests_status ON approval_requests (status, expires_utc);
