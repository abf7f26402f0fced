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

What an earlier rebuild or copy left when it crashed (``indexer.leftovers``) goes too: its
slot at the start, its index with the old one.

Run from new normaliser code while the indexer still runs the old code (the deploy of a
normaliser change), the running indexer does not take the new index: it would write
documents keyed by its code into it. The rebuild then leaves the handover pending and
says so; the running indexer keeps the current index up to date, and an indexer started
on the new code takes the new index at start, without copying the registry again.
``rebuild --cancel`` drops a pending handover (its slot, its index, its state).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import psycopg

from core.settings import get_settings
from indexer import built_by, deadletters, es, leftovers, slot, source, state
from indexer.locks import try_lock
from indexer.runner import Follower
from indexer.snapshot_copy import copy_snapshot

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
        waiting = state.pending_handover(client, key)
        if waiting is not None:
            raise SystemExit(
                f"Chỉ mục {waiting.index} đã được chuẩn bị và đang chờ chuyển giao; hãy khởi "
                "động lại bộ chỉ mục bằng mã đã xây nó, hoặc hủy bằng `regsearch index rebuild "
                f"--cancel`. / Index {waiting.index} is prepared and waits for its handover: "
                "restart the indexer on the code that built it, or drop it with `regsearch "
                "index rebuild --cancel`.")
        # What an earlier rebuild or copy left: slots now (they keep the write-ahead log),
        # indices with the old index, after the grace period.
        found = leftovers.find(conn, client, key, settings.index_alias)
        leftovers.drop_slots(conn, client, found)
        old_index = main.index
        prepared = copy_snapshot(conn, client, settings, key=new_slot, slot_name=new_slot)
        state.save(client, prepared)
        catch_up = Follower(conn, client, settings)
        catch_up.key, catch_up.state = new_slot, prepared
        while catch_up.step() > 0:
            pass
        state.request_handover(client, key, state.Handover(new_slot, prepared.index))
        locked = try_lock(conn, key)
        if not locked and main.documents_built_by != built_by.this_code():
            print(f"đã chuẩn bị chỉ mục / prepared the index {prepared.index}, built by code "
                  f"{built_by.this_code()}.\n"
                  "Bộ chỉ mục đang chạy mã khác nên chưa nhận; hãy khởi động lại bộ chỉ mục bằng "
                  "mã này, nó sẽ nhận chỉ mục mới khi khởi động. / The running indexer runs "
                  f"other code ({main.documents_built_by or 'not recorded'}), so it does not "
                  "take it: restart the indexer on this code and it takes the new index at "
                  "start. Meanwhile the current index stays up to date and slot "
                  f"{new_slot} keeps the write-ahead log (`regsearch index rebuild --cancel` "
                  "drops it).")
            return prepared.index
        if locked:
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
    if old_index != prepared.index:  # the indexer may have deleted it already
        client.options(ignore_status=404).indices.delete(index=old_index)
    leftovers.delete_indices(client, found.indices)
    print(f"đã xây lại chỉ mục / rebuilt the index: {prepared.index} (was {old_index})")
    return prepared.index


def cancel() -> str | None:
    """Drop a pending handover: its slot, its index and its state. Returns its index."""
    settings = get_settings()
    client = es.client()
    key = settings.replication_slot
    handover = state.pending_handover(client, key)
    if handover is None:
        print("không có yêu cầu chuyển giao nào đang chờ / no handover is pending")
        return None
    with psycopg.connect(settings.pg_dsn, autocommit=True) as conn:
        slot.drop_slot(conn, handover.slot)
    state.delete(client, state.handover_id(key))
    state.delete(client, handover.slot)
    if es.alias_target(client, settings.index_alias) != handover.index:
        client.options(ignore_status=404).indices.delete(index=handover.index)
    print(f"đã hủy / cancelled: index {handover.index}, slot {handover.slot}")
    return handover.index
