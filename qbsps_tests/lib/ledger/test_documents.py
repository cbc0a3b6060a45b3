"""Dedup and change rules end to end on a real database, with the audit trail of every step."""

from __future__ import annotations

import threading

import pytest

from qbsps_orchestration.lib.ledger import (
    Action,
    Direction,
    Disposition,
    DocumentState,
    InvalidTransitionError,
    Ledger,
    LedgerInputError,
    RecordOutcome,
)

ORDER_V1 = (
    b"<Order><Header><OrderHeader><PurchaseOrderNumber>PO-1</PurchaseOrderNumber></OrderHeader></Header>"
    b"</Order>"
)
ORDER_V2 = ORDER_V1.replace(b"</Order>", b"<Summary><TotalAmount>12.50</TotalAmount></Summary></Order>")
ORDER_V3 = ORDER_V1.replace(b"</Order>", b"<Summary><TotalAmount>99.00</TotalAmount></Summary></Order>")


def receive(ledger: Ledger, payload: bytes, code: str | None = "00", key: str = "PO-1") -> RecordOutcome:
    return ledger.record_inbound(
        "Order", "ACME", key, payload, tset_purpose_code=code, source_path=f"out/PO/{key}-{len(payload)}.xml"
    )


def created_and_synced(ledger: Ledger) -> RecordOutcome:
    outcome = receive(ledger, ORDER_V1)
    assert outcome.action is Action.CREATE
    ledger.mark_synced(
        outcome.document_id, qbo_id="130", sync_token="0", doc_number="PO-1", qbo_entity="PurchaseOrder"
    )
    return outcome


def events(ledger: Ledger, document_id: int) -> list[str]:
    return [event.event for event in ledger.audit_trail(document_id)]


def test_same_content_again_is_one_document_and_skipped(ledger: Ledger) -> None:
    first = created_and_synced(ledger)
    again = receive(ledger, ORDER_V1)
    assert (again.action, again.duplicate, again.version_id) == (Action.SKIP, True, first.version_id)
    assert len(ledger.versions(first.document_id)) == 1
    doc = ledger.document(first.document_id)
    assert (doc.state, doc.qbo_id, doc.qbo_sync_token, doc.qbo_entity) == (
        DocumentState.SYNCED,
        "130",
        "0",
        "PurchaseOrder",
    )
    assert events(ledger, first.document_id) == ["document_received", "synced", "duplicate_skipped"]
    received = ledger.audit_trail(first.document_id)[0]
    assert received.before is None and received.after is not None and received.after["state"] == "pending"


def test_replay_after_crash_before_the_qbo_write_resumes_instead_of_skipping(ledger: Ledger) -> None:
    first = receive(ledger, ORDER_V1)
    replay = receive(ledger, ORDER_V1)
    assert (replay.action, replay.duplicate) == (Action.CREATE, True)
    assert ledger.pending_action(first.document_id) is Action.CREATE


def test_replacement_updates_the_existing_document(ledger: Ledger) -> None:
    first = created_and_synced(ledger)
    replacement = receive(ledger, ORDER_V2, code="05")
    assert replacement.document_id == first.document_id
    assert (replacement.action, replacement.disposition) == (Action.UPDATE, Disposition.REPLACEMENT)
    doc = ledger.document(first.document_id)
    assert doc.current_version_id == replacement.version_id and doc.qbo_sync_token == "0"  # for the update
    ledger.mark_synced(doc.id, sync_token="1")
    doc = ledger.document(first.document_id)
    assert (doc.state, doc.qbo_id, doc.qbo_sync_token) == (DocumentState.SYNCED, "130", "1")
    assert [v.disposition for v in ledger.versions(doc.id)] == [Disposition.APPLIED, Disposition.APPLIED]
    trail = ledger.audit_trail(doc.id)
    assert [e.event for e in trail] == ["document_received", "synced", "replacement_received", "synced"]
    assert trail[2].before is not None and trail[2].after is not None
    assert (trail[2].before["state"], trail[2].after["state"]) == ("synced", "pending")
    assert (trail[3].before["qbo_sync_token"], trail[3].after["qbo_sync_token"]) == ("0", "1")


def test_cancellation_closes_the_existing_document(ledger: Ledger) -> None:
    first = created_and_synced(ledger)
    cancel = receive(ledger, ORDER_V2, code="01")
    assert (cancel.action, cancel.disposition) == (Action.CLOSE, Disposition.CANCELLATION)
    ledger.mark_synced(first.document_id, sync_token="1")
    assert ledger.document(first.document_id).state is DocumentState.CLOSED
    assert events(ledger, first.document_id)[-2:] == ["cancellation_received", "closed"]
    assert receive(ledger, ORDER_V3, code="05").action is Action.HOLD  # no silent resurrection


def test_cancellation_before_qbo_write_needs_no_remote_change(ledger: Ledger) -> None:
    receive(ledger, ORDER_V1)
    cancel = receive(ledger, ORDER_V2, code="01")
    assert (cancel.action, cancel.state) == (Action.SKIP, DocumentState.CANCELLED)


def test_second_original_with_different_content_is_held_then_accepted(ledger: Ledger) -> None:
    first = created_and_synced(ledger)
    conflict = receive(ledger, ORDER_V2, code="00")
    assert (conflict.action, conflict.disposition) == (Action.HOLD, Disposition.CONFLICT)
    doc = ledger.document(first.document_id)
    assert (doc.state, doc.current_version_id) == (DocumentState.SYNCED, first.version_id)  # not overwritten
    assert [v.id for v in ledger.held_conflicts()] == [conflict.version_id]
    assert receive(ledger, ORDER_V2, code="00").action is Action.HOLD  # re-fetched: still held, no new row

    accepted = ledger.as_actor(run_id="run-42").accept_conflict(conflict.version_id, actor="alice@supplier")
    assert (accepted.action, accepted.disposition, accepted.state) == (
        Action.UPDATE,
        Disposition.REPLACEMENT,
        DocumentState.PENDING,
    )
    assert ledger.document(doc.id).current_version_id == conflict.version_id
    assert ledger.held_conflicts() == []
    accept_event = ledger.audit_trail(doc.id)[-1]
    assert (accept_event.event, accept_event.actor, accept_event.run_id) == (
        "conflict_accepted",
        "alice@supplier",
        "run-42",
    )
    with pytest.raises(InvalidTransitionError, match="not a held conflict"):
        ledger.accept_conflict(conflict.version_id, actor="bob")


def test_rejected_conflict_leaves_the_document_alone(ledger: Ledger) -> None:
    first = created_and_synced(ledger)
    conflict = receive(ledger, ORDER_V2, code="00")
    ledger.reject_conflict(conflict.version_id, actor="alice", reason="partner resent a test file")
    assert ledger.version(conflict.version_id).disposition is Disposition.REJECTED
    assert ledger.document(first.document_id).state is DocumentState.SYNCED
    assert events(ledger, first.document_id)[-1] == "conflict_rejected"


def test_synced_older_version_keeps_newer_one_owed(ledger: Ledger) -> None:
    first = receive(ledger, ORDER_V1)
    receive(ledger, ORDER_V2, code="05")  # arrives while the create is in flight
    ledger.mark_synced(first.document_id, qbo_id="130", sync_token="0", version_id=first.version_id)
    assert ledger.document(first.document_id).state is DocumentState.PENDING
    assert ledger.pending_action(first.document_id) is Action.UPDATE


def test_quarantine_failures_counts_and_listing(ledger: Ledger) -> None:
    bad = receive(ledger, ORDER_V1, key="PO-BAD")
    ledger.quarantine("Line 2: item 'X-9' has no cross-reference for partner ACME", version_id=bad.version_id)
    failing = receive(ledger, ORDER_V1, key="PO-FAIL")
    ledger.mark_failed(failing.document_id, "QBO 6000: business validation error")
    created_and_synced(ledger)
    receive(ledger, ORDER_V1, key="PO-NEW")
    unreadable = ledger.quarantine_unreadable(
        Direction.INBOUND, "Order", b"<Order><broken", "not well-formed XML", source_path="out/PO/broken.xml"
    )
    again = ledger.quarantine_unreadable(Direction.INBOUND, "Order", b"<Order><broken", "not well-formed XML")
    assert again.duplicate and again.document_id == unreadable.document_id

    assert ledger.counts_by_state() == {"quarantined": 2, "failed": 1, "synced": 1, "pending": 1}
    assert ledger.counts_by_state(Direction.OUTBOUND) == {}
    listed = {doc.business_key: doc for doc in ledger.failed_documents()}
    assert set(listed) == {"PO-BAD", "PO-FAIL", unreadable_key(ledger, unreadable.document_id)}
    assert listed["PO-BAD"].reason is not None and "X-9" in listed["PO-BAD"].reason
    assert ledger.version(bad.version_id).disposition is Disposition.QUARANTINED
    assert ledger.version(unreadable.version_id).payload == b"<Order><broken"  # never lost
    assert ledger.pending_action(failing.document_id) is Action.CREATE  # a re-run retries it


def unreadable_key(ledger: Ledger, document_id: int) -> str:
    return ledger.document(document_id).business_key


def test_outbound_documents_are_sent_and_marked_sent(ledger: Ledger) -> None:
    outcome = ledger.record_outbound(
        "Invoice", "ACME", "1037", b'{"Invoice": {}}', format="json", qbo_entity="Invoice", qbo_id="146"
    )
    assert outcome.action is Action.SEND
    ledger.mark_synced(outcome.document_id)
    doc = ledger.document(outcome.document_id)
    assert (doc.state, doc.qbo_id, doc.direction) == (DocumentState.SYNCED, "146", Direction.OUTBOUND)
    assert ledger.record_outbound("Invoice", "ACME", "1037", b'{"Invoice": {}}').action is Action.SKIP


def test_missing_dedup_field_is_a_clear_error(ledger: Ledger) -> None:
    with pytest.raises(LedgerInputError, match=r"out/PO/x\.xml.*business_key is empty"):
        ledger.record_inbound("Order", "ACME", " ", b"<Order/>", source_path="out/PO/x.xml")
    with pytest.raises(InvalidTransitionError, match="qbo_id is required"):
        ledger.mark_synced(receive(ledger, ORDER_V1).document_id)


def test_concurrent_recording_of_one_document_creates_one_row(ledger_url: str, ledger: Ledger) -> None:
    # Separate Ledger objects: separate engines and connections, like separate processes.
    workers = [Ledger(ledger_url, cipher=ledger.credentials.cipher) for _ in range(4)]
    barrier = threading.Barrier(len(workers))
    outcomes: list[RecordOutcome] = []
    errors: list[BaseException] = []

    def work(worker: Ledger) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(receive(worker, ORDER_V1, key="PO-RACE"))
        except BaseException as error:  # surfaced below; a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for worker in workers:
        worker.close()
    assert errors == []
    assert len({o.document_id for o in outcomes}) == 1 and len({o.version_id for o in outcomes}) == 1
    assert sorted(o.duplicate for o in outcomes) == [False, True, True, True]
    assert ledger.counts_by_state() == {"pending": 1}
    assert len(ledger.versions(outcomes[0].document_id)) == 1
