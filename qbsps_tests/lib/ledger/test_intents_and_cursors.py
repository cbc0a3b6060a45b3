"""Crash safety (intent before the remote write, reconcile after) and cursors."""

from __future__ import annotations

import threading

import pytest

from qbsps_orchestration.lib.ledger import (
    Action,
    DocumentState,
    IntentOutcome,
    InvalidTransitionError,
    Ledger,
    OpenIntentError,
)


def new_order(ledger: Ledger, key: str = "PO-7") -> int:
    return ledger.record_inbound("Order", "ACME", key, f"<Order>{key}</Order>".encode()).document_id


def test_intent_lifecycle_and_audit(ledger: Ledger) -> None:
    document_id = new_order(ledger)
    intent = ledger.begin_intent(document_id, Action.CREATE)
    assert intent.is_open and intent.attempt == 1 and len(intent.requestid) <= 36  # QBO batch limit
    assert [i.id for i in ledger.open_intents()] == [intent.id]

    done = ledger.complete_intent(intent.id, IntentOutcome.SUCCEEDED)
    assert not done.is_open and done.outcome == "succeeded" and done.completed_at is not None
    assert ledger.open_intents(document_id) == []
    with pytest.raises(InvalidTransitionError, match="already completed"):
        ledger.complete_intent(intent.id)
    trail = ledger.audit_trail(document_id)
    assert [e.event for e in trail][-2:] == ["intent_begun", "intent_completed"]
    assert trail[-2].after is not None and trail[-2].after["requestid"] == intent.requestid


def test_open_intent_after_crash_means_reconcile_first(ledger_url: str, ledger: Ledger) -> None:
    document_id = new_order(ledger)
    crashed = ledger.begin_intent(document_id, Action.CREATE)
    # A new process (new engine) finds the open intent and must reconcile, not write again.
    restarted = Ledger(ledger_url, cipher=ledger.credentials.cipher)
    try:
        assert [i.requestid for i in restarted.open_intents()] == [crashed.requestid]
        with pytest.raises(OpenIntentError, match="reconcile") as refused:
            restarted.begin_intent(document_id, Action.CREATE)
        assert refused.value.requestid == crashed.requestid  # retry the write with this requestid
        restarted.complete_intent(crashed.id, IntentOutcome.RECONCILED, detail="found by DocNumber PO-7")
        restarted.mark_synced(document_id, qbo_id="130", sync_token="0", doc_number="PO-7")
        assert restarted.pending_action(document_id) is Action.SKIP
    finally:
        restarted.close()


def test_retry_after_failure_gets_a_new_requestid_and_ids_are_deterministic(ledger: Ledger, tmp_path) -> None:
    document_id = new_order(ledger)
    first = ledger.begin_intent(document_id, Action.CREATE)
    ledger.complete_intent(first.id, IntentOutcome.FAILED, detail="HTTP 503")
    second = ledger.begin_intent(document_id, Action.CREATE)
    assert (second.attempt, second.requestid != first.requestid) == (2, True)
    # The same document, content, operation and attempt give the same requestid in another ledger,
    # so QBO's replay cache still protects a write whose ledger row was lost.
    other = Ledger(f"sqlite:///{tmp_path / 'other.sqlite'}")
    try:
        other.migrate()
        assert other.begin_intent(new_order(other), Action.CREATE).requestid == first.requestid
    finally:
        other.close()


def test_concurrent_begins_let_exactly_one_write_proceed(ledger_url: str, ledger: Ledger) -> None:
    document_id = new_order(ledger)
    workers = [Ledger(ledger_url, cipher=ledger.credentials.cipher) for _ in range(3)]
    barrier = threading.Barrier(len(workers))
    results: list[str] = []

    def work(worker: Ledger) -> None:
        barrier.wait(timeout=10)
        try:
            worker.begin_intent(document_id, Action.CREATE)
            results.append("began")
        except OpenIntentError:
            results.append("refused")

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for worker in workers:
        worker.close()
    assert sorted(results) == ["began", "refused", "refused"]
    assert len(ledger.open_intents(document_id)) == 1


def test_intent_rejects_non_writes(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="not a remote write"):
        ledger.begin_intent(new_order(ledger), Action.SKIP)


def test_cursors_are_stored_and_moves_audited(ledger: Ledger) -> None:
    assert ledger.get_cursor("sps.out/PO") is None
    ledger.as_actor(run_id="run-1").set_cursor("sps.out/PO", "page-token-1")
    ledger.set_cursor("sps.out/PO", "page-token-1")  # unchanged: no event
    ledger.set_cursor("sps.out/PO", "page-token-2")
    assert ledger.get_cursor("sps.out/PO") == "page-token-2"
    moves = [e for e in ledger.audit_trail(None) if e.event == "cursor_moved"]
    assert [(m.before and m.before["value"], m.after and m.after["value"], m.run_id) for m in moves] == [
        (None, "page-token-1", "run-1"),
        ("page-token-1", "page-token-2", None),
    ]


def test_a_file_remembers_its_documents_latest_fetch_first(ledger: Ledger) -> None:
    first = ledger.record_inbound(
        "Order", "TP", "PO-F1", b"one", tset_purpose_code="00", source_path="out/PO/f"
    )
    other = ledger.record_inbound(
        "Order", "TP", "PO-F2", b"two", tset_purpose_code="00", source_path="out/PO/f"
    )
    ledger.note_file("out/PO/f", "hash-a", [(first.document_id, first.version_id)])
    assert ledger.file_documents("out/PO/f") == [(first.document_id, first.version_id)]
    # SPS re-delivers the same name with other content: the partition now means the new documents.
    ledger.note_file(
        "out/PO/f", "hash-b", [(other.document_id, other.version_id), (first.document_id, first.version_id)]
    )
    assert ledger.file_documents("out/PO/f") == [
        (other.document_id, other.version_id),
        (first.document_id, first.version_id),
    ]
    assert ledger.file_documents("out/PO/never") == []


def test_a_write_confirmed_marks_synced_and_completes_its_intent_in_one_transaction(ledger: Ledger) -> None:
    """A crash between the two used to leave a synced document with an open intent (inbound: the
    sync never settled it) or a closed intent on a document still owed (outbound: sent again)."""
    document_id = new_order(ledger)
    intent = ledger.begin_intent(document_id, Action.CREATE)
    ledger.mark_synced(document_id, "101", "0", intent_id=intent.id, intent_detail="QBO 101")
    assert ledger.document(document_id).state is DocumentState.SYNCED and ledger.open_intents() == []
    events = [e.event for e in ledger.audit_trail(document_id)]
    assert events[-2:] == ["synced", "intent_completed"]

    other = new_order(ledger, "PO-8")
    spent = ledger.begin_intent(other, Action.CREATE)
    ledger.complete_intent(spent.id, IntentOutcome.FAILED, "refused")
    with pytest.raises(InvalidTransitionError):  # the intent part fails: the synced part rolls back
        ledger.mark_synced(other, "102", "0", intent_id=spent.id)
    assert ledger.document(other).state is DocumentState.PENDING and ledger.document(other).qbo_id is None
