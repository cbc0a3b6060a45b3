"""An intent belongs to one operation on one version: begin_intent hands back only the same write
(OpenIntentError, safe to repeat with its requestid); another version's or operation's open intent
raises EarlierIntentError, so it is settled first and its requestid never reused."""

from __future__ import annotations

import pytest

from qbsps_orchestration.lib.ledger import (
    Action,
    EarlierIntentError,
    IntentOutcome,
    Ledger,
    OpenIntentError,
)


def test_a_later_version_is_refused_the_earlier_versions_open_intent(ledger: Ledger) -> None:
    first = ledger.record_inbound("Order", "ACME", "PO-9", b"<Order>v1</Order>", tset_purpose_code="00")
    create = ledger.begin_intent(first.document_id, Action.CREATE, version_id=first.version_id)
    replacement = ledger.record_inbound("Order", "ACME", "PO-9", b"<Order>v2</Order>", tset_purpose_code="05")
    assert replacement.version_id != first.version_id

    with pytest.raises(EarlierIntentError, match="settle it") as refused:
        ledger.begin_intent(first.document_id, Action.CREATE, version_id=replacement.version_id)
    assert not isinstance(refused.value, OpenIntentError)  # never mistaken for "repeat this write"
    assert (refused.value.intent.id, refused.value.intent.version_id) == (create.id, first.version_id)
    with pytest.raises(EarlierIntentError):  # another operation on the same version
        ledger.begin_intent(first.document_id, Action.UPDATE, version_id=first.version_id)
    with pytest.raises(OpenIntentError) as same:  # the very same write: repeat it with its requestid
        ledger.begin_intent(first.document_id, Action.CREATE, version_id=first.version_id)
    assert same.value.requestid == create.requestid and same.value.intent is not None

    ledger.complete_intent(create.id, IntentOutcome.FAILED, "not in QBO: the create never landed")
    later = ledger.begin_intent(first.document_id, Action.CREATE, version_id=replacement.version_id)
    assert later.version_id == replacement.version_id and later.requestid != create.requestid
