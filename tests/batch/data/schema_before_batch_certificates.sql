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
    error         text,
    PRIMARY KEY (job_id, chunk)
);
CREATE INDEX IF NOT EXISTS batch_chunks_open ON batch_chunks (job_id) WHERE state = 'queued';

CREATE TABLE IF NOT EXISTS batch_results (
    job_id      uuid        NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
    row_number  int         NOT NULL,
    result      jsonb       NOT NULL,
    written_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, row_number)
);
