-- API tokens for `opsmith serve` (docs/server.md): only a SHA-256 of each token is kept, never the token.
-- Same table and columns as Sqlite/0004_api_tokens.sql. Column meanings: Opsmith.Storage.Tokens.ApiToken.
CREATE TABLE api_tokens (
    id           text PRIMARY KEY,       -- tk-3f9a1c2e: the public part of the token, shown by `tokens list`
    name         text NOT NULL,          -- the person the token acts for, as actor text (user:alice)
    role         text NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
    secret_hash  text NOT NULL,          -- lower-case hex SHA-256 of the whole token
    created_utc  timestamptz NOT NULL,
    created_by   text NOT NULL,
    revoked_utc  timestamptz
);
