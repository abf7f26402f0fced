-- Batch lookups, in the search service's own database (next to accounts and the ledger).
-- A job is cut into chunks; a chunk is one Celery task. Per-row results are written with
-- their chunk in one transaction, keyed by (job, row): a chunk run twice writes the same
-- rows again, never twice.

CREATE TABLE IF NOT EXISTS batch_jobs (
    id              uuid        PRIMARY KEY,
    account_id      bigint      NOT NULL REFERENCES accounts (id),
    caller          jsonb       NOT NULL,   -- the caller at submission (role: the fee)
    client          text,
    file_name       text        NOT NULL,
    file_format     text        NOT NULL CHECK (file_format IN ('csv', 'xlsx', 'jsonl')),
    include_deleted boolean     NOT NULL DEFAULT false,
    status          text        NOT NULL
                    CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    rows_total      int         NOT NULL,
    rows_valid      int         NOT NULL,
    rows_invalid    int         NOT NULL,
    rows_duplicate  int         NOT NULL,
    chunks_total    int         NOT NULL,
    report          jsonb       NOT NULL,   -- the file part of the validation report
    rows_charged    int,                    -- rows searched, in the usage ledger at the end
    fee_vnd         bigint,
    free_ground     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz
);
CREATE INDEX IF NOT EXISTS batch_jobs_open ON batch_jobs (account_id)
    WHERE status IN ('queued', 'running');

CREATE TABLE IF NOT EXISTS batch_rows (
    job_id        uuid  NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
    row_number    int   NOT NULL,           -- as in the file
    chunk         int,                      -- NULL: invalid, not searched
    duplicate_of  int,                      -- the earlier row with the same criteria
    criteria      jsonb NOT NULL,
    problems      jsonb NOT NULL DEFAULT '[]',
    notes         jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (job_id, row_number)
);
CREATE INDEX IF NOT EXISTS batch_rows_chunk ON batch_rows (job_id, chunk);

CREATE TABLE IF NOT EXISTS batch_chunks (
    job_id        uuid        NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
    chunk         int         NOT NULL,
    rows          int         NOT NULL,     -- valid rows, duplicates included
    searched      int         NOT NULL,     -- distinct rows: the searches it runs
    row_errors    int         NOT NULL DEFAULT 0,   -- rows whose search failed
    state         text        NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'done', 'failed')),
    attempts      int         NOT NULL DEFAULT 0,   -- times a worker started it
    published_at  timestamptz,
    claimed_at    timestamptz,
    claimed_by    text,                     -- worker host and process id
    done_at       timestamptz,
    registry_current_as_of timestamptz,     -- the watermark its rows were searched at
    registry_lsn  text,                     -- and its registry log position
    error         text,
    PRIMARY KEY (job_id, chunk)
);
-- Databases made before the log position was kept get the column (NULL for old chunks).
ALTER TABLE batch_chunks ADD COLUMN IF NOT EXISTS registry_lsn text;
CREATE INDEX IF NOT EXISTS batch_chunks_open ON batch_chunks (job_id) WHERE state = 'queued';

CREATE TABLE IF NOT EXISTS batch_results (
    job_id      uuid        NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
    row_number  int         NOT NULL,
    result      jsonb       NOT NULL,
    written_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, row_number)
);

-- What each distinct lookup of a job found (criterion, value as written, party type; the
-- key is api.batch.results.lookup_key), searched once: the rows that ask it refer to it
-- from their result. The watermark it was searched at is kept as the text the results
-- show (ISO 8601, as the indexer state gives it). A job's lookups hold its matches (about
-- 800 MB for 100,000 rows of a loan book): compressed with lz4, several times cheaper
-- than the default pglz.
CREATE TABLE IF NOT EXISTS batch_lookups (
    job_id      uuid        NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
    key         text        NOT NULL,
    result      json        COMPRESSION lz4 NOT NULL,
    registry_current_as_of text,
    registry_lsn text,
    -- api.batch.csv_parts.lookup_lines as JSON text: its CSV lines' match columns
    csv         text        COMPRESSION lz4,
    PRIMARY KEY (job_id, key)
);
-- The first shape of the table (2026-11-23) had no csv column, then a json one.
ALTER TABLE batch_lookups ADD COLUMN IF NOT EXISTS csv text COMPRESSION lz4;
ALTER TABLE batch_lookups ALTER COLUMN csv TYPE text, ALTER COLUMN csv SET COMPRESSION lz4,
    ALTER COLUMN result SET COMPRESSION lz4;

-- The certificate issued for a whole batch (at most one: issuing again returns it). The
-- number is in `certificates` (certify/schema.sql), inserted in the same transaction.
CREATE TABLE IF NOT EXISTS batch_certificates (
    job_id      uuid        PRIMARY KEY REFERENCES batch_jobs (id),
    number      text        NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A certificate asked for a batch too big to issue in the request
-- (`batch_certificate_inline_rows`): a worker issues it (task
-- `regsearch.batch.issue_certificate`) and deletes the request in the transaction that
-- stores the certificate. `failure` holds the log reference of an attempt that could not
-- be done; asking again clears it and publishes the task again.
CREATE TABLE IF NOT EXISTS batch_certificate_requests (
    job_id       uuid        PRIMARY KEY REFERENCES batch_jobs (id) ON DELETE CASCADE,
    account_id   bigint      NOT NULL REFERENCES accounts (id),
    client       text,
    requested_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz NOT NULL DEFAULT now(),
    failure      text,
    failed_at    timestamptz
);
