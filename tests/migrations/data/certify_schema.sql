-- Issued certificates (database `regsearch`, the service's own). Never changed or deleted.
CREATE SEQUENCE IF NOT EXISTS certificate_seq;

CREATE TABLE IF NOT EXISTS certificates (
    number               text        PRIMARY KEY,
    seq                  bigint      NOT NULL UNIQUE,
    issued_at            timestamptz NOT NULL,
    account_id           bigint,
    criterion            text        NOT NULL,
    snapshot             bytea       NOT NULL,   -- canonical JSON, exactly as hashed
    content_hash         text        NOT NULL,   -- sha256 of snapshot
    unsigned_pdf_sha256  text        NOT NULL,   -- re-rendering must give this again
    pdf                  bytea       NOT NULL,   -- the signed PDF as issued
    fee_vnd              bigint      NOT NULL
);

CREATE OR REPLACE FUNCTION refuse_certificate_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'certificates are never changed or deleted: % refused', TG_OP;
END $$;

DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'certificates_append_only') THEN
        CREATE TRIGGER certificates_append_only BEFORE UPDATE OR DELETE ON certificates
            FOR EACH ROW EXECUTE FUNCTION refuse_certificate_change();
    END IF;
END $$;
