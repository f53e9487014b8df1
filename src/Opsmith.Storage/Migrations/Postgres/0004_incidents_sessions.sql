-- Incidents (a failing invariant on a host) and agent sessions (one run of the agent with its trajectory),
-- in the audit trail's database so a change and its audit record commit together (docs/agent.md).
-- Same tables and columns in both dialects; only the types differ. Column meanings: Opsmith.Storage.Incidents.Incident
-- and Opsmith.Storage.Sessions.AgentSession.
CREATE TABLE incidents (
    id            text PRIMARY KEY,         -- in-7f3k2
    invariant     text NOT NULL,
    host          text NOT NULL,            -- '' for an invariant that is not about one host
    status        text NOT NULL CHECK (status IN ('open', 'held', 'resolved')),
    summary       text NOT NULL,
    evidence      text NOT NULL,            -- what the failing check said, masked by the caller
    occurrences   integer NOT NULL,            -- how many times the monitor saw it red while it was not resolved
    opened_utc    timestamptz NOT NULL,
    last_seen_utc timestamptz NOT NULL,
    updated_utc   timestamptz NOT NULL,
    changed_by    text NOT NULL,            -- who made the last change: agent:lab-sre, user:alice
    note          text,
    session_id    text,                     -- the last agent session that worked on it
    resolved_utc  timestamptz
);

-- Deduplication: at most one incident that is not resolved per invariant and host.
CREATE UNIQUE INDEX incidents_active ON incidents (invariant, host) WHERE status <> 'resolved';
CREATE INDEX incidents_opened ON incidents (opened_utc);

CREATE TABLE agent_sessions (
    id           text PRIMARY KEY,          -- as-7f3k2
    agent        text NOT NULL,             -- the agent definition's name
    actor        text NOT NULL,             -- agent:lab-sre
    trigger_kind text NOT NULL,             -- incident, task-card, description
    trigger_text text NOT NULL,
    incident_id  text,
    status       text NOT NULL,             -- running, resolved, diagnosed, escalated, healthy, failed, cancelled
    started_utc  timestamptz NOT NULL,
    finished_utc timestamptz,
    summary      text NOT NULL,
    tokens       integer NOT NULL,
    trajectory   text NOT NULL              -- JSON: observations, findings, hypotheses, actions, outcomes, timings (masked)
);

CREATE INDEX agent_sessions_started ON agent_sessions (started_utc);
