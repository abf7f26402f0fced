-- Client references (issue 24): the bank's own loan or file number, on every usage line
-- (searches, certificates, batches), certificate and batch; core.client_reference holds
-- the rule (at most 64 characters; letters, digits, spaces and - _ . / : # ( )).

ALTER TABLE usage_ledger ADD COLUMN client_reference text
    CHECK (char_length(client_reference) <= 64);
ALTER TABLE certificates ADD COLUMN client_reference text
    CHECK (char_length(client_reference) <= 64);
ALTER TABLE batch_jobs ADD COLUMN client_reference text
    CHECK (char_length(client_reference) <= 64);

-- Batch callbacks: the URL a batch is to call when it finishes, and the secret its body is
-- signed with (HMAC-SHA256, shown once, at submission).
ALTER TABLE batch_jobs ADD COLUMN callback_url text, ADD COLUMN callback_secret text;

-- One delivery per finished batch with a callback, written in the transaction that closes
-- the job (api/batch/closing.py); the queue the webhook delivery loop reads
-- (core.webhooks), like watch_deliveries. `body` is the exact signed JSON.
CREATE TABLE batch_callbacks (
    job_id       uuid        PRIMARY KEY REFERENCES batch_jobs (id) ON DELETE CASCADE,
    body         bytea       NOT NULL,
    state        text        NOT NULL DEFAULT 'pending'
                             CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts     int         NOT NULL DEFAULT 0,
    next_at      timestamptz NOT NULL DEFAULT now(),
    last_error   text,
    delivered_at timestamptz
);
CREATE INDEX batch_callbacks_due ON batch_callbacks (next_at) WHERE state = 'pending';
