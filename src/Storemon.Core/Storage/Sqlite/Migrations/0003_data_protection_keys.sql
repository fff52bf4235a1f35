-- The data-protection key ring of the service (the keys behind its dashboard session cookies), so that
-- sessions outlive the process. Rows are only added, never changed. The XML holds each key's secret
-- as is (not encrypted at rest): whoever can read this file can already read everything else in it.
CREATE TABLE data_protection_key (
    id   INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE,
    xml  TEXT    NOT NULL
);
