-- Billing (package billing/): monthly statements of fees (thông báo phí), payments recorded
-- by the registry's staff and their allocation to the oldest statements, and the outbox of
-- the statements' e-mails. Statements, their lines, payments and allocations are
-- append-only (UPDATE, DELETE and TRUNCATE refused by triggers); only the outbox changes.

CREATE SEQUENCE statement_seq;

-- One statement per account and month (the unique key makes the monthly job idempotent,
-- whoever runs it and however often). The snapshot is what the PDF prints, canonical JSON
-- as hashed (billing.model); the amounts are copied out of it for queries.
CREATE TABLE statements (
    id                  bigserial   PRIMARY KEY,
    number              text        NOT NULL UNIQUE,      -- TBP-2026-11-000123
    account_id          bigint      NOT NULL REFERENCES accounts (id),
    period_start        date        NOT NULL,             -- the month's first day (ICT)
    issued_at           timestamptz NOT NULL,             -- the statement's date
    due_on              date        NOT NULL,             -- the last day to pay (ICT)
    brought_forward_vnd bigint      NOT NULL,             -- negative: a credit
    charges_vnd         bigint      NOT NULL CHECK (charges_vnd >= 0),
    payments_vnd        bigint      NOT NULL CHECK (payments_vnd >= 0),
    amount_due_vnd      bigint      NOT NULL,             -- negative: a credit
    snapshot            bytea       NOT NULL,
    content_hash        text        NOT NULL,             -- sha256 of snapshot
    pdf                 bytea       NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, period_start),
    CHECK (amount_due_vnd = brought_forward_vnd - payments_vnd + charges_vnd)
);
CREATE INDEX statements_account ON statements (account_id, period_start);

-- Which statement bills each chargeable ledger line: one at most (the primary key), so a
-- line committed after its month's statement was made goes on the next one, never twice.
CREATE TABLE statement_lines (
    ledger_id     bigint PRIMARY KEY REFERENCES usage_ledger (id),
    statement_id  bigint NOT NULL REFERENCES statements (id)
);
CREATE INDEX statement_lines_statement ON statement_lines (statement_id);

-- Payments in whole đồng, recorded by the registry's staff. A bank reference is recorded
-- once per account (recording it again returns the payment already recorded).
CREATE TABLE payments (
    id           bigserial   PRIMARY KEY,
    account_id   bigint      NOT NULL REFERENCES accounts (id),
    amount_vnd   bigint      NOT NULL CHECK (amount_vnd > 0),
    reference    text        NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
    received_at  timestamptz NOT NULL,
    recorded_by  text        NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, reference)
);

-- Which statement lists each payment as received (one at most).
CREATE TABLE statement_payments (
    payment_id    bigint PRIMARY KEY REFERENCES payments (id),
    statement_id  bigint NOT NULL REFERENCES statements (id)
);

-- How much of each payment went to each statement's fees, the oldest statement first.
-- A statement is paid when its allocations reach its charges.
CREATE TABLE payment_allocations (
    payment_id    bigint      NOT NULL REFERENCES payments (id),
    statement_id  bigint      NOT NULL REFERENCES statements (id),
    amount_vnd    bigint      NOT NULL CHECK (amount_vnd > 0),
    at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (payment_id, statement_id)
);
CREATE INDEX payment_allocations_statement ON payment_allocations (statement_id);

-- The outbox: one row per statement and recipient, written with the statement; marked sent
-- once the SMTP server accepted the message. A run that stops between the two sends it on
-- the next run.
CREATE TABLE statement_mail (
    id            bigserial   PRIMARY KEY,
    statement_id  bigint      NOT NULL REFERENCES statements (id),
    recipient     text        NOT NULL,
    message_id    text        NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    attempts      int         NOT NULL DEFAULT 0,
    last_error    text,
    last_attempt_at timestamptz,
    sent_at       timestamptz,
    UNIQUE (statement_id, recipient)
);
CREATE INDEX statement_mail_pending ON statement_mail (id) WHERE sent_at IS NULL;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['statements', 'statement_lines', 'payments', 'statement_payments',
                             'payment_allocations'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW'
                       ' EXECUTE FUNCTION refuse_change()', t || '_append_only', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT'
                       ' EXECUTE FUNCTION refuse_change()', t || '_no_truncate', t);
    END LOOP;
END $$;
CREATE TRIGGER statement_mail_no_delete BEFORE DELETE ON statement_mail
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
