-- A report's record: what was asked, its state, and what it produced. The heartbeat is touched with
-- every progress update, so a report whose runner died can be told from one that is still being
-- computed. Instants are timestamptz (microseconds, as everywhere in this database).
CREATE TABLE report (
    id              text        PRIMARY KEY,
    status          text        NOT NULL CHECK (status IN ('Pending', 'Running', 'Complete', 'Failed')),
    requested_as_of timestamptz NULL,
    interpolation   text        NOT NULL CHECK (interpolation IN ('Nearest', 'CarryForward')),
    created_at      timestamptz NOT NULL,
    started_at      timestamptz NULL,
    finished_at     timestamptz NULL,
    heartbeat_at    timestamptz NULL,
    as_of           timestamptz NULL,
    stores_done     integer     NOT NULL DEFAULT 0,
    stores_total    integer     NOT NULL DEFAULT 0,
    row_count       integer     NULL,
    error           text        NULL,
    attempts        integer     NOT NULL DEFAULT 0
);

CREATE INDEX report_by_creation ON report (created_at DESC);

-- The CSV apart from the record, so listing reports never reads it.
CREATE TABLE report_csv (
    report_id text  PRIMARY KEY REFERENCES report (id) ON DELETE CASCADE,
    content   bytea NOT NULL
);
