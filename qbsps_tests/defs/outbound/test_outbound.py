"""Outbound through real Dagster runs: inbox changes (webhook, CDC, sweep) → invoice partitions →
810 and 856 uploaded to the SPS sandbox, each once."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs.outbound.changes import qbo_invoice_changes
from qbsps_orchestration.defs.outbound.partitions import change_hours, qbo_invoices
from qbsps_orchestration.defs.outbound.sensors import qbo_webhook_sensor
from qbsps_orchestration.lib.changes import ChangeEvent
from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_tests.sandboxed import SandboxedConnector

from ..inbound.helpers import order, resources

INVOICES, SHIP_NOTICES = dg.AssetKey("sps_invoices"), dg.AssetKey("sps_ship_notices")


def _land(c: SandboxedConnector, po: str) -> None:
    c.box.sps.put_file(c.orders_folder + f"{po}.json", order(po))
    fetch_order_file(c.config, c.ledger, c.sps(), f"{po}.json")
    sync_order_file(c.config, c.ledger, c.qbo(), f"{po}.json")


def _tick(instance: dg.DagsterInstance, c: SandboxedConnector, sensor, cursor: str | None = None):
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources(c)) as context:
        result = sensor(context)
        cursor = context.cursor
    if isinstance(result, dg.SensorResult):
        for request in result.dynamic_partitions_requests or []:
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result, cursor


def _launch(instance: dg.DagsterInstance, request: dg.RunRequest) -> dg.ExecuteInProcessResult:
    job = defs().resolve_job_def("outbound_documents_job")
    kwargs = {"partition_key": request.partition_key} if request.partition_key else {}
    return job.execute_in_process(instance=instance, tags=request.tags, raise_on_error=False, **kwargs)


def poll_cdc(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """What qbo_cdc_sensor asks for: one run of qbo_cdc_job."""
    return defs().resolve_job_def("qbo_cdc_job").execute_in_process(instance=instance, raise_on_error=False)


def _uploads(c: SandboxedConnector) -> dict[str, str]:
    return {
        h["path"].rsplit("/", 1)[1]: h["status_log"][-1]["status"]
        for h in c.box.sps.history()
        if h["direction"] == "inbound" and not h["path"].rsplit("/", 1)[1].startswith("PR")
    }


def test_a_webhook_change_becomes_one_run_that_sends_810_and_856(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    c.box.clock.advance(-2 * 3600)  # the changes land in a completed hour, which the sweep can take
    _land(c, "PO-W1")
    invoice = c.create_invoice("INV-W1", "PO-W1")
    when = datetime.fromisoformat(invoice["MetaData"]["LastUpdatedTime"])
    c.ledger.record_changes(
        [ChangeEvent(c.config.qbo.realm_id, "Invoice", invoice["Id"], "Create", when, "evt-1")]
    )
    result, _ = _tick(instance, c, qbo_webhook_sensor)
    [request] = result.run_requests
    assert instance.get_dynamic_partitions(qbo_invoices.name) == [f"invoice-{invoice['Id']}"]
    assert _launch(instance, request).success
    assert _uploads(c) == {
        "ININV-W1-SPSALLTESTID-v7.7.json": "accepted",
        "SHINV-W1-SPSALLTESTID-v7.7.json": "accepted",
    }
    key = f"invoice-{invoice['Id']}"
    statuses = {
        k: instance.get_status_by_partition(k, [key], qbo_invoices)[key].value
        for k in (INVOICES, SHIP_NOTICES)
    }
    assert statuses == {INVOICES: "MATERIALIZED", SHIP_NOTICES: "MATERIALIZED"}

    # The same change again from CDC and from the hourly sweep: no new inbox row, no upload.
    assert poll_cdc(instance).success
    hour = when.astimezone(UTC).strftime("%Y-%m-%d-%H:00")
    assert dg.materialize(
        [qbo_invoice_changes], partition_key=hour, instance=instance, resources=resources(c)
    ).success
    again, _ = _tick(instance, c, qbo_webhook_sensor, "1")
    assert not again.run_requests
    assert len(_uploads(c)) == 2


def test_cdc_and_the_sweep_catch_what_webhooks_missed(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    c.box.clock.advance(-2 * 3600)  # the changes land in a completed hour, which the sweep can take
    _land(c, "PO-C1")
    first = c.create_invoice("INV-C1", "PO-C1", shipped=False)
    assert poll_cdc(instance).success
    result, cursor = _tick(instance, c, qbo_webhook_sensor)
    assert [r.tags.get("dagster/asset_partition_range_start") for r in result.run_requests] == [
        f"invoice-{first['Id']}"
    ]
    run = _launch(instance, result.run_requests[0])
    assert run.success and _uploads(c) == {"ININV-C1-SPSALLTESTID-v7.7.json": "accepted"}

    second = c.create_invoice("INV-C2", "PO-C1", shipped=False)
    hour = (
        datetime.fromisoformat(second["MetaData"]["LastUpdatedTime"])
        .astimezone(UTC)
        .strftime("%Y-%m-%d-%H:00")
    )
    assert hour in change_hours.get_partition_keys()
    sweep = dg.materialize(
        [qbo_invoice_changes], partition_key=hour, instance=instance, resources=resources(c)
    )
    assert sweep.success
    result, _ = _tick(instance, c, qbo_webhook_sensor, cursor)
    assert [r.tags.get("dagster/asset_partition_range_start") for r in result.run_requests] == [
        f"invoice-{second['Id']}"
    ]


def test_an_unmapped_customer_fails_only_its_partition(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    _land(c, "PO-U1")
    good = c.create_invoice("INV-U1", "PO-U1", shipped=False)
    stranger = c.qbo().create("Customer", {"DisplayName": "Cash Sale"}, request_id="cust-cash")
    bad = c.create_invoice("INV-U2", "PO-U1", customer_id=stranger["Id"], shipped=False)
    realm = c.config.qbo.realm_id
    now = datetime.now(UTC)
    c.ledger.record_changes(
        [ChangeEvent(realm, "Invoice", i["Id"], "Create", now, f"e{i['Id']}") for i in (good, bad)]
    )
    result, _ = _tick(instance, c, qbo_webhook_sensor)
    run = _launch(instance, result.run_requests[0])
    assert not run.success
    keys = [f"invoice-{good['Id']}", f"invoice-{bad['Id']}"]
    found = instance.get_status_by_partition(INVOICES, keys, qbo_invoices)
    assert {k: v.value for k, v in found.items()} == {keys[0]: "MATERIALIZED", keys[1]: "FAILED"}
    failure = next(e for e in run.all_events if e.is_step_failure)
    assert "Cash Sale" in str(failure.step_failure_data.user_failure_data.metadata["reasons"].value)
