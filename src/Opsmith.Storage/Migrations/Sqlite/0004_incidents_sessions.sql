-- Incidents (a failing invariant on a host) and agent sessions (one run of the agent with its trajectory),
-- in the audit trail's database so a change and its audit record commit together (docs/agent.md).
-- Same tables and columns in both dialects; only the types differ. Column meanings: Opsmith.Storage.Incidents.Incident
-- and Opsmith.Storage.Sessions.AgentSession.
CREATE TABLE incidents (
    id            TEXT PRIMARY KEY,         -- in-7f3k2
    invariant     TEXT NOT NULL,
    host          TEXT NOT NULL,            -- '' for an invariant that is not about one host
    status        TEXT NOT NULL CHECK (status IN ('open', 'held', 'resolved')),
    summary       TEXT NOT NULL,
    evidence      TEXT NOT NULL,            -- what the failing check said, masked by the caller
    occurrences   INTEGER NOT NULL,            -- how many times the monitor saw it red while it was not resolved
    opened_utc    TEXT NOT NULL,
    last_seen_utc TEXT NOT NULL,
    updated_utc   TEXT NOT NULL,
    changed_by    TEXT NOT NULL,            -- who made the last change: agent:lab-sre, user:alice
    note          TEXT,
    session_id    TEXT,                     -- the last agent session that worked on it
    resolved_utc  TEXT
) STRICT;

-- Deduplication: at most one incident that is not resolved per invariant and host.
CREATE UNIQUE INDEX incidents_active ON incidents (invariant, host) WHERE status <> 'resolved';
CREATE INDEX incidents_opened ON incidents (opened_utc);

CREATE TABLE agent_sessions (
    id           TEXT PRIMARY KEY,          -- as-7f3k2
    agent        TEXT NOT NULL,             -- the agent definition's name
    actor        TEXT NOT NULL,             -- agent:lab-sre
    trigger_kind TEXT NOT NULL,             -- incident, task-card, description
    trigger_text TEXT NOT NULL,
    incident_id  TEXT,
    status       TEXT NOT NULL,             -- running, resolved, diagnosed, escalated, healthy, failed, cancelled
    started_utc  TEXT NOT NULL,
    finished_utc TEXT,
    summary      TEXT NOT NULL,
    tokens       INTEGER NOT NULL,
    trajectory   TEXT NOT NULL              -- JSON: observations, findings, hypotheses, actions, outcomes, timings (masked)
) STRICT;

CREATE INDEX agent_sessions_started ON agent_sessions (started_utc);
