"""Issue 10: a bookkeeper's QBO change to an SPS order sends one updated 855, through the webhook
path: the sandbox QBO posts a signed webhook to the real receiver, the ledger inbox keeps it, the
sensor requests a run of order_acks_job, the run sends the 855 (05) with its per-line changes in
the partition's metadata and marks the change handled. qbsps's own writes start nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import dagster as dg
import pytest

from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs.inbound.order_change_sensor import qbo_order_change_sensor
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.lib.webhooks import WEBHOOK_PATH, webhook_app
from qbsps_orchestration.sandbox.server import ServedApp
from qbsps_tests.sandboxed import SandboxedConnector

from .helpers import ACK_KEY, latest_metadata, launch, order, resources, statuses, tick


@pytest.fixture
def webhooks(inbound: SandboxedConnector) -> Iterator[SandboxedConnector]:
    """`qbsps webhooks serve`'s app on the connector's ledger, and the sandbox QBO posting to it."""
    c = inbound
    settings = c.box.settings.qbo
    app = webhook_app(
        lambda: open_ledger(c.config, actor="webhooks"), settings.webhook_verifier_token, [settings.realm_id]
    )
    receiver = ServedApp(app, name="webhook-receiver").start()
    c.box.qbo.webhooks.url = receiver.base_url + WEBHOOK_PATH
    try:
        yield c
    finally:
        c.box.qbo.webhooks.url = None
        receiver.stop()


def _order_tick(instance: dg.DagsterInstance, c: SandboxedConnector, cursor: str | None):
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources(c)) as context:
        result = qbo_order_change_sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result, result.cursor


def _acks(c: SandboxedConnector) -> list[str]:
    return [h["path"] for h in c.box.sps.history() if h["direction"] == "inbound"]


def test_a_bookkeepers_change_sends_one_updated_855_through_the_webhook_path(
    instance: dg.DagsterInstance, webhooks: SandboxedConnector
) -> None:
    c = webhooks
    c.box.sps.put_file(c.orders_folder + "PO-BK1.json", order("PO-BK1"))
    [request] = tick(instance, c, None).run_requests
    assert launch(instance, request).success  # fetched, in QBO, acknowledged once
    c.box.qbo.webhooks.flush()
    assert c.ledger.pending_changes(("PurchaseOrder", "Estimate")) == []  # qbsps's own create: nothing
    result, cursor = _order_tick(instance, c, None)
    assert not result.run_requests
    assert _acks(c) == ["/in/PRPO-BK1-SPSALLTESTID-v7.7.json"]

    [po] = c.purchase_orders()  # the bookkeeper: 2 of the 4, and a later ship date
    line = po["Line"][0]
    detail = {**line["ItemBasedExpenseLineDetail"], "Qty": 2}
    change = {"Line": [{**line, "Amount": Decimal("40.00"), "ItemBasedExpenseLineDetail": detail}]}
    c.qbo().sparse_update(
        "PurchaseOrder", po["Id"], {**change, "ExpectedDate": "2026-12-18"}, request_id="bk-1"
    )
    c.box.qbo.webhooks.flush()
    [pending] = c.ledger.pending_changes(("PurchaseOrder", "Estimate"))
    assert (pending.entity_id, pending.operation, pending.source) == (po["Id"], "Update", "webhook")

    result, cursor = _order_tick(instance, c, cursor)
    [run] = result.run_requests
    assert run.partition_key == "PO-BK1.json"
    again, cursor = _order_tick(instance, c, cursor)
    assert not again.run_requests or again.run_requests[0].run_key != run.run_key  # never the same run twice
    job = defs().resolve_job_def("order_acks_job")
    assert job.execute_in_process(instance=instance, partition_key="PO-BK1.json", tags=run.tags).success

    assert _acks(c) == ["/in/PRPO-BK1-SPSALLTESTID-v7.7.json", "/in/PRPO-BK1-SPSALLTESTID-v7.7-r2.json"]
    [received] = c.box.sps.accepted("in/PRPO-BK1-SPSALLTESTID-v7.7-r2.json")  # what the partner got
    updated = json.loads(received)
    header, status = updated["Header"]["OrderHeader"], updated["LineItem"][0]["LineItemAcknowledgement"][0]
    assert (header["TsetPurposeCode"], header["AcknowledgementType"]) == ("05", "AC")
    assert (status["ItemStatusCode"], status["ItemScheduleQty"], status["ItemScheduleDate"]) == (
        "IC",
        2,
        "2026-12-18",
    )
    assert statuses(instance, ACK_KEY, ["PO-BK1.json"]) == {"PO-BK1.json": "MATERIALIZED"}
    table = latest_metadata(instance, ACK_KEY, "PO-BK1.json")["changes"]
    rows = [(r.data["field"], r.data["before"], r.data["after"]) for r in table.records]
    assert ("quantity", "4", "2") in rows and ("status", "IA", "IC") in rows
    assert any(field == "ship date" and after == "2026-12-18" for field, _, after in rows)
    assert c.ledger.pending_changes(("PurchaseOrder", "Estimate")) == []

    last, _ = _order_tick(instance, c, cursor)
    assert not last.run_requests
    assert len(_acks(c)) == 2
