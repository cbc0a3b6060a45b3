"""The change inbox (one row per change, whichever path saw it) and sequences, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from qbsps_orchestration.lib.changes import ChangeEvent, from_cdc, from_query_rows
from qbsps_orchestration.lib.ledger import Ledger, LedgerInputError
from qbsps_orchestration.lib.webhooks import parse_webhook_body
from qbsps_tests.support import shared_dir

REALM = "9341455130298576"
T0 = datetime(2026, 3, 2, 15, 30, 7, tzinfo=UTC)


def change(entity_id: str, at: datetime = T0, *, entity: str = "Invoice", **kw: str) -> ChangeEvent:
    return ChangeEvent(REALM, entity, entity_id, kw.pop("operation", "Update"), at, **kw)  # type: ignore[arg-type]


def meta_row(entity_id: str, at: datetime) -> dict:
    stamp = at.astimezone(UTC).isoformat()
    return {"Id": entity_id, "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp}}


def test_the_same_change_from_webhook_cdc_and_sweep_is_one_row(ledger: Ledger) -> None:
    webhook = change("145", T0 + timedelta(milliseconds=891), operation="Create", event_id="ev-1")
    assert ledger.record_changes([webhook]) == 1
    assert ledger.record_changes([webhook]) == 0  # Intuit's retry of the same batch
    assert ledger.record_changes(from_cdc({"Invoice": [meta_row("145", T0)]}, REALM)) == 0
    assert ledger.record_changes(from_query_rows("Invoice", [meta_row("145", T0)], REALM)) == 0
    (row,) = ledger.pending_changes()
    assert (row.entity, row.entity_id, row.operation, row.source, row.event_id) == (
        "Invoice",
        "145",
        "Create",
        "webhook",  # the first path to report it
        "ev-1",
    )
    assert row.changed_at == T0 and row.changed_at.tzinfo is not None and row.handled_at is None


def test_a_later_change_of_the_same_entity_is_a_new_row_and_duplicates_in_one_call_count_once(
    ledger: Ledger,
) -> None:
    batch = [change("1"), change("1"), change("1", T0 + timedelta(seconds=1)), change("1", entity="Vendor")]
    assert ledger.record_changes(batch) == 3
    assert ledger.record_changes([]) == 0
    assert sorted((r.entity, r.changed_at) for r in ledger.pending_changes()) == [
        ("Invoice", T0),
        ("Invoice", T0 + timedelta(seconds=1)),
        ("Vendor", T0),
    ]


@pytest.mark.shared
def test_published_webhook_samples_and_cdc_sample_describe_two_changes(ledger: Ledger) -> None:
    samples = shared_dir() / "reference" / "qbo_samples"
    realm = "9130357766900456"
    # The sample's PurchaseOrder 154 is no SPS order of this ledger: its update is not kept.
    assert ledger.record_changes(parse_webhook_body((samples / "webhook_legacy.json").read_bytes())) == 1
    assert ledger.record_changes(parse_webhook_body((samples / "webhook_cloudevents.json").read_bytes())) == 0
    cdc = json.loads((samples / "cdc_response.json").read_text())
    flattened = {
        name: rows
        for response in cdc["CDCResponse"][0]["QueryResponse"]
        for name, rows in response.items()
        if isinstance(rows, list)
    }
    assert ledger.record_changes(from_cdc(flattened, realm)) == 0
    assert sorted((r.entity, r.entity_id, r.operation) for r in ledger.pending_changes()) == [
        ("Invoice", "145", "Delete"),
    ]


def test_pending_filters_orders_limits_and_handled_rows_leave(ledger: Ledger) -> None:
    ledger.record_changes(
        [change("3", T0 + timedelta(minutes=2)), change("1"), change("2", T0 + timedelta(minutes=1))]
    )
    ledger.record_changes([change("9", entity="Vendor")])
    assert [r.entity_id for r in ledger.pending_changes("Invoice")] == ["1", "2", "3"]  # oldest change first
    assert [r.entity_id for r in ledger.pending_changes("Invoice", limit=2)] == ["1", "2"]
    assert [r.entity for r in ledger.pending_changes("Vendor")] == ["Vendor"]
    assert [r.entity_id for r in ledger.pending_changes(("Vendor", "Invoice"), limit=2)] == ["1", "9"]

    first, second = ledger.pending_changes("Invoice", limit=2)
    run = ledger.as_actor("dagster", run_id="run-42")
    assert run.mark_changes_handled([first.id, second.id]) == 2
    assert ledger.mark_changes_handled([first.id], run_id="run-43") == 0  # handled once, by its first run
    assert [r.entity_id for r in ledger.pending_changes("Invoice")] == ["3"]
    with pytest.raises(LedgerInputError, match="no change inbox row with id 999"):
        ledger.mark_changes_handled([999])
    with pytest.raises(LedgerInputError, match="limit must be at least 1"):
        ledger.pending_changes(limit=0)
    assert ledger.mark_changes_handled([]) == 0


def test_a_distinct_webhook_event_in_the_same_second_reopens_a_handled_change(ledger: Ledger) -> None:
    # Create and Update within one second share LastUpdatedTime; if a run handled the Create before
    # the Update happened, the Update's own event id is the only sign that there is more to do.
    created = change("145", T0 + timedelta(milliseconds=100), operation="Create", event_id="ev-create")
    ledger.record_changes([created])
    (row,) = ledger.pending_changes()
    sent = ledger.record_outbound("Invoice", "TP", "INV-145", b"{}", qbo_entity="Invoice", qbo_id="145")
    ledger.mark_synced(sent.document_id, version_id=sent.version_id)  # its 810 reached SPS
    ledger.mark_changes_handled([row.id], run_id="run-1")
    assert ledger.record_changes([created]) == 0  # Intuit's retry of the same event: nothing to do
    assert ledger.record_changes(from_cdc({"Invoice": [meta_row("145", T0)]}, REALM)) == 0  # no event id
    assert ledger.pending_changes() == []

    updated = change("145", T0 + timedelta(milliseconds=700), operation="Update", event_id="ev-update")
    assert ledger.record_changes([updated]) == 1
    (reopened,) = ledger.pending_changes()
    assert (reopened.id, reopened.operation, reopened.event_id, reopened.handled_at) == (
        row.id,
        "Update",
        "ev-update",
        None,
    )
    assert ledger.record_changes([updated]) == 0  # still pending: nothing more to reopen


def _in_threads(count: int, work: Callable[[int], None]) -> None:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            work(n)
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def test_concurrent_receivers_store_each_change_once(ledger_url: str, ledger: Ledger) -> None:
    events = [change(str(n)) for n in range(40)]
    workers = [Ledger(ledger_url, cipher=ledger.credentials.cipher) for _ in range(4)]
    new: list[int] = []
    try:
        _in_threads(4, lambda n: new.append(workers[n].record_changes(events[n * 5 :] + events[: n * 5])))
    finally:
        for worker in workers:
            worker.close()
    assert sum(new) == 40 and len(ledger.pending_changes()) == 40


def test_next_value_never_repeats_under_four_threads(ledger_url: str, ledger: Ledger) -> None:
    workers = [
        Ledger(ledger_url, cipher=ledger.credentials.cipher) for _ in range(4)
    ]  # one engine each, like processes
    drawn: list[list[int]] = [[] for _ in workers]
    try:
        _in_threads(4, lambda n: drawn[n].extend(workers[n].next_value("sscc/0614141") for _ in range(25)))
    finally:
        for worker in workers:
            worker.close()
    values = [v for per_thread in drawn for v in per_thread]
    assert sorted(values) == list(range(1, 101))
    assert all(per_thread == sorted(per_thread) for per_thread in drawn)  # each caller sees it rise
    assert ledger.next_value("sscc/0614141") == 101


def test_sequences_are_independent_and_blocks_are_contiguous(ledger: Ledger) -> None:
    assert [ledger.next_value("sscc/0614141") for _ in range(3)] == [1, 2, 3]
    assert ledger.next_value("sscc/0012345") == 1
    assert ledger.next_values("sscc/0614141", 10) == range(4, 14)
    assert ledger.next_value("sscc/0614141") == 14
    with pytest.raises(LedgerInputError, match="count must be at least 1"):
        ledger.next_values("sscc/0614141", 0)
    with pytest.raises(LedgerInputError, match="sequence name must be 1-128"):
        ledger.next_value("")


def test_only_a_bookkeepers_update_of_an_sps_order_is_kept(ledger: Ledger) -> None:
    order = ledger.record_inbound(
        "Order", "TP", "PO-154", b"{}", format="json", source_path="out/PO/PO-154.json"
    )
    ledger.mark_synced(order.document_id, "154", "3", qbo_entity="PurchaseOrder", version_id=order.version_id)
    ours = {"Id": "154", "SyncToken": "3", "MetaData": {"LastUpdatedTime": T0.isoformat()}}
    later = {
        **ours,
        "SyncToken": "4",
        "MetaData": {"LastUpdatedTime": (T0 + timedelta(minutes=5)).isoformat()},
    }
    assert ledger.record_changes(from_cdc({"PurchaseOrder": [ours]}, REALM)) == 0  # qbsps's own write
    assert ledger.record_changes([change("154", entity="PurchaseOrder", operation="Create")]) == 0
    assert ledger.record_changes([change("155", entity="PurchaseOrder")]) == 0  # not from SPS
    assert ledger.record_changes([change("154", entity="Estimate")]) == 0  # another entity's 154
    assert ledger.record_changes(from_cdc({"PurchaseOrder": [later]}, REALM)) == 1  # the bookkeeper
    assert ledger.record_changes([change("154", T0 + timedelta(minutes=5), entity="PurchaseOrder")]) == 0
    [row] = ledger.pending_changes(("PurchaseOrder", "Estimate"))
    assert (row.entity_id, row.operation, row.source) == ("154", "Update", "cdc")
    assert ledger.order_files(["154", "155"]) == {("PurchaseOrder", "154"): "out/PO/PO-154.json"}
