"""The inbound assets through real Dagster runs against the sandbox over HTTP."""

from __future__ import annotations

import dagster as dg
import yaml

from qbsps_orchestration.dagster_support.names import RANGE_END, RANGE_START
from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs.inbound.assets import inbound_purchase_orders
from qbsps_orchestration.defs.inbound.partitions import purchase_order_files
from qbsps_tests.sandboxed import SandboxedConnector

from .helpers import ACK_KEY, GOOD_LINE, QBO_KEY, SPS_KEY, latest_metadata, order, resources, statuses


def _run_range(instance: dg.DagsterInstance, keys: list[str]) -> dg.ExecuteInProcessResult:
    instance.add_dynamic_partitions(purchase_order_files.name, keys)
    job = defs().resolve_job_def("inbound_purchase_orders_job")
    return job.execute_in_process(
        instance=instance, tags={RANGE_START: keys[0], RANGE_END: keys[-1]}, raise_on_error=False
    )


def test_each_file_succeeds_or_fails_alone(instance: dg.DagsterInstance, inbound: SandboxedConnector) -> None:
    files = {
        "PO1-good.json": order("PO1"),
        "PO2-unknown-item.json": order(
            "PO2", [{**GOOD_LINE, "BuyerPartNumber": "NOPE", "ConsumerPackageCode": None}]
        ),
        "PO3-broken.xml": b"<Order><Header>",
        "PO4-good.json": order("PO4"),
    }
    for name, raw in files.items():
        inbound.box.sps.put_file(inbound.orders_folder + name, raw)
    keys = list(files)
    result = _run_range(instance, keys)
    assert not result.success
    assert statuses(instance, SPS_KEY, keys) == {
        "PO1-good.json": "MATERIALIZED",
        "PO2-unknown-item.json": "MATERIALIZED",
        "PO3-broken.xml": "FAILED",
        "PO4-good.json": "MATERIALIZED",
    }
    assert statuses(instance, QBO_KEY, keys) == {
        "PO1-good.json": "MATERIALIZED",
        "PO2-unknown-item.json": "FAILED",
        "PO3-broken.xml": "FAILED",
        "PO4-good.json": "MATERIALIZED",
    }
    # Both partners want order acks (the sandbox config says so): the landed orders got one each.
    acks = statuses(instance, ACK_KEY, keys)
    assert acks["PO1-good.json"] == acks["PO4-good.json"] == "MATERIALIZED"
    uploads = {
        h["path"].rsplit("/", 1)[1]: h["status_log"][-1]["status"]
        for h in inbound.box.sps.history()
        if h["direction"] == "inbound"
    }
    assert uploads == {"PRPO1-SPSALLTESTID-v7.7.json": "accepted", "PRPO4-SPSALLTESTID-v7.7.json": "accepted"}
    failure = next(e for e in result.all_events if e.is_step_failure)
    reasons = str(failure.step_failure_data.user_failure_data.metadata["reasons"].value)
    assert (
        "PO2-unknown-item.json: LineItem[0].OrderLine: unknown item" in reasons
        and "PO3-broken.xml" in reasons
    )

    meta = latest_metadata(instance, QBO_KEY, "PO1-good.json")
    po = inbound.box.qbo.find("PurchaseOrder", Id=str(meta["qbo_id"]))[0]
    assert (meta["trading_partner"], meta["po_number"], meta["outcome"]) == ("SPSALLTESTID", "PO1", "created")
    assert meta["sync_token"] == po["SyncToken"] and meta["lines"] == 1 and meta["total"] == "80.00"
    assert str(meta["ledger"]).startswith("qbsps status --document ")


def test_rematerializing_a_failed_partition_replays_that_document(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    inbound.box.sps.put_file(
        inbound.orders_folder + "PO7.json",
        order("PO7", [{"BuyerPartNumber": "NEW-7", "OrderQty": 2, "PurchasePrice": 3}]),
    )
    inbound.box.sps.put_file(inbound.orders_folder + "PO8.json", order("PO8"))
    assert not _run_range(instance, ["PO7.json", "PO8.json"]).success
    # The operator maps the item, then re-materializes only the failed partition (as from the UI).
    item = inbound.box.qbo.find("Item", Name="HD-20 Sample Item 1")[0]
    data = yaml.safe_load(inbound.config_path.read_text())
    data["items"].append({"qbo_item": {"id": item["Id"]}, "buyer_part_number": "NEW-7"})
    inbound.config_path.write_text(yaml.safe_dump(data))
    job = defs().resolve_job_def("inbound_purchase_orders_job")
    replay = job.execute_in_process(instance=instance, partition_key="PO7.json", raise_on_error=False)
    assert replay.success
    assert statuses(instance, QBO_KEY, ["PO7.json", "PO8.json"]) == {
        "PO7.json": "MATERIALIZED",
        "PO8.json": "MATERIALIZED",
    }
    assert len(inbound.purchase_orders()) == 2
    # Replaying a partition that already landed changes nothing in QBO.
    again = job.execute_in_process(instance=instance, partition_key="PO8.json")
    assert again.success and len(inbound.purchase_orders()) == 2
    assert latest_metadata(instance, QBO_KEY, "PO8.json")["outcome"] == "up to date"


def test_only_the_qbo_asset_can_be_rematerialized(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    inbound.box.sps.put_file(inbound.orders_folder + "PO9.json", order("PO9"))
    assert _run_range(instance, ["PO9.json"]).success
    subset = dg.materialize(
        [inbound_purchase_orders],
        selection=[QBO_KEY],
        instance=instance,
        partition_key="PO9.json",
        resources=resources(inbound),
    )
    assert subset.success
    assert [e.asset_key for e in subset.get_asset_materialization_events()] == [QBO_KEY]
