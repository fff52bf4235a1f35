-- Stores get a compact integer key so that polls, the bulk of the data, stay small; the external id
-- is kept exactly as imported (ids are opaque strings, never numbers) and compares byte by byte
-- (COLLATE "C"), so that its index gives the report's ordinal order whatever the database's locale.
CREATE TABLE store (
    store_key   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id text COLLATE "C" NOT NULL UNIQUE,
    time_zone   text NULL
);

-- Weekly hours: day 0 = Monday ... 6 = Sunday; start and end in microseconds since local midnight
-- (an end of 86400000000 is 24:00:00). Identical rows are one row.
CREATE TABLE business_hours (
    store_key   bigint   NOT NULL REFERENCES store (store_key),
    day_of_week smallint NOT NULL CHECK (day_of_week BETWEEN 0 AND 6),
    start_us    bigint   NOT NULL CHECK (start_us BETWEEN 0 AND 86399999999),
    end_us      bigint   NOT NULL CHECK (end_us BETWEEN 0 AND 86400000000),
    PRIMARY KEY (store_key, day_of_week, start_us, end_us)
);

-- Polls, years of them: partitioned by week of observed_at (Monday 00:00 UTC to the next Monday), so
-- that a report reads the week's partitions only and retention drops whole old weeks. Within a
-- partition the key (store, time) makes a store's polls one range scan; the status rides in the key's
-- index (INCLUDE), so a report can read the index alone. No foreign key to store: an import adds its
-- stores in the same transaction, and a per-row check would cost the bulk load more than it guards.
-- Partitions are made by the application (weeks ahead of the newest poll), never by hand.
CREATE TABLE poll (
    store_key   bigint      NOT NULL,
    observed_at timestamptz NOT NULL,
    active      boolean     NOT NULL,
    PRIMARY KEY (store_key, observed_at) INCLUDE (active)
) PARTITION BY RANGE (observed_at);
