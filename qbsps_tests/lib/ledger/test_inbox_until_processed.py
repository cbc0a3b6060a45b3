"""Issue 9, change inbox: a change stays pending until the run that processed its document marks it
handled, and a re-report (CDC, sweep, webhook retry) reopens a handled change whose document never
reached SPS. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qbsps_orchestration.lib.changes import ChangeEvent, from_cdc, from_query_rows
from qbsps_orchestration.lib.ledger import Ledger

REALM = "9341455130298576"
T0 = datetime(2026, 3, 2, 15, 30, 7, tzinfo=UTC)


def change(entity_id: str, at: datetime = T0, *, entity: str = "Invoice", **kw: str) -> ChangeEvent:
    return ChangeEvent(REALM, entity, entity_id, kw.pop("operation", "Update"), at, **kw)  # type: ignore[arg-type]


def cdc_row(entity_id: str, at: datetime = T0) -> dict:
    stamp = at.isoformat()
    return {"Id": entity_id, "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp}}


def sent_invoice(ledger: Ledger, qbo_id: str) -> None:
    """The 810 of QBO Invoice `qbo_id`, recorded and marked as landed in SPS."""
    outcome = ledger.record_outbound(
        "Invoice", "SPSALLTESTID", f"INV-{qbo_id}", b"{}", qbo_entity="Invoice", qbo_id=qbo_id, format="json"
    )
    ledger.mark_synced(outcome.document_id, version_id=outcome.version_id)


def test_a_run_marks_only_the_changes_that_arrived_before_it_read_the_invoice(ledger: Ledger) -> None:
    ledger.record_changes([change("7"), change("8")])
    started = datetime.now(UTC)
    ledger.record_changes([change("7", T0 + timedelta(seconds=5))])  # arrives while the run works
    run = ledger.as_actor(run_id="run-1")
    assert run.mark_entity_changes_handled("Invoice", ["7"], received_before=started) == 1
    assert [(r.entity_id, r.changed_at) for r in ledger.pending_changes()] == [
        ("8", T0),  # not processed by that run
        ("7", T0 + timedelta(seconds=5)),  # newer than what the run read: asked again
    ]
    assert ledger.mark_entity_changes_handled("Invoice", [], received_before=started) == 0


def test_cdc_the_sweep_and_a_webhook_retry_reopen_a_handled_change_whose_document_never_went(
    ledger: Ledger,
) -> None:
    webhook = change("145", operation="Create", event_id="ev-1")
    ledger.record_changes([webhook])
    (row,) = ledger.pending_changes()
    ledger.mark_changes_handled([row.id], run_id="run-lost")  # as the old sensor did: nothing was sent
    assert ledger.pending_changes() == []

    assert ledger.record_changes(from_cdc({"Invoice": [cdc_row("145")]}, REALM)) == 1
    (reopened,) = ledger.pending_changes()
    assert (reopened.id, reopened.handled_at, reopened.run_id) == (row.id, None, None)
    assert ledger.record_changes(from_query_rows("Invoice", [cdc_row("145")], REALM)) == 0  # still one row

    ledger.mark_changes_handled([row.id], run_id="run-lost-again")
    assert ledger.record_changes([webhook]) == 1  # Intuit's retry of the same event reopens it too
    assert len(ledger.pending_changes()) == 1


def test_a_handled_change_whose_document_reached_sps_stays_handled(ledger: Ledger) -> None:
    ledger.record_changes([change("145", operation="Create", event_id="ev-1")])
    sent_invoice(ledger, "145")
    assert ledger.mark_entity_changes_handled("Invoice", ["145"], received_before=datetime.now(UTC)) == 1
    assert ledger.record_changes(from_cdc({"Invoice": [cdc_row("145")]}, REALM)) == 0
    assert ledger.record_changes([change("145", operation="Create", event_id="ev-1")]) == 0
    assert ledger.pending_changes() == []


def test_only_the_latest_change_of_an_entity_is_reopened(ledger: Ledger) -> None:
    later = T0 + timedelta(minutes=1)
    ledger.record_changes([change("9"), change("9", later)])
    ledger.mark_changes_handled([r.id for r in ledger.pending_changes()])
    # CDC only ever reports the latest state; an old sweep window re-reporting T0 changes nothing.
    assert ledger.record_changes(from_query_rows("Invoice", [cdc_row("9", T0)], REALM)) == 0
    assert ledger.record_changes(from_cdc({"Invoice": [cdc_row("9", later)]}, REALM)) == 1
    assert [r.changed_at for r in ledger.pending_changes()] == [later]


def test_changes_of_entities_that_send_no_document_are_not_reopened(ledger: Ledger) -> None:
    ledger.record_changes([change("3", entity="Vendor")])
    ledger.mark_changes_handled([r.id for r in ledger.pending_changes()])
    assert ledger.record_changes(from_cdc({"Vendor": [cdc_row("3")]}, REALM)) == 0
    assert ledger.pending_changes() == []
