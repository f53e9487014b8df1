-- API tokens for `opsmith serve` (docs/server.md): only a SHA-256 of each token is kept, never the token.
-- Same table and columns as Postgres/0004_api_tokens.sql. Column meanings: Opsmith.Storage.Tokens.ApiToken.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,       -- tk-3f9a1c2e: the public part of the token, shown by `tokens list`
    name         TEXT NOT NULL,          -- the person the token acts for, as actor text (user:alice)
    role         TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
    secret_hash  TEXT NOT NULL,          -- lower-case hex SHA-256 of the whole token
    created_utc  TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    revoked_utc  TEXT
) STRICT;
