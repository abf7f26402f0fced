-- Accounts (khách hàng thường xuyên): details, code, kind, status and its history; users.

-- The account's kind stays in `role`: 'customer', 'agency' (with `agency_kind`), or 'admin'
-- (the registry's own staff account: its users are registry staff).
ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_agency_kind_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_agency_kind_check
    CHECK (agency_kind IN ('court', 'procuracy', 'investigation', 'enforcement', 'other'));

CREATE SEQUENCE account_code_seq;
ALTER TABLE accounts
    ADD COLUMN tax_code       text,
    ADD COLUMN address        text,
    ADD COLUMN contact_emails text[]      NOT NULL DEFAULT '{}',
    ADD COLUMN code           text,
    ADD COLUMN status         text        NOT NULL DEFAULT 'active'
                              CHECK (status IN ('active', 'suspended', 'closed')),
    ADD COLUMN status_since   timestamptz;

-- Existing accounts: codes in the order they were made, then the sequence goes on.
UPDATE accounts a SET code = 'KH' || lpad(s.n::text, 6, '0'), status_since = a.created_at
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM accounts) s
 WHERE a.id = s.id;
SELECT setval('account_code_seq', (SELECT count(*) FROM accounts) + 1, false);
ALTER TABLE accounts
    ALTER COLUMN code SET DEFAULT 'KH' || lpad(nextval('account_code_seq')::text, 6, '0'),
    ALTER COLUMN code SET NOT NULL,
    ALTER COLUMN status_since SET DEFAULT now(),
    ALTER COLUMN status_since SET NOT NULL,
    ADD CONSTRAINT accounts_code_unique UNIQUE (code);
ALTER SEQUENCE account_code_seq OWNED BY accounts.code;

-- Every change of status, with its reason in Vietnamese and English and who made it.
-- Append-only: the account's `status` is the newest row's (accounts.status.change writes
-- both under the account's row lock).
CREATE TABLE account_status_history (
    id           bigserial   PRIMARY KEY,
    account_id   bigint      NOT NULL REFERENCES accounts (id),
    status       text        NOT NULL CHECK (status IN ('active', 'suspended', 'closed')),
    reason_code  text        NOT NULL,
    reason_vi    text        NOT NULL,
    reason_en    text        NOT NULL,
    actor        text        NOT NULL,
    at           timestamptz NOT NULL
);
CREATE INDEX account_status_history_account ON account_status_history (account_id, id);
CREATE TRIGGER account_status_history_append_only BEFORE UPDATE OR DELETE
    ON account_status_history FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER account_status_history_no_truncate BEFORE TRUNCATE ON account_status_history
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

INSERT INTO account_status_history (account_id, status, reason_code, reason_vi, reason_en,
                                    actor, at)
SELECT id, 'active', 'opened', 'Mở tài khoản.', 'Account opened.', 'migration 0003',
       created_at
  FROM accounts ORDER BY id;

-- The people of an account. Removed users stay (their keys, ledger lines and certificates
-- name them); an e-mail is unique, case-insensitively, among users not removed.
CREATE TABLE users (
    id            bigserial   PRIMARY KEY,
    account_id    bigint      NOT NULL REFERENCES accounts (id),
    name          text        NOT NULL,
    email         text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('admin', 'user')),
    password_hash text,                       -- argon2 (pwdlib); NULL: cannot sign in
    disabled_at   timestamptz,
    removed_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_unique ON users (lower(email)) WHERE removed_at IS NULL;
CREATE INDEX users_account ON users (account_id);

-- An account keeps at least one active administrator. The application locks the account's
-- row before changing its users; this trigger is the database's own guard (it takes the
-- same lock, so two transactions demoting two administrators at once cannot both pass:
-- the second waits, then counts with the first one's change committed).
CREATE FUNCTION users_keep_an_administrator() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    left_ int;
BEGIN
    IF OLD.role = 'admin' AND OLD.disabled_at IS NULL AND OLD.removed_at IS NULL
       AND (TG_OP = 'DELETE' OR NEW.role <> 'admin' OR NEW.disabled_at IS NOT NULL
            OR NEW.removed_at IS NOT NULL OR NEW.account_id <> OLD.account_id) THEN
        PERFORM 1 FROM accounts WHERE id = OLD.account_id FOR UPDATE;
        SELECT count(*) INTO left_ FROM users
         WHERE account_id = OLD.account_id AND role = 'admin'
           AND disabled_at IS NULL AND removed_at IS NULL;
        IF left_ = 0 THEN
            RAISE EXCEPTION 'account % would have no active administrator', OLD.account_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'users_last_admin';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER users_keep_an_administrator AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION users_keep_an_administrator();

-- Existing accounts: one placeholder administrator each, with no password.
INSERT INTO users (account_id, name, email, role, created_at)
SELECT id, 'Quản trị viên / Administrator', lower(code) || '@placeholder.invalid', 'admin',
       created_at
  FROM accounts ORDER BY id;

-- Keys belong to a user (existing keys: the account's placeholder administrator).
ALTER TABLE api_keys ADD COLUMN user_id bigint REFERENCES users (id);
UPDATE api_keys k SET user_id = u.id FROM users u WHERE u.account_id = k.account_id;
ALTER TABLE api_keys ALTER COLUMN user_id SET NOT NULL;
CREATE INDEX api_keys_user ON api_keys (user_id);

-- Who asked (NULL: the public, or a row made before users existed).
ALTER TABLE usage_ledger ADD COLUMN user_id bigint REFERENCES users (id);
ALTER TABLE audit_log ADD COLUMN user_id bigint REFERENCES users (id);
ALTER TABLE certificates ADD COLUMN user_id bigint REFERENCES users (id);
ALTER TABLE batch_jobs ADD COLUMN user_id bigint REFERENCES users (id);
ALTER TABLE batch_certificate_requests ADD COLUMN user_id bigint REFERENCES users (id);
CREATE INDEX usage_ledger_user_at ON usage_ledger (user_id, at);
