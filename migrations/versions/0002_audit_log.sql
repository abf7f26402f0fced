-- The audit trail: who searched what and what they found, for every search and every
-- certificate. Beside the usage ledger (which is what is charged) rather than in it: it
-- holds the values searched (names, ID numbers: personal data under Nghị định
-- 13/2023/NĐ-CP), which billing does not need and which may get their own access and
-- retention. Append-only: UPDATE, DELETE and TRUNCATE are refused by triggers.
CREATE TABLE audit_log (
    id           bigserial   PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    kind         text        NOT NULL CHECK (kind IN ('search', 'certificate')),
    client       text,                                  -- the address the API determined
    account_id   bigint      REFERENCES accounts (id),  -- NULL: anonymous public search
    key_hash     text,                                  -- which of the account's keys
    criterion    text        NOT NULL,
    value        text        NOT NULL,                  -- as entered
    party_type   text,
    include_deleted boolean  NOT NULL DEFAULT false,
    exact_count  int         NOT NULL,
    close_count  int         NOT NULL,
    reference    text                                   -- the certificate number
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_account_at ON audit_log (account_id, at);

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
