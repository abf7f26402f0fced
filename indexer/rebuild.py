"""`regsearch index rebuild`: a new index from a snapshot, swapped in with no downtime.

1. A second replication slot is created with an exported snapshot and the
   registry is copied, as of that snapshot, into a new versioned index, while
   the running indexer keeps the current index (behind the alias) up to date.
2. The new index is caught up from its own slot.
3. Handover: the running indexer is asked to switch to the new slot and index;
   it catches the new index up once more, moves the alias atomically, and drops
   its old slot. With no indexer running, this process does the switch itself.
4. After a grace period for searches still paging through it, the old index is
   deleted. At no point is the alias without an index, so searches never fail.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import psycopg

from indexer import deadletters, es, slot, source, state
from indexer.runner import Follower, copy_snapshot, try_lock
from regsearch.settings import get_settings

GRACE_S = 5.0


def rebuild(handover_deadline_s: float = 300.0) -> str:
    settings = get_settings()
    client = es.client()
    key = settings.replication_slot
    new_slot = f"{key}_r{datetime.now(UTC):%Y%m%d%H%M%S}"
    with psycopg.connect(settings.pg_dsn, autocommit=True) as conn:
        source.prepare_session(conn)
        slot.ensure_publication(conn)
        deadletters.ensure_table(conn)
        es.ensure_state_index(client)
        main = state.load(client, key)
        if main is None or not main.snapshot_done:
            raise SystemExit("Chưa có chỉ mục để xây lại; hãy chạy `regsearch indexer`. / "
                             "There is no index to rebuild yet; run `regsearch indexer`.")
        old_index = main.index
        prepared = copy_snapshot(conn, client, settings, key=new_slot, slot_name=new_slot)
        state.save(client, prepared)
        catch_up = Follower(conn, client, settings)
        catch_up.key, catch_up.state = new_slot, prepared
        while catch_up.step() > 0:
            pass
        state.request_handover(client, key, state.Handover(new_slot, prepared.index))
        if try_lock(conn, key):
            # No indexer is running: make the switch here.
            follower = Follower(conn, client, settings)
            follower.state = state.load(client, key)
            follower.take_handover()
        else:
            deadline = time.monotonic() + handover_deadline_s
            while state.pending_handover(client, key) is not None:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        "Bộ chỉ mục chưa nhận chỉ mục mới; yêu cầu vẫn được giữ. / "
                        "The running indexer has not taken the new index yet; the request "
                        "stays pending.")
                time.sleep(0.1)
    time.sleep(GRACE_S)
    if client.indices.exists(index=old_index) and old_index != prepared.index:
        client.indices.delete(index=old_index)
    print(f"đã xây lại chỉ mục / rebuilt the index: {prepared.index} (was {old_index})")
    return prepared.index
