"""A failed invoice's reason on its own partition pages (dagster_support/waiting_partitions.py): an
observation of each document it failed to send, on exactly the partitions Dagster shows failed;
`qbo_invoices` keeps only the lineage observations of the QBO versions read, with their version."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from qbsps_orchestration.dagster_support.lineage import DATA_VERSION_TAG, latest
from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs.outbound.partitions import qbo_invoices
from qbsps_orchestration.defs.outbound.sensors import qbo_webhook_sensor
from qbsps_orchestration.lib.changes import ChangeEvent
from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_tests.sandboxed import SandboxedConnector

from ..inbound.helpers import order, resources

INVOICES, SHIP_NOTICES = dg.AssetKey("sps_invoices"), dg.AssetKey("sps_ship_notices")
QBO_INVOICES = dg.AssetKey("qbo_invoices")


def _observations(instance: dg.DagsterInstance, key: dg.AssetKey) -> list[dg.AssetObservation]:
    records = instance.fetch_observations(dg.AssetRecordsFilter(asset_key=key), limit=100).records
    return [r.asset_observation for r in records if r.asset_observation is not None]


def test_only_the_failed_invoice_partitions_are_observed_with_their_reason(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    c.box.sps.put_file(c.orders_folder + "PO-F1.json", order("PO-F1"))
    fetch_order_file(c.config, c.ledger, c.sps(), "PO-F1.json")
    sync_order_file(c.config, c.ledger, c.qbo(), "PO-F1.json")
    good = c.create_invoice("INV-F1", "PO-F1")  # shipped: an 810 and an 856
    stranger = c.qbo().create("Customer", {"DisplayName": "Cash Sale"}, request_id="cust-cash-f")
    bad = c.create_invoice("INV-F2", "PO-F1", customer_id=stranger["Id"])
    now = datetime.now(UTC)
    realm = c.config.qbo.realm_id
    c.ledger.record_changes(
        [ChangeEvent(realm, "Invoice", i["Id"], "Create", now, f"f{i['Id']}") for i in (good, bad)]
    )
    with dg.build_sensor_context(instance=instance, resources=resources(c)) as context:
        result = qbo_webhook_sensor(context)
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    [request] = result.run_requests
    run = (
        defs()
        .resolve_job_def("outbound_documents_job")
        .execute_in_process(instance=instance, tags=request.tags, raise_on_error=False)
    )
    assert not run.success
    keys = [f"invoice-{good['Id']}", f"invoice-{bad['Id']}"]
    for asset in (INVOICES, SHIP_NOTICES):  # observed exactly where Dagster shows a failed partition
        status = instance.get_status_by_partition(asset, keys, qbo_invoices)
        failed = {k for k, v in status.items() if v is not None and v.value == "FAILED"}
        assert failed == {keys[1]}, asset
        assert {o.partition for o in _observations(instance, asset)} == failed, asset

    [failure] = [e for e in run.all_events if e.is_step_failure]
    [entry] = failure.step_failure_data.user_failure_data.metadata["failed"].value
    [observed] = _observations(instance, INVOICES)
    meta = {k: v.value for k, v in observed.metadata.items()}
    assert entry["file"] == keys[1] and meta["reason"] == entry["reason"]
    assert "Cash Sale" in str(meta["reason"]) and meta["what_to_do"] == entry["what_to_do"]
    assert f"this partition (`{keys[1]}`)" in str(meta["rerun"])
    assert observed.tags.get(DATA_VERSION_TAG) is None  # never taken for a version

    # qbo_invoices: the lineage observation of the invoice read for the good one, with its version;
    # nothing of the failed one, whose sps_invoices partition has no version either.
    lineage = _observations(instance, QBO_INVOICES)
    assert [o.partition for o in lineage] == [keys[0]] and lineage[0].tags.get(DATA_VERSION_TAG)
    assert latest(instance, QBO_INVOICES, keys[1], observed=True) is None
    assert latest(instance, INVOICES, keys[1], observed=False) is None
    assert latest(instance, INVOICES, keys[0], observed=False) is not None
