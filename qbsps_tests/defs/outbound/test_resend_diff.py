"""A changed document's partition shows, field by field, what changed against the version sent
before: an 810/856 on the observation of the held run and on the materialization of the re-send,
an updated 855 on its materialization."""

from __future__ import annotations

from decimal import Decimal

import dagster as dg

from qbsps_orchestration.dagster_support.names import TAG_RESEND
from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs.outbound.partitions import qbo_invoices
from qbsps_orchestration.defs.reference.assets import qbo_reference_cdc_schedule
from qbsps_orchestration.defs.reference.registries import SPS_ITEM_REGISTRIES
from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_tests.sandboxed import SandboxedConnector

from ..inbound.helpers import ACK_KEY, latest_metadata, launch, order, resources, tick

INVOICES, SHIP_NOTICES = dg.AssetKey("sps_invoices"), dg.AssetKey("sps_ship_notices")
QTY = "LineItem[BuyerPartNumber=SPSBuyerItem1].InvoiceLine.InvoiceQty"  # the order numbers no line


def _run(instance: dg.DagsterInstance, key: str, tags: dict[str, str] | None = None) -> bool:
    return _execute(instance, key, tags).success


def _execute(
    instance: dg.DagsterInstance, key: str, tags: dict[str, str] | None = None
) -> dg.ExecuteInProcessResult:
    job = defs().resolve_job_def("outbound_documents_job")
    return job.execute_in_process(instance=instance, partition_key=key, tags=tags or {}, raise_on_error=False)


def _events(instance: dg.DagsterInstance, asset: dg.AssetKey, key: str, *, observed: bool) -> list:
    records_filter = dg.AssetRecordsFilter(asset_key=asset, asset_partitions=[key])
    fetch = instance.fetch_observations if observed else instance.fetch_materializations
    records = fetch(records_filter, limit=100).records
    return [r.asset_observation if observed else r.asset_materialization for r in records]


def _rows(metadata: dict) -> dict[str, tuple[str, str]]:
    return {r.data["field"]: (r.data["before"], r.data["after"]) for r in metadata["diff"].value.records}


def test_a_held_and_then_resent_invoice_carries_its_diff_in_the_partition_metadata(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    c.box.sps.put_file(c.orders_folder + "PO-D1.json", order("PO-D1"))
    fetch_order_file(c.config, c.ledger, c.sps(), "PO-D1.json")
    sync_order_file(c.config, c.ledger, c.qbo(), "PO-D1.json")
    invoice = c.create_invoice("INV-D1", "PO-D1")
    key = f"invoice-{invoice['Id']}"
    instance.add_dynamic_partitions(qbo_invoices.name, [key])
    assert _run(instance, key)
    [first] = _events(instance, INVOICES, key, observed=False)
    assert "diff" not in first.metadata  # the first version: nothing was sent before it

    [line, *rest] = invoice["Line"]
    detail = {**line["SalesItemLineDetail"], "Qty": Decimal("3")}
    changed = {**line, "SalesItemLineDetail": detail, "Amount": Decimal("60.00")}
    c.qbo().sparse_update("Invoice", invoice["Id"], {"Line": [changed, *rest]}, request_id="inv-d1-qty")
    held_run = _execute(instance, key)  # held: changed after it was sent
    [failure] = [e for e in held_run.all_events if e.is_step_failure]
    reasons = failure.step_failure_data.user_failure_data.metadata["reasons"].value
    assert not held_run.success and "what changed: qbsps diff " in reasons  # where to look
    [held] = [e for e in _events(instance, INVOICES, key, observed=True) if "diff" in e.metadata]
    assert held.metadata["outcome"].value == "held"
    rows = _rows(held.metadata)
    assert rows[QTY] == ("4", "3")
    assert held.metadata["diff_count"].value == len(rows) and "TradingPartnerId" not in str(rows)

    assert _run(instance, key, {TAG_RESEND: "true"})
    resent = _events(instance, INVOICES, key, observed=False)[0]  # newest first
    assert resent.metadata["outcome"].value == "resent"
    assert _rows(resent.metadata) == rows
    assert resent.metadata["diff_count"].value == len(rows)
    assert "qbsps diff " in resent.metadata["diff_against"].value
    ship_notice = _events(instance, SHIP_NOTICES, key, observed=False)[0]
    carton = "OrderLevel[PurchaseOrderNumber=PO-D1].PackLevel[ShippingSerialID=00006141410000000012]"
    shipped = _rows(ship_notice.metadata)
    assert shipped[f"{carton}.ItemLevel[LineSequenceNumber=1].ShipmentLine.ShipQty"] == ("4", "3")
    assert shipped["Header.QuantityTotals[QuantityTotalsQualifier=SQT].Quantity"] == ("4", "3")


def test_an_updated_855_carries_its_diff_against_the_one_sent(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    c.box.sps.put_file(c.orders_folder + "PO-D2.json", order("PO-D2"))
    [request] = tick(instance, c, None).run_requests
    assert launch(instance, request).success  # fetched, in QBO, acknowledged once
    assert "diff" not in latest_metadata(instance, ACK_KEY, "PO-D2.json")

    [po] = c.purchase_orders()  # the bookkeeper: 2 of the 4
    line = po["Line"][0]
    detail = {**line["ItemBasedExpenseLineDetail"], "Qty": 2}
    change = {"Line": [{**line, "Amount": Decimal("40.00"), "ItemBasedExpenseLineDetail": detail}]}
    c.qbo().sparse_update("PurchaseOrder", po["Id"], change, request_id="bk-d2")
    job = defs().resolve_job_def("order_acks_job")
    assert job.execute_in_process(instance=instance, partition_key="PO-D2.json").success

    metadata = latest_metadata(instance, ACK_KEY, "PO-D2.json")
    rows = {r.data["field"]: (r.data["before"], r.data["after"]) for r in metadata["diff"].records}
    status = "LineItem[BuyerPartNumber=SPSBuyerItem1].LineItemAcknowledgement[1]"
    assert rows[f"{status}.ItemScheduleQty"] == ("4", "2")
    assert rows["Header.OrderHeader.TsetPurposeCode"] == ("00", "05")
    assert metadata["diff_count"] == len(rows)


def test_a_changed_catalog_carries_its_diff_against_the_catalog_sent(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    with dg.build_schedule_context(instance=instance, resources=resources(c)) as context:
        request = qbo_reference_cdc_schedule(context)
    assert isinstance(request, dg.RunRequest)
    refresh = defs().resolve_job_def("qbo_reference_job")
    assert refresh.execute_in_process(
        instance=instance, tags=request.tags, asset_selection=request.asset_selection
    ).success  # the first catalog of each partner
    assert "diff" not in latest_metadata(instance, SPS_ITEM_REGISTRIES, "SPSALLTESTID")

    item = c.box.qbo.find("Item", Name="HD-20 Sample Item 1")[0]
    c.qbo().sparse_update("Item", item["Id"], {"UnitPrice": "24.50"}, request_id="new-price")
    job = defs().resolve_job_def("item_registries_job")
    assert job.execute_in_process(
        instance=instance, partition_key="SPSALLTESTID", asset_selection=[SPS_ITEM_REGISTRIES]
    ).success
    metadata = latest_metadata(instance, SPS_ITEM_REGISTRIES, "SPSALLTESTID")
    rows = [(r.data["field"], r.data["before"], r.data["after"]) for r in metadata["diff"].records]
    prices = [row for row in rows if row[0].endswith("InventoryLine.PurchasePrice")]
    assert [(before, after) for _, before, after in prices] == [("20.0", "24.5")], rows
