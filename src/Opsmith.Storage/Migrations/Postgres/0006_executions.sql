-- Executions a server started (or a GitHub Actions callback reported), so `GET /api/executions` survives a restart
-- (docs/server.md). Same table and columns as Sqlite/0006_executions.sql. Column meanings:
-- Opsmith.Storage.Executions.StoredExecution; `document` is the whole execution as JSON, its report included.
CREATE TABLE executions (
    id           text PRIMARY KEY,          -- the run id (run-…) or the callback's execution_id
    skill        text NOT NULL,
    commit_sha   text,                      -- the skills repository commit the skill was active at; null for a callback
    actor        text NOT NULL,             -- who asked: user:alice, github-actions
    status       text NOT NULL,             -- running, or the verdict: succeeded, failed, canceled, …
    started_utc  timestamptz NOT NULL,
    finished_utc timestamptz,
    document     text NOT NULL
);

CREATE INDEX executions_started ON executions (started_utc);
