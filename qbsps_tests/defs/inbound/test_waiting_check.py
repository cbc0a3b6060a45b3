"""The inbound flow's asset check (waiting_documents_job, every 15 minutes): an order that waits
for a person is listed with its reason, the field involved, what to do and the command that runs
it again; with nothing waiting, the check passes. `qbsps status` says the same."""

from __future__ import annotations

import dagster as dg
from click.testing import CliRunner

from qbsps_orchestration.cli import main
from qbsps_orchestration.definitions import defs
from qbsps_tests.defs.inbound.helpers import GOOD_LINE, launch, order, resources, tick
from qbsps_tests.sandboxed import SandboxedConnector

UNKNOWN_ITEM = [{**GOOD_LINE, "BuyerPartNumber": "NOPE", "ConsumerPackageCode": None}]


def _check(instance: dg.DagsterInstance, c: SandboxedConnector) -> dg.AssetCheckEvaluation:
    """What the schedule runs: waiting_documents_job, both flows' checks; the inbound one."""
    job = defs().resolve_job_def("waiting_documents_job")
    run = job.execute_in_process(instance=instance, resources=resources(c))
    assert run.success
    evaluations = {e.check_name: e for e in run.get_asset_check_evaluations()}
    assert set(evaluations) == {"orders_waiting_for_a_person", "outbound_documents_waiting_for_a_person"}
    assert evaluations["outbound_documents_waiting_for_a_person"].passed
    return evaluations["orders_waiting_for_a_person"]


def test_an_order_waiting_for_a_person_is_listed_with_what_to_do(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    c.box.sps.put_file(c.orders_folder + "PO-WAIT-1.json", order("PO-WAIT-1", UNKNOWN_ITEM))
    c.box.sps.put_file(c.orders_folder + "PO-WAIT-2.json", order("PO-WAIT-2"))
    [request] = tick(instance, c, None).run_requests
    run = launch(instance, request)
    assert not run.success  # the unknown item's partition fails; the other order went through
    # The run's failure names the partition, its field and what to do.
    [failure] = [e for e in run.all_events if e.is_step_failure]
    [entry] = failure.step_failure_data.user_failure_data.metadata["failed"].value
    assert (entry["file"], entry["field"]) == ("PO-WAIT-1.json", "LineItem[0].OrderLine")
    assert entry["what_to_do"].startswith("map the retailer's item to a QBO Item")

    evaluation = _check(instance, c)
    assert not evaluation.passed and evaluation.severity is dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["waiting"].value == 1
    table = str(evaluation.metadata["documents"].value)
    [row] = [line for line in table.splitlines() if "PO-WAIT-1" in line]
    assert "| quarantined | LineItem[0].OrderLine |" in row
    assert "unknown item" in row and "map the retailer's item to a QBO Item" in row
    [doc] = c.ledger.failed_documents()
    assert f"`qbsps replay {doc.id} --reason" in row

    status = CliRunner().invoke(main, ["status", "--config", str(c.config_path)])
    assert status.exit_code == 0, status.output
    assert "LineItem[0].OrderLine" in status.stdout  # the field column
    assert f"  {doc.id} (Order PO-WAIT-1): map the retailer's item to a QBO Item" in status.stdout
    assert f"qbsps replay {doc.id} --reason" in status.stdout


def test_with_nothing_waiting_the_check_passes(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    c.box.sps.put_file(c.orders_folder + "PO-OK-1.json", order("PO-OK-1"))
    [request] = tick(instance, c, None).run_requests
    run = launch(instance, request)
    assert run.success
    evaluation = _check(instance, c)
    assert evaluation.passed and evaluation.metadata["waiting"].value == 0
