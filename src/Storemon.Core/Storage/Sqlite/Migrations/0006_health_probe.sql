-- The health check's write probe: one row whose time /health overwrites (a real write that commits),
-- so that a database that cannot be written (read-only, damaged, its disk full) shows in /health.
-- The time is in microseconds since the Unix epoch.
CREATE TABLE health_probe (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    written_at INTEGER NOT NULL
);
INSERT INTO health_probe (id, written_at) VALUES (1, 0);
