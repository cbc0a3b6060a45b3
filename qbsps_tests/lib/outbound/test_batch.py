"""A batch of invoices against the sandbox over HTTP: read a hundred to one query, uploaded a few at
once, each outcome back in the order of the keys; counted on the sandbox's side."""

from __future__ import annotations

import pytest
import requests

from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.outbound.batch import process_invoices
from qbsps_orchestration.lib.outbound.flow import DELETED, OutboundContext, invoice_key
from qbsps_orchestration.lib.outbound.uploads import PARALLEL
from qbsps_tests.bench.stage import usage, usage_since
from qbsps_tests.lib.inbound.test_ack_uploads_parallel import UploadsInFlight
from qbsps_tests.lib.outbound.landed_orders import land_order
from qbsps_tests.lib.outbound.test_send_exactly_once import uploads_held_by_sps
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.support import shared_dir


def _ctx(c: SandboxedConnector) -> OutboundContext:
    schemas = RsxSchemas(shared_dir() / "sps_samples" / "schemas" / "v777")
    return OutboundContext(c.config, c.ledger, c.qbo(), c.sps(), schemas)


def test_outcomes_come_in_key_order_and_every_document_reaches_sps_once(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    qbo = c.qbo()
    keys = []
    for n in range(12):
        land_order(c, f"PO-B-{n}")
        keys.append(invoice_key(c.create_invoice(f"INV-B-{n}", f"PO-B-{n}", qbo=qbo)["Id"]))
    gone = c.create_invoice("INV-B-GONE", "PO-B-0", qbo=qbo)
    qbo.delete("Invoice", gone["Id"], str(gone["SyncToken"]), request_id="test-delete-gone")
    keys.insert(5, invoice_key(gone["Id"]))
    before = usage(c.box)
    c.box.sps_faults.latency_ms = 50  # each upload takes a while, so the pool's overlap shows
    ctx = _ctx(c)
    uploads = UploadsInFlight(ctx.sps)

    outcomes = list(process_invoices(ctx, keys, invoices=True, ship_notices=True))

    assert [o.key for o in outcomes] == keys
    assert outcomes[5].note == DELETED and outcomes[5].invoice is None
    sent = [o for i, o in enumerate(outcomes) if i != 5]
    assert all(o.invoice.outcome == "sent" and o.ship_notice.outcome == "sent" for o in sent), [
        (o.key, o.errors) for o in sent if o.errors
    ]
    held = uploads_held_by_sps(c)
    assert len(held) == 24 and set(held.values()) == {1}
    assert 1 < uploads.most <= PARALLEL
    assert all(t.startswith("sps-outbound") for t in uploads.threads)  # the calling thread never uploads
    qbo_calls, _ = usage_since(c.box, before)
    # One query for the thirteen, and one read of the deleted one (absent from the query's answer,
    # so asked alone before it counts as deleted); nothing per invoice beyond that.
    assert qbo_calls["reads"] <= 2 + 1, qbo_calls  # + the partner's Customer, looked up once

    again = list(process_invoices(_ctx(c), keys, invoices=True, ship_notices=True))
    assert {o.invoice.outcome for i, o in enumerate(again) if i != 5} == {"unchanged"}
    assert len(uploads_held_by_sps(c)) == 24


@pytest.mark.parametrize("count", [101])
def test_more_than_a_query_holds_are_read_in_chunks(empty_connector: SandboxedConnector, count: int) -> None:
    c = empty_connector
    qbo = c.qbo()
    land_order(c, "PO-CHUNK")
    keys = [
        invoice_key(c.create_invoice(f"INV-C-{n}", "PO-CHUNK", shipped=False, qbo=qbo)["Id"])
        for n in range(count)
    ]
    before = usage(c.box)
    outcomes = list(process_invoices(_ctx(c), keys, invoices=True, ship_notices=False))
    assert [o.key for o in outcomes] == keys
    assert {o.invoice.outcome for o in outcomes} == {"sent"}
    qbo_calls, _ = usage_since(c.box, before)
    assert 2 <= qbo_calls["reads"] <= 3, qbo_calls  # two queries (100 + 1), the Customer at most once


def test_two_invoices_sharing_a_number_in_one_batch_send_once_and_hold_the_second(
    empty_connector: SandboxedConnector,
) -> None:
    """QBO lets two invoices share a DocNumber (unless it warns of duplicates); they name one 810.
    With the first's upload slow, the second is held as changed after it was sent, never sent beside it."""
    c = empty_connector
    qbo = c.qbo()
    land_order(c, "PO-TWIN")
    first = c.create_invoice("INV-TWIN", "PO-TWIN", shipped=False, qbo=qbo)
    second = c.create_invoice(
        "INV-TWIN", "PO-TWIN", shipped=False, quantity="3", qbo=qbo, include="allowduplicatedocnum"
    )
    keys = [invoice_key(first["Id"]), invoice_key(second["Id"])]
    # SPS slow enough that the first upload is still in flight when the second is decided.
    requests.post(
        f"{c.box.sps_url}/_sandbox/latency", json={"latency_ms": 400}, timeout=10
    ).raise_for_status()

    one, two = process_invoices(_ctx(c), keys, invoices=True, ship_notices=False)

    assert one.invoice.outcome == "sent"
    assert two.invoice.outcome == "held", two.invoice
    assert len(uploads_held_by_sps(c)) == 1
