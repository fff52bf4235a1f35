-- What a report was asked with and computed from (SPEC: Unknown time, Provenance): the staleness
-- limit it was asked for, in microseconds; and, once complete, the poll rows it read, the latest poll
-- in the database when it ran (microseconds since the Unix epoch) and the tz database it used.
ALTER TABLE report ADD COLUMN max_gap_us INTEGER NULL;
ALTER TABLE report ADD COLUMN poll_rows INTEGER NULL;
ALTER TABLE report ADD COLUMN latest_poll INTEGER NULL;
ALTER TABLE report ADD COLUMN tzdb_version TEXT NULL;
