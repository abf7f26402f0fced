-- Watch lists (issue 24): what an account watches, matched in reverse against every
-- registration the registry commits; the alerts that matching records; their webhooks.

CREATE TABLE watch_entries (
    id               bigserial   PRIMARY KEY,
    account_id       bigint      NOT NULL REFERENCES accounts (id),
    criterion        text        NOT NULL CHECK (criterion IN (
                         'debtor_name', 'id_number', 'chassis_number', 'engine_number',
                         'plate_number')),
    value            text        NOT NULL,          -- as entered
    party_type       text        CHECK (party_type IN ('individual', 'organization')),
    normalised       text        NOT NULL,          -- the normaliser's form, for display
    client_reference text,
    alert_on_deletion boolean    NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX watch_entries_account ON watch_entries (account_id, id);

-- The entry's candidate keys (query side, namespaced by criterion), each as a 64-bit hash
-- (watch.keys.stored): a registered value's keys are looked up here, so matching a
-- registration never scans the entries. A collision only adds a candidate.
CREATE TABLE watch_keys (
    key       bigint NOT NULL,
    entry_id  bigint NOT NULL REFERENCES watch_entries (id) ON DELETE CASCADE,
    PRIMARY KEY (key, entry_id)
);
CREATE INDEX watch_keys_entry ON watch_keys (entry_id);

-- One alert per entry, registration and registry change (commit LSN): a replayed change
-- finds its alert already there.
CREATE TABLE watch_alerts (
    id                  bigserial   PRIMARY KEY,
    account_id          bigint      NOT NULL REFERENCES accounts (id),
    entry_id            bigint      NOT NULL,       -- no FK: the alert outlives its entry
    client_reference    text,
    registration_id     bigint      NOT NULL,
    registration_number text        NOT NULL,
    change_lsn          pg_lsn      NOT NULL,
    committed_at        timestamptz NOT NULL,       -- the registry's commit time
    event               text        NOT NULL CHECK (event IN (
                            'registration', 'amendment', 'seizure_notice',
                            'enforcement_notice', 'deletion')),
    criterion           text        NOT NULL,
    watched_value       text        NOT NULL,
    field               text        NOT NULL,       -- e.g. grantors[0].name, assets[1].chassis_number
    registered_value    text        NOT NULL,
    tier                text        NOT NULL CHECK (tier IN ('exact', 'close')),
    reasons             text[]      NOT NULL,
    score               real        NOT NULL,
    recorded_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    read_at             timestamptz,
    UNIQUE (entry_id, registration_id, change_lsn)
);
CREATE INDEX watch_alerts_account ON watch_alerts (account_id, id);
CREATE INDEX watch_alerts_unread ON watch_alerts (account_id, id) WHERE read_at IS NULL;

-- What has been reported for each (entry, registration): an amendment alerts only on a
-- (field kind, value) not reported before.
-- Read by registration (the follower's round), so the registration leads the key.
CREATE TABLE watch_reported (
    registration_id bigint NOT NULL,
    entry_id        bigint NOT NULL,
    value_key       text   NOT NULL,
    PRIMARY KEY (registration_id, entry_id, value_key)
);

-- The last state the follower saw of each registration that matched something: which
-- notices and whether deleted, so a replay or a later unrelated change alerts nothing new.
CREATE TABLE watch_marks (
    registration_id bigint  PRIMARY KEY,
    notices         int     NOT NULL,
    deleted         boolean NOT NULL
);

-- The follower's own position (besides its replication slot), for status and lag.
CREATE TABLE watch_follower (
    name          text        PRIMARY KEY,
    applied_lsn   pg_lsn      NOT NULL,
    checked_upto  pg_lsn      NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE watch_webhooks (
    account_id  bigint      PRIMARY KEY REFERENCES accounts (id),
    url         text        NOT NULL,
    secret      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One delivery per alert to its account's webhook; the queue the delivery loop reads.
CREATE TABLE watch_deliveries (
    alert_id     bigint      PRIMARY KEY REFERENCES watch_alerts (id) ON DELETE CASCADE,
    account_id   bigint      NOT NULL,
    state        text        NOT NULL DEFAULT 'pending'
                             CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts     int         NOT NULL DEFAULT 0,
    next_at      timestamptz NOT NULL DEFAULT now(),
    last_error   text,
    delivered_at timestamptz
);
CREATE INDEX watch_deliveries_due ON watch_deliveries (next_at) WHERE state = 'pending';
