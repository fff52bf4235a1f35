-- What a report was asked with and computed from (SPEC: Unknown time, Provenance): the staleness
-- limit it was asked for, in microseconds; and, once complete, the poll rows it read, the latest poll
-- in the database when it ran and the tz database it used. A shard keeps the poll rows it read, which
-- the report sums when the shards are joined.
ALTER TABLE report
    ADD COLUMN max_gap_us   bigint      NULL,
    ADD COLUMN poll_rows    bigint      NULL,
    ADD COLUMN latest_poll  timestamptz NULL,
    ADD COLUMN tzdb_version text        NULL;
ALTER TABLE report_shard ADD COLUMN poll_rows bigint NULL;
