-- Approval requests (docs/approvals.md), in the same database as the audit trail so a decision and its
-- audit record commit in one transaction. Same table and columns as Sqlite/0002_approval_requests.sql;
-- only the types are PostgreSQL's. Column meanings: Opsmith.Storage.Approvals.ApprovalRequest.
CREATE TABLE approval_requests (
    id            text PRIMARY KEY,      -- ap-7f3k2: short enough to type
    run_id        text NOT NULL,
    proposer      text NOT NULL,         -- user:alice, agent:opsmith
    skill         text NOT NULL,
    skill_hash    text NOT NULL,
    host          text NOT NULL,
    step          text NOT NULL,
    command       text NOT NULL,         -- the rendered command, masked by the caller before it gets here
    tier          text NOT NULL,         -- read, service-mutation, destructive, data-mutation
    reason        text NOT NULL,
    created_utc   timestamptz NOT NULL,
    expires_utc   timestamptz NOT NULL,
    status        text NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'cancelled')),
    decided_by    text,
    decided_utc   timestamptz,
    decision_note text
);

CREATE INDEX approval_requests_status ON approval_requests (status, expires_utc);
