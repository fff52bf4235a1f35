-- A report's record: what was asked, its state, and what it produced. Instants are microseconds
-- since the Unix epoch, UTC. The heartbeat is touched with every progress update, so a report whose
-- runner died can be told from one that is still being computed.
CREATE TABLE report (
    id              TEXT    PRIMARY KEY,
    status          TEXT    NOT NULL CHECK (status IN ('Pending', 'Running', 'Complete', 'Failed')),
    requested_as_of INTEGER NULL,
    interpolation   TEXT    NOT NULL CHECK (interpolation IN ('Nearest', 'CarryForward')),
    created_at      INTEGER NOT NULL,
    started_at      INTEGER NULL,
    finished_at     INTEGER NULL,
    heartbeat_at    INTEGER NULL,
    as_of           INTEGER NULL,
    stores_done     INTEGER NOT NULL DEFAULT 0,
    stores_total    INTEGER NOT NULL DEFAULT 0,
    row_count       INTEGER NULL,
    error           TEXT    NULL,
    attempts        INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX report_by_creation ON report (created_at DESC);

-- The CSV apart from the record, so listing reports never reads it.
CREATE TABLE report_csv (
    report_id TEXT PRIMARY KEY REFERENCES report (id) ON DELETE CASCADE,
    content   BLOB NOT NULL
);
