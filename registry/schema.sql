-- The stand-in registry of secured transactions (Nghị định 102/2017/NĐ-CP).
-- Idempotent. Child tables carry registration_id in their primary key so that
-- logical replication (default replica identity) names the registration of
-- every insert, update and delete.

CREATE TABLE IF NOT EXISTS registrations (
    id                  bigserial PRIMARY KEY,
    registration_number text        NOT NULL UNIQUE,
    kind                text        NOT NULL CHECK (kind IN (
                            'mortgage', 'retention_of_title', 'lease', 'financial_lease',
                            'receivables_assignment', 'seizure_notice', 'enforcement_notice')),
    registered_at       timestamptz NOT NULL,
    status              text        NOT NULL CHECK (status IN ('in_force', 'deleted')),
    obligation          jsonb,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS parties (
    registration_id bigint NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    role            text   NOT NULL CHECK (role IN ('grantor', 'secured_party')),
    position        int    NOT NULL,
    party_type      text   NOT NULL CHECK (party_type IN ('individual', 'organization')),
    name            text   NOT NULL,
    id_type         text   CHECK (id_type IN ('cmnd', 'cccd', 'passport', 'tax_code',
                                              'business_reg', 'decision', 'other')),
    id_number       text,
    address         text,
    PRIMARY KEY (registration_id, role, position)
);

CREATE TABLE IF NOT EXISTS assets (
    registration_id bigint NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    position        int    NOT NULL,
    asset_type      text   NOT NULL CHECK (asset_type IN (
                        'motor_vehicle', 'inland_vessel', 'fishing_vessel', 'machinery', 'goods',
                        'receivables', 'securities', 'capital_contribution', 'property_right',
                        'other')),
    description     text,
    chassis_number  text,
    engine_number   text,
    plate_number    text,
    PRIMARY KEY (registration_id, position)
);

CREATE TABLE IF NOT EXISTS events (
    registration_id bigint      NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    position        int         NOT NULL,
    type            text        NOT NULL CHECK (type IN (
                        'amendment', 'correction', 'enforcement_notice', 'deletion')),
    at              timestamptz NOT NULL,
    summary         text,
    PRIMARY KEY (registration_id, position)
);
