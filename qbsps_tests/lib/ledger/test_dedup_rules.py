"""The dedup rules as pure decisions: every (stored state, purpose code) combination that matters."""

from __future__ import annotations

import pytest

from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.ledger.dedup import (
    DocumentFacts,
    decide_duplicate,
    decide_first,
    decide_next,
    pending_action,
)
from qbsps_orchestration.lib.ledger.vocabulary import Action, Direction, Disposition, DocumentState

INBOUND, OUTBOUND = Direction.INBOUND, Direction.OUTBOUND


def facts(
    state: DocumentState,
    qbo_id: str | None = "130",
    current: Disposition = Disposition.APPLIED,
    direction: Direction = INBOUND,
) -> DocumentFacts:
    return DocumentFacts(direction, state, qbo_id, current)


@pytest.mark.parametrize(
    ("code", "action", "disposition", "state"),
    [
        (None, Action.CREATE, Disposition.PENDING, DocumentState.PENDING),
        ("00", Action.CREATE, Disposition.PENDING, DocumentState.PENDING),
        ("07", Action.CREATE, Disposition.PENDING, DocumentState.PENDING),
        ("05", Action.CREATE, Disposition.REPLACEMENT, DocumentState.PENDING),
        ("01", Action.SKIP, Disposition.CANCELLATION, DocumentState.CANCELLED),
        ("99", Action.SKIP, Disposition.QUARANTINED, DocumentState.QUARANTINED),
    ],
)
def test_first_version(
    code: str | None, action: Action, disposition: Disposition, state: DocumentState
) -> None:
    decision = decide_first(code, INBOUND)
    assert (decision.action, decision.disposition, decision.new_state) == (action, disposition, state)
    assert decision.becomes_current


def test_first_outbound_version_is_sent() -> None:
    assert decide_first("00", OUTBOUND).action is Action.SEND


@pytest.mark.parametrize(
    ("stored", "code", "action", "disposition", "new_state"),
    [
        (facts(DocumentState.SYNCED), "05", Action.UPDATE, Disposition.REPLACEMENT, DocumentState.PENDING),
        (
            facts(DocumentState.PENDING, qbo_id=None),
            "05",
            Action.CREATE,
            Disposition.REPLACEMENT,
            DocumentState.PENDING,
        ),
        (
            facts(DocumentState.QUARANTINED, qbo_id=None),
            "05",
            Action.CREATE,
            Disposition.REPLACEMENT,
            DocumentState.PENDING,
        ),
        (facts(DocumentState.SYNCED), "01", Action.CLOSE, Disposition.CANCELLATION, DocumentState.PENDING),
        (
            facts(DocumentState.PENDING, qbo_id=None),
            "01",
            Action.SKIP,
            Disposition.CANCELLATION,
            DocumentState.CANCELLED,
        ),
        (facts(DocumentState.CLOSED), "01", Action.SKIP, Disposition.CANCELLATION, None),
        (facts(DocumentState.SYNCED), "00", Action.HOLD, Disposition.CONFLICT, None),
        (facts(DocumentState.PENDING, qbo_id=None), "00", Action.HOLD, Disposition.CONFLICT, None),
        (facts(DocumentState.CANCELLED, qbo_id=None), "05", Action.HOLD, Disposition.CONFLICT, None),
        (facts(DocumentState.SYNCED), "18", Action.SKIP, Disposition.QUARANTINED, None),
    ],
)
def test_new_content_for_existing_document(
    stored: DocumentFacts,
    code: str,
    action: Action,
    disposition: Disposition,
    new_state: DocumentState | None,
) -> None:
    decision = decide_next(stored, code)
    assert (decision.action, decision.disposition, decision.new_state) == (action, disposition, new_state)
    assert decision.becomes_current == (new_state is not None)


def test_duplicate_resumes_owed_work_and_otherwise_skips() -> None:
    # A crash between recording and the QBO write must not turn the replay into a silent skip.
    assert (
        decide_duplicate(facts(DocumentState.PENDING, qbo_id=None), Disposition.PENDING).action
        is Action.CREATE
    )
    assert decide_duplicate(facts(DocumentState.FAILED), Disposition.REPLACEMENT).action is Action.UPDATE
    assert decide_duplicate(facts(DocumentState.SYNCED), Disposition.APPLIED).action is Action.SKIP
    assert decide_duplicate(facts(DocumentState.SYNCED), Disposition.CONFLICT).action is Action.HOLD
    assert decide_duplicate(facts(DocumentState.SYNCED), Disposition.APPLIED).new_state is None


def test_pending_action_is_derived_from_stored_facts() -> None:
    assert pending_action(facts(DocumentState.PENDING, qbo_id=None)) is Action.CREATE
    assert pending_action(facts(DocumentState.PENDING, current=Disposition.REPLACEMENT)) is Action.UPDATE
    assert pending_action(facts(DocumentState.FAILED, current=Disposition.CANCELLATION)) is Action.CLOSE
    assert pending_action(facts(DocumentState.PENDING, direction=OUTBOUND)) is Action.SEND
    for done in (
        DocumentState.SYNCED,
        DocumentState.CLOSED,
        DocumentState.CANCELLED,
        DocumentState.QUARANTINED,
    ):
        assert pending_action(facts(done)) is Action.SKIP


def test_outbound_changed_before_it_was_sent_replaces_and_after_it_was_sent_is_held(ledger: Ledger) -> None:
    first = ledger.record_outbound(
        "Invoice", "TP", "INV-9", b"v1", tset_purpose_code="00", qbo_entity="Invoice", qbo_id="9"
    )
    assert first.action is Action.SEND
    changed = ledger.record_outbound(
        "Invoice", "TP", "INV-9", b"v2", tset_purpose_code="00", qbo_entity="Invoice", qbo_id="9"
    )
    assert changed.action is Action.SEND and not changed.duplicate  # never sent: v2 takes its place
    ledger.mark_synced(changed.document_id, version_id=changed.version_id)
    again = ledger.record_outbound(
        "Invoice", "TP", "INV-9", b"v2", tset_purpose_code="00", qbo_entity="Invoice", qbo_id="9"
    )
    assert again.action is Action.SKIP and again.duplicate
    after_sent = ledger.record_outbound(
        "Invoice", "TP", "INV-9", b"v3", tset_purpose_code="00", qbo_entity="Invoice", qbo_id="9"
    )
    assert after_sent.action is Action.HOLD
