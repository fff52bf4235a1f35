-- The latest poll ever written, kept by every import in its own transaction: a report's default time
-- is the latest poll, and finding it otherwise takes an index probe per store in the newest week
-- (~0.5 s at ten times the public size). One row; an import raises it, nothing lowers it. A report
-- checks that this poll still exists (retention may have dropped its week) and otherwise searches.
-- No row (a database from before this table, until its next import) also means: search.
CREATE TABLE poll_latest (
    only_row    boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
    store_key   bigint      NOT NULL,
    observed_at timestamptz NOT NULL
);
