"""Outbound exactly once (issue 9): an upload whose answer was lost, or whose run died before the
ledger heard of it, is adopted from what SPS shows (the file in `in/`, the history), never sent
twice; one SPS does not show is sent again only after the history lag. Counted on the SPS side."""

from __future__ import annotations

import time

import httpx
import pytest

from qbsps_orchestration.lib.config import QbspsConfig
from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.ledger import Direction, IntentOutcome
from qbsps_orchestration.lib.outbound.flow import (
    InvoiceOutcome,
    OutboundContext,
    invoice_key,
    process_invoice,
)
from qbsps_orchestration.lib.sps import SpsClient
from qbsps_tests.lib.outbound.landed_orders import land_order
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.support import shared_dir

UPLOADS = "/transactions/v5/data/in/"


class RunDied(BaseException):
    """Stands for SIGKILL right after the upload: nothing after it runs, no handler catches it."""


def with_lag(config: QbspsConfig, seconds: int) -> QbspsConfig:
    return config.model_copy(update={"sps": config.sps.model_copy(update={"history_lag_seconds": seconds})})


def context(c: SandboxedConnector, config: QbspsConfig, sps: SpsClient | None = None) -> OutboundContext:
    schemas = RsxSchemas(shared_dir() / "sps_samples" / "schemas" / "v777")
    return OutboundContext(config, c.ledger, c.qbo(), sps or c.sps(), schemas)


def sps_control(c: SandboxedConnector) -> httpx.Client:
    return httpx.Client(base_url=c.box.sps_url, timeout=10)


def uploads_held_by_sps(c: SandboxedConnector) -> dict[str, int]:
    """Per path: how many uploads SPS received, from its own history (never lagged, never faulted)."""
    with sps_control(c) as http:
        history = http.get("/_sandbox/sps/history").json()["results"]
    counts: dict[str, int] = {}
    for entry in history:
        if entry["direction"] == "inbound":
            counts[entry["path"]] = counts.get(entry["path"], 0) + 1
    return counts


def fault(c: SandboxedConnector, **rule: object) -> None:
    with sps_control(c) as http:
        assert http.post("/_sandbox/faults", json=rule).status_code == 201


def paths_of(outcome: InvoiceOutcome) -> list[str]:
    return ["/" + r.path for r in (outcome.invoice, outcome.ship_notice) if r is not None]


def intents_of(c: SandboxedConnector, document_id: int | None) -> list[str | None]:
    assert document_id is not None
    return [
        e.after.get("outcome")
        for e in c.ledger.audit_trail(document_id)
        if e.event == "intent_completed" and e.after
    ]


def test_upload_whose_answer_is_lost_is_adopted_not_sent_again(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    land_order(c, "PO-LOST-1")
    invoice = c.create_invoice("INV-LOST-1", "PO-LOST-1")
    fault(c, after_apply="drop", count=1, method="POST", path_prefix=UPLOADS)  # the 810's answer is lost
    outcome = process_invoice(context(c, c.config), invoice_key(invoice["Id"]))
    assert outcome.invoice is not None and outcome.ship_notice is not None
    assert (outcome.invoice.outcome, outcome.invoice.adopted) == ("sent", True), outcome.invoice
    assert (outcome.ship_notice.outcome, outcome.ship_notice.adopted) == ("sent", False)
    assert uploads_held_by_sps(c) == {path: 1 for path in paths_of(outcome)}
    assert intents_of(c, outcome.invoice.document_id) == [IntentOutcome.RECONCILED.value]
    again = process_invoice(context(c, c.config), invoice_key(invoice["Id"]))
    assert (again.invoice.outcome, again.ship_notice.outcome) == ("unchanged", "unchanged")
    assert uploads_held_by_sps(c) == {path: 1 for path in paths_of(outcome)}


def test_crash_between_upload_and_ledger_update_is_adopted_on_the_next_pass(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    land_order(c, "PO-CRASH-1")
    invoice = c.create_invoice("INV-CRASH-1", "PO-CRASH-1", shipped=False)
    dying = c.sps()
    upload = dying.upload

    def upload_then_die(*args: object, **kwargs: object) -> dict:
        upload(*args, **kwargs)  # type: ignore[arg-type]
        raise RunDied

    dying.upload = upload_then_die  # type: ignore[method-assign]
    with pytest.raises(RunDied):
        process_invoice(context(c, c.config, dying), invoice_key(invoice["Id"]))
    (path,) = uploads_held_by_sps(c)
    document = c.ledger.find_document(Direction.OUTBOUND, "Invoice", "SPSALLTESTID", "INV-CRASH-1")
    assert document is not None and len(c.ledger.open_intents(document.id)) == 1  # died unconfirmed

    outcome = process_invoice(context(c, c.config), invoice_key(invoice["Id"]))
    assert outcome.invoice is not None
    assert (outcome.invoice.outcome, outcome.invoice.adopted) == ("sent", True)
    assert uploads_held_by_sps(c) == {path: 1}
    assert c.ledger.open_intents(document.id) == []


def test_upload_shown_by_neither_in_nor_history_is_sent_again_only_after_the_lag(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    config = with_lag(c.config, 2)
    land_order(c, "PO-GONE-1")
    invoice = c.create_invoice("INV-GONE-1", "PO-GONE-1", shipped=False)
    fault(c, status=503, count=1, method="POST", path_prefix=UPLOADS)  # failed before it landed: unknown
    first = process_invoice(context(c, config), invoice_key(invoice["Id"]))
    assert first.invoice is not None and first.invoice.outcome == "unconfirmed", first.invoice
    assert "asks again" in first.invoice.problems[0]
    second = process_invoice(context(c, config), invoice_key(invoice["Id"]))
    assert second.invoice is not None and second.invoice.outcome == "unconfirmed"
    assert uploads_held_by_sps(c) == {}  # nothing was sent again within the lag
    time.sleep(2.1)
    third = process_invoice(context(c, config), invoice_key(invoice["Id"]))
    assert third.invoice is not None and (third.invoice.outcome, third.invoice.adopted) == ("sent", False)
    assert uploads_held_by_sps(c) == {"/" + third.invoice.path: 1}
    assert intents_of(c, third.invoice.document_id) == ["failed", "succeeded"]


def test_lagging_history_keeps_the_upload_unconfirmed_until_sps_shows_it(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    config = with_lag(c.config, 600)
    land_order(c, "PO-LAG-1")
    invoice = c.create_invoice("INV-LAG-1", "PO-LAG-1", shipped=False)
    with sps_control(c) as http:
        http.post("/_sandbox/sps/history-lag", json={"seconds": 300})
    # Landed, processed (so gone from in/), its answer failed, and history will not show it for 5 min.
    fault(c, after_apply=503, count=1, method="POST", path_prefix=UPLOADS)
    first = process_invoice(context(c, config), invoice_key(invoice["Id"]))
    assert first.invoice is not None and first.invoice.outcome == "unconfirmed"
    second = process_invoice(context(c, config), invoice_key(invoice["Id"]))
    assert second.invoice is not None and second.invoice.outcome == "unconfirmed"
    with sps_control(c) as http:
        http.post("/_sandbox/clock", json={"advance_seconds": 301})  # SPS publishes its history
    third = process_invoice(context(c, config), invoice_key(invoice["Id"]))
    assert third.invoice is not None and (third.invoice.outcome, third.invoice.adopted) == ("sent", True)
    assert uploads_held_by_sps(c) == {"/" + third.invoice.path: 1}


def test_content_changed_while_unconfirmed_is_held_once_the_first_upload_shows_up(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    config = with_lag(c.config, 600)
    land_order(c, "PO-CHG-1")
    invoice = c.create_invoice("INV-CHG-1", "PO-CHG-1", shipped=False)
    key = invoice_key(invoice["Id"])
    with sps_control(c) as http:
        http.post("/_sandbox/sps/history-lag", json={"seconds": 300})
    fault(c, after_apply=503, count=1, method="POST", path_prefix=UPLOADS)
    first = process_invoice(context(c, config), key)
    assert first.invoice is not None and first.invoice.outcome == "unconfirmed"
    c.qbo().sparse_update("Invoice", invoice["Id"], {"TxnDate": "2026-11-27"}, request_id="chg-date")
    changed = process_invoice(context(c, config), key)  # a new version, while the first is unknown
    assert changed.invoice is not None and changed.invoice.outcome == "unconfirmed", changed.invoice
    assert changed.invoice.version_id != first.invoice.version_id
    with sps_control(c) as http:
        http.post("/_sandbox/clock", json={"advance_seconds": 301})
    held = process_invoice(context(c, config), key)
    assert held.invoice is not None and held.invoice.outcome == "held", held.invoice
    assert "reached SPS after all" in held.invoice.problems[0]
    assert held.invoice.path == first.invoice.path.replace("-v7.7.json", "-v7.7-r2.json")
    assert uploads_held_by_sps(c) == {"/" + first.invoice.path: 1}  # the change was not sent silently
    resent = process_invoice(context(c, config), key, resend=True)  # the operator's decision
    assert resent.invoice is not None and resent.invoice.outcome == "sent", resent.invoice
    assert resent.invoice.path == held.invoice.path
    assert uploads_held_by_sps(c) == {"/" + first.invoice.path: 1, "/" + resent.invoice.path: 1}


def test_new_version_whose_answer_is_lost_is_not_mistaken_for_the_earlier_upload(
    empty_connector: SandboxedConnector,
) -> None:
    """Seconds after version 1 landed, version 2's upload answer is lost: SPS's history of the path
    must not vouch for version 2 with version 1's entry (the replacement 855 the fault suite lost)."""
    c = empty_connector
    land_order(c, "PO-REV-1")
    invoice = c.create_invoice("INV-REV-1", "PO-REV-1", shipped=False)
    key = invoice_key(invoice["Id"])
    first = process_invoice(context(c, c.config), key)
    assert first.invoice is not None and first.invoice.outcome == "sent", first.invoice
    c.qbo().sparse_update("Invoice", invoice["Id"], {"TxnDate": "2026-11-27"}, request_id="rev-date")
    fault(c, after_apply="drop", count=1, method="POST", path_prefix=UPLOADS)  # version 2's answer lost
    second = process_invoice(context(c, c.config), key, resend=True)
    assert second.invoice is not None and second.invoice.path != first.invoice.path
    assert second.invoice.outcome == "resent" and second.invoice.adopted, second.invoice  # landed after all
    assert uploads_held_by_sps(c) == {"/" + first.invoice.path: 1, "/" + second.invoice.path: 1}
