-- The data-protection key ring of the service (the keys behind its dashboard session cookies), shared
-- by every API process over this database, so that a session started on one is valid on all and
-- outlives them. Rows are only added, never changed; the unique name lets processes that store the
-- same key at once both succeed. The XML holds each key's secret as is (not encrypted at rest):
-- whoever can read this table can already read everything else in the database.
CREATE TABLE data_protection_key (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text   NOT NULL UNIQUE,
    xml  text   NOT NULL
);
