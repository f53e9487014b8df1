-- Executions a server started (or a GitHub Actions callback reported), so `GET /api/executions` survives a restart
-- (docs/server.md). Same table and columns as Postgres/0006_executions.sql. Column meanings:
-- Opsmith.Storage.Executions.StoredExecution; `document` is the whole execution as JSON, its report included.
CREATE TABLE executions (
    id           TEXT PRIMARY KEY,          -- the run id (run-…) or the callback's execution_id
    skill        TEXT NOT NULL,
    commit_sha   TEXT,                      -- the skills repository commit the skill was active at; null for a callback
    actor        TEXT NOT NULL,             -- who asked: user:alice, github-actions
    status       TEXT NOT NULL,             -- running, or the verdict: succeeded, failed, canceled, …
    started_utc  TEXT NOT NULL,
    finished_utc TEXT,
    document     TEXT NOT NULL
) STRICT;

CREATE INDEX executions_started ON executions (started_utc);
