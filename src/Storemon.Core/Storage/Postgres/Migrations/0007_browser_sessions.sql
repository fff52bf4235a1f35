-- The browser sessions of the service's pages and job dashboard, shared by every API process over this
-- database and kept here rather than whole in the cookie, so that signing out on any process (or a
-- key's secret changing) ends a session even where its cookie was copied. A row is the session's
-- authentication ticket (the key's name, scopes and fingerprint, never the key) until it expires
-- (microseconds since the Unix epoch) or is signed out.
CREATE TABLE browser_session (
    id         text   PRIMARY KEY,
    ticket     bytea  NOT NULL,
    expires_us bigint NOT NULL
);
CREATE INDEX browser_session_expires ON browser_session (expires_us);
