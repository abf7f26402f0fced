-- The search service's own data (database `regsearch`, not the registry).
-- Certificates and ledger entries are append-only: triggers refuse UPDATE and DELETE.

CREATE TABLE IF NOT EXISTS accounts (
    id           bigserial PRIMARY KEY,
    name         text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('customer', 'agency', 'admin')),
    -- agencies: court, procuracy, investigation, enforcement (Điều 59 khoản 2)
    agency_kind  text        CHECK (agency_kind IN ('court', 'procuracy', 'investigation',
                                                     'enforcement')),
    max_batch_rows  int      NOT NULL DEFAULT 100000,
    max_open_batches int     NOT NULL DEFAULT 2,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'agency') = (agency_kind IS NOT NULL))
);

CREATE TABLE IF NOT EXISTS api_keys (
    key_hash    text        PRIMARY KEY,           -- sha256 of the key; the key is never stored
    account_id  bigint      NOT NULL REFERENCES accounts (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE TABLE IF NOT EXISTS usage_ledger (
    id           bigserial   PRIMARY KEY,
    account_id   bigint      REFERENCES accounts (id),   -- NULL: anonymous public search
    kind         text        NOT NULL CHECK (kind IN ('search', 'certificate', 'batch')),
    criterion    text,
    reference    text,                                  -- certificate number, batch id
    rows         int         NOT NULL DEFAULT 1,
    fee_vnd      bigint      NOT NULL CHECK (fee_vnd >= 0),
    free_ground  text,
    client       text,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS usage_ledger_account_at ON usage_ledger (account_id, at);

CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END $$;

DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'usage_ledger_append_only') THEN
        CREATE TRIGGER usage_ledger_append_only BEFORE UPDATE OR DELETE ON usage_ledger
            FOR EACH ROW EXECUTE FUNCTION refuse_change();
    END IF;
END $$;
