-- The health check's write probe: one row whose time /health overwrites (a real write that commits),
-- so that a database that cannot be written (read-only, its disk full, damaged) shows in /health.
-- The time is in microseconds since the Unix epoch.
CREATE TABLE health_probe (
    id         smallint PRIMARY KEY CHECK (id = 1),
    written_at bigint   NOT NULL
);
INSERT INTO health_probe (id, written_at) VALUES (1, 0);
