"""Issue 9, change inbox through Dagster: the sensor only reads and requests, the run that processed
an invoice marks its changes handled; a second tick never doubles a queued run, a failed or vanished
run is asked for again, and CDC reopens a handled change whose documents never reached SPS."""

from __future__ import annotations

import uuid
from datetime import datetime

import dagster as dg

from qbsps_orchestration.defs.outbound.sensors import qbo_webhook_sensor
from qbsps_orchestration.lib.changes import ChangeEvent
from qbsps_tests.lib.outbound.landed_orders import land_order
from qbsps_tests.sandboxed import SandboxedConnector

from .test_outbound import _launch, _uploads, poll_cdc
from .test_outbound import _tick as _evaluate

RUN_KEY_TAG, SENSOR_NAME_TAG = "dagster/run_key", "dagster/sensor_name"


def _webhook(c: SandboxedConnector, invoice: dict, event_id: str) -> None:
    when = datetime.fromisoformat(invoice["MetaData"]["LastUpdatedTime"])
    c.ledger.record_changes(
        [ChangeEvent(c.config.qbo.realm_id, "Invoice", invoice["Id"], "Create", when, event_id)]
    )


def _tick(instance: dg.DagsterInstance, c: SandboxedConnector, sensor, cursor: str | None = None):
    """One evaluation; the next cursor is the one the sensor returned (a SensorResult's own)."""
    result, updated = _evaluate(instance, c, sensor, cursor)
    if isinstance(result, dg.SensorResult) and result.cursor is not None:
        updated = result.cursor
    return result, updated


def _create_run(instance: dg.DagsterInstance, request: dg.RunRequest) -> dg.DagsterRun:
    """What the daemon does with a sensor's request: a run carrying its run key, created and
    waiting for a worker (NOT_STARTED: QUEUED would need a code location to launch from)."""
    tags = {**request.tags, RUN_KEY_TAG: request.run_key or "", SENSOR_NAME_TAG: "qbo_webhook_sensor"}
    run = dg.DagsterRun(
        job_name="outbound_documents_job",
        run_id=str(uuid.uuid4()),
        status=dg.DagsterRunStatus.NOT_STARTED,
        tags=tags,
    )
    return instance.add_run(run)


def test_a_tick_marks_nothing_and_a_queued_run_is_not_requested_twice(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    land_order(c, "PO-Q1")
    invoice = c.create_invoice("INV-Q1", "PO-Q1")
    _webhook(c, invoice, "evt-q1")

    first, cursor = _tick(instance, c, qbo_webhook_sensor)
    [request] = first.run_requests
    assert [r.entity_id for r in c.ledger.pending_changes()] == [invoice["Id"]]  # the tick sent nothing
    queued = _create_run(instance, request)

    second, cursor = _tick(instance, c, qbo_webhook_sensor, cursor)
    assert not second.run_requests  # its run has not even started
    instance.report_run_failed(queued, "the run worker died")
    third, cursor = _tick(instance, c, qbo_webhook_sensor, cursor)
    [again] = third.run_requests  # failed without sending: asked for again, under a new run key
    assert again.run_key != request.run_key and again.partition_key == f"invoice-{invoice['Id']}"

    assert _launch(instance, again).success
    assert c.ledger.pending_changes() == []  # the run that sent the 810 and 856 marked it
    assert _uploads(c) == {
        "ININV-Q1-SPSALLTESTID-v7.7.json": "accepted",
        "SHINV-Q1-SPSALLTESTID-v7.7.json": "accepted",
    }
    last, _ = _tick(instance, c, qbo_webhook_sensor, cursor)
    assert not last.run_requests


def test_a_run_that_vanished_is_requested_again(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    land_order(c, "PO-Q2")
    invoice = c.create_invoice("INV-Q2", "PO-Q2", shipped=False)
    _webhook(c, invoice, "evt-q2")
    first, cursor = _tick(instance, c, qbo_webhook_sensor)
    assert len(first.run_requests) == 1  # never launched (the daemon stopped before it)
    second, _ = _tick(instance, c, qbo_webhook_sensor, cursor)
    assert [r.partition_key for r in second.run_requests] == [f"invoice-{invoice['Id']}"]


def test_cdc_reopens_a_handled_change_whose_documents_never_reached_sps(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    land_order(c, "PO-R1")
    invoice = c.create_invoice("INV-R1", "PO-R1")
    _webhook(c, invoice, "evt-r1")
    [row] = c.ledger.pending_changes()
    c.ledger.mark_changes_handled([row.id], run_id="a-run-that-never-sent")  # the old, lossy marking
    nothing, cursor = _tick(instance, c, qbo_webhook_sensor)
    assert not nothing.run_requests

    assert poll_cdc(instance).success
    assert [r.id for r in c.ledger.pending_changes()] == [row.id]  # reopened, still one row
    result, cursor = _tick(instance, c, qbo_webhook_sensor, cursor)
    [request] = result.run_requests
    assert _launch(instance, request).success
    assert sorted(_uploads(c)) == ["ININV-R1-SPSALLTESTID-v7.7.json", "SHINV-R1-SPSALLTESTID-v7.7.json"]

    # Now sent: the same CDC report leaves it handled, and nothing is asked for again.
    assert poll_cdc(instance).success
    assert c.ledger.pending_changes() == []
    assert not _tick(instance, c, qbo_webhook_sensor, cursor)[0].run_requests
