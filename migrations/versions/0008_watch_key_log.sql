-- The watch follower keeps the stored keys of every entry in memory (a Bloom filter,
-- watch.keyfilter), so that most of a registration's keys, which no entry holds, are
-- never looked up. Each transaction that adds entries logs the range of their ids here,
-- under its own transaction id; the follower reads the rows of transactions that may
-- have committed since its last look (xid at or above the oldest transaction then still
-- running) and adds those entries' keys before it matches the next round.
CREATE TABLE watch_key_log (
    xid          xid8        NOT NULL DEFAULT pg_current_xact_id(),
    first_entry  bigint      NOT NULL,
    last_entry   bigint      NOT NULL,
    logged_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX watch_key_log_xid ON watch_key_log (xid);
