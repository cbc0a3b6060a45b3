"""Unfinished documents: what the next sync or tick must drive on, with exponential backoff after
transient failures; what needs a person (quarantined, failed for good) is never among them."""

from __future__ import annotations

from datetime import timedelta

from qbsps_orchestration.lib.ledger import Action, Direction, DocumentState, IntentOutcome, Ledger
from qbsps_orchestration.lib.ledger.completion import FIRST_DELAY, IN_FLIGHT_GRACE, MAX_DELAY, backoff


def _stored(ledger: Ledger, po: str) -> int:
    """An order fetched from mailbox file ``out/PO/<po>.xml`` and stored, not yet written."""
    path = f"out/PO/{po}.xml"
    payload = f"<Order>{po}</Order>".encode()
    outcome = ledger.record_inbound("Order", "ACME", po, payload, tset_purpose_code="00", source_path=path)
    ledger.note_file(path, po, [(outcome.document_id, outcome.version_id)])
    return outcome.document_id


def test_backoff_doubles_from_the_first_delay_up_to_the_cap() -> None:
    assert backoff(0) == timedelta(0)
    assert [backoff(n) for n in (1, 2, 3)] == [FIRST_DELAY, FIRST_DELAY * 2, FIRST_DELAY * 4]
    assert backoff(40) == MAX_DELAY


def test_stored_open_and_retrying_documents_are_unfinished_held_ones_are_not(ledger: Ledger) -> None:
    stored = _stored(ledger, "PO-1")
    in_flight = _stored(ledger, "PO-2")
    ledger.begin_intent(in_flight, Action.CREATE)  # a run died during the write
    retrying = _stored(ledger, "PO-3")
    ledger.schedule_retry(retrying, "out/PO/PO-3.xml: QBO 503")
    quarantined = _stored(ledger, "PO-4")
    ledger.quarantine("bad item", document_id=quarantined)
    failed = _stored(ledger, "PO-5")
    ledger.mark_failed(failed, "QBO refused it: 6000 business validation")
    done = _stored(ledger, "PO-6")
    ledger.mark_synced(done, "77", "0", "PO-6")

    unfinished = {d.id: d for d in ledger.unfinished_documents(Direction.INBOUND)}
    assert set(unfinished) == {stored, in_flight, retrying}
    assert unfinished[in_flight].open_intent and not unfinished[stored].open_intent
    assert unfinished[retrying].attempts == 1 and unfinished[retrying].reason == "out/PO/PO-3.xml: QBO 503"
    assert unfinished[stored].source_path == "out/PO/PO-1.xml"  # its partition, after the file left
    assert ledger.document(retrying).state is DocumentState.PENDING  # owed, not failed
    assert ledger.unfinished_documents(Direction.OUTBOUND) == []


def test_each_transient_failure_doubles_the_wait_and_success_resets_it(ledger: Ledger) -> None:
    doc = _stored(ledger, "PO-7")
    [fresh] = ledger.unfinished_documents()
    assert fresh.attempts == 0
    assert not fresh.due(fresh.due_at - timedelta(seconds=1))  # a live run may still be on it
    assert fresh.due_at - ledger.document(doc).updated_at == IN_FLIGHT_GRACE

    ledger.schedule_retry(doc, "429")
    [once] = ledger.unfinished_documents()
    ledger.schedule_retry(doc, "503")
    [twice] = ledger.unfinished_documents()
    assert (once.attempts, twice.attempts) == (1, 2)
    events = [e for e in ledger.audit_trail(doc) if e.event == "retry_scheduled"]
    assert twice.due_at - events[-1].at == FIRST_DELAY * 2

    intent = ledger.begin_intent(doc, Action.CREATE)
    ledger.mark_synced(doc, "88", "0", "PO-7")
    ledger.complete_intent(intent.id, IntentOutcome.SUCCEEDED, "QBO 88")
    assert ledger.unfinished_documents() == []
    replacement = ledger.record_inbound(
        "Order", "ACME", "PO-7", b"<Order>PO-7 v2</Order>", tset_purpose_code="05"
    )
    [again] = ledger.unfinished_documents()
    assert again.id == replacement.document_id and again.attempts == 0  # counting starts afresh
