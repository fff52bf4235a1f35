-- Stores get a compact integer key (the rowid) so that polls, the bulk of the data, stay small;
-- the external id is kept exactly as imported (ids are opaque strings, never numbers).
CREATE TABLE store (
    store_key   INTEGER PRIMARY KEY,
    external_id TEXT    NOT NULL UNIQUE,
    time_zone   TEXT    NULL
);

-- Weekly hours: day 0 = Monday ... 6 = Sunday; start and end in microseconds since local midnight
-- (an end of 86400000000 is 24:00:00). Identical rows are one row.
CREATE TABLE business_hours (
    store_key   INTEGER NOT NULL REFERENCES store (store_key),
    day_of_week INTEGER NOT NULL CHECK (day_of_week BETWEEN 0 AND 6),
    start_us    INTEGER NOT NULL CHECK (start_us BETWEEN 0 AND 86399999999),
    end_us      INTEGER NOT NULL CHECK (end_us BETWEEN 0 AND 86400000000),
    PRIMARY KEY (store_key, day_of_week, start_us, end_us)
) WITHOUT ROWID;

-- Polls clustered by store, then time: a store's week is one range scan of the primary key, and
-- history older than the week is never read. Time in microseconds since the Unix epoch, UTC.
CREATE TABLE poll (
    store_key   INTEGER NOT NULL,
    observed_at INTEGER NOT NULL,
    active      INTEGER NOT NULL CHECK (active IN (0, 1)),
    PRIMARY KEY (store_key, observed_at)
) WITHOUT ROWID;
