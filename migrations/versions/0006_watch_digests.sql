-- Watch lists, continued (issue 24): alerts by e-mail digest through the billing outbox,
-- each account's digest recipients, and the entries' history for the monthly fee.

-- Where an account's digests go. No row: the account's contact e-mails; an empty list: no
-- e-mail digests (the alerts are still listed by the API and posted to the webhook).
CREATE TABLE watch_digest_recipients (
    account_id  bigint      PRIMARY KEY REFERENCES accounts (id),
    emails      text[]      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One digest per account and run of the digest job: the alerts it took point at it
-- (watch_alerts.digest_id), set in the transaction that writes its outbox rows, so an
-- alert is in exactly one digest.
CREATE TABLE watch_digests (
    id           bigserial   PRIMARY KEY,
    account_id   bigint      NOT NULL REFERENCES accounts (id),
    made_at      timestamptz NOT NULL,
    alerts       int         NOT NULL CHECK (alerts >= 0),
    first_alert  bigint,
    last_alert   bigint,
    recipients   text[]      NOT NULL          -- empty: made, e-mailed to nobody
);
CREATE INDEX watch_digests_account ON watch_digests (account_id, id);

ALTER TABLE watch_alerts ADD COLUMN digest_id bigint REFERENCES watch_digests (id);
CREATE INDEX watch_alerts_undigested ON watch_alerts (account_id, id) WHERE digest_id IS NULL;

-- Alerts recorded before digests existed are not e-mailed afterwards (a first run would
-- send an account's whole history): each account's are put in one digest sent to nobody.
WITH made AS (
    INSERT INTO watch_digests (account_id, made_at, alerts, first_alert, last_alert, recipients)
    SELECT account_id, now(), count(*), min(id), max(id), '{}' FROM watch_alerts
    GROUP BY account_id RETURNING id, account_id)
UPDATE watch_alerts a SET digest_id = made.id FROM made WHERE a.account_id = made.account_id;

-- The outbox carries messages of its own besides statements: a row with no statement has
-- its subject, text body and date, fixed when it was written (a digest), so a message sent
-- again after a crash is the same message.
ALTER TABLE statement_mail ALTER COLUMN statement_id DROP NOT NULL;
ALTER TABLE statement_mail ADD COLUMN subject text;
ALTER TABLE statement_mail ADD COLUMN body text;
ALTER TABLE statement_mail ADD COLUMN dated timestamptz;
ALTER TABLE statement_mail ADD CONSTRAINT statement_mail_content CHECK (
    (statement_id IS NOT NULL AND subject IS NULL AND body IS NULL AND dated IS NULL)
    OR (statement_id IS NULL AND subject IS NOT NULL AND body IS NOT NULL
        AND dated IS NOT NULL));

-- Every entry an account has watched, and when it stopped (entries themselves are deleted
-- outright): the monthly fee counts the values watched at any time in the month. Kept by
-- statement-level triggers with transition tables, so a bulk COPY of a loan book costs one
-- INSERT ... SELECT, not a trigger call per row.
CREATE TABLE watch_entry_history (
    entry_id    bigint      PRIMARY KEY,
    account_id  bigint      NOT NULL,
    criterion   text        NOT NULL,
    normalised  text        NOT NULL,
    party_type  text,
    added_at    timestamptz NOT NULL,
    removed_at  timestamptz
);
CREATE INDEX watch_entry_history_account ON watch_entry_history (account_id, added_at);

INSERT INTO watch_entry_history (entry_id, account_id, criterion, normalised, party_type,
                                 added_at)
SELECT id, account_id, criterion, normalised, party_type, created_at FROM watch_entries;

CREATE FUNCTION watch_entries_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO watch_entry_history (entry_id, account_id, criterion, normalised, party_type,
                                     added_at)
    SELECT id, account_id, criterion, normalised, party_type, created_at FROM added;
    RETURN NULL;
END $$;

CREATE FUNCTION watch_entries_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE watch_entry_history h SET removed_at = now()
    FROM removed r WHERE h.entry_id = r.id AND h.removed_at IS NULL;
    RETURN NULL;
END $$;

CREATE TRIGGER watch_entries_history_added AFTER INSERT ON watch_entries
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION watch_entries_added();
CREATE TRIGGER watch_entries_history_removed AFTER DELETE ON watch_entries
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
    EXECUTE FUNCTION watch_entries_removed();
