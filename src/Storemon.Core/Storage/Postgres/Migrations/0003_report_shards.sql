-- The shards of a report split across workers (Reports:Shards): each a range of stores by external
-- id, computed from the snapshot the report's own worker exported, with its own heartbeat so that a
-- shard whose worker died is taken over. The rows of one attempt replace those of an earlier one; the
-- shards are deleted when their CSVs are joined into report_csv.
CREATE TABLE report_shard (
    report_id     text        NOT NULL REFERENCES report (id) ON DELETE CASCADE,
    shard_index   integer     NOT NULL,
    shard_count   integer     NOT NULL,
    attempt       integer     NOT NULL,
    from_store_id text        COLLATE "C" NULL,
    to_store_id   text        COLLATE "C" NULL,
    snapshot      text        NOT NULL,
    as_of         timestamptz NOT NULL,
    status        text        NOT NULL CHECK (status IN ('Pending', 'Running', 'Done')),
    heartbeat_at  timestamptz NULL,
    stores_done   integer     NOT NULL DEFAULT 0,
    row_count     integer     NULL,
    content       bytea       NULL,
    PRIMARY KEY (report_id, shard_index)
);
