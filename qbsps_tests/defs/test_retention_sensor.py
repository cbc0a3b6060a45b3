"""partition_retention_sensor through Dagster: finished partitions past the window leave the
instance's partition list, one a run is on stays, the ledger keeps every document; a pruned file
whose order a bookkeeper changes later comes back as a partition and gets its 855."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import dagster as dg
import sqlalchemy as sa

from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs.inbound.order_change_sensor import qbo_order_change_sensor
from qbsps_orchestration.defs.inbound.partitions import purchase_order_files
from qbsps_orchestration.defs.retention import partition_retention_sensor
from qbsps_orchestration.lib.changes import ChangeEvent
from qbsps_orchestration.lib.ledger import Direction
from qbsps_tests.sandboxed import SandboxedConnector

from .inbound.helpers import launch, order, resources, tick


def _evaluate(instance: dg.DagsterInstance, c: SandboxedConnector, sensor, cursor: str | None = None):
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources(c)) as context:
        result = sensor(context)
    if isinstance(result, dg.SensorResult):  # the daemon applies these before launching runs
        for request in result.dynamic_partitions_requests or []:
            keys = list(request.partition_keys)
            if isinstance(request, dg.DeleteDynamicPartitionsRequest):
                for key in keys:
                    instance.delete_dynamic_partition(request.partitions_def_name, key)
            else:
                instance.add_dynamic_partitions(request.partitions_def_name, keys)
    return result


def _age_ledger(c: SandboxedConnector, days: int) -> None:
    """Time passes: every document last changed `days` ago."""
    engine = sa.create_engine(c.config.ledger.url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE documents SET updated_at = :at"), {"at": datetime.now(UTC) - timedelta(days=days)}
        )
    engine.dispose()


def test_finished_partitions_leave_dagsters_list_and_come_back_when_needed(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    for po in ("PO-RET-1", "PO-RET-2"):
        c.box.sps.put_file(c.orders_folder + f"{po}.json", order(po))
    [request] = tick(instance, c, None).run_requests
    assert launch(instance, request).success
    files = instance.get_dynamic_partitions(purchase_order_files.name)
    assert files == ["PO-RET-1.json", "PO-RET-2.json"]

    assert isinstance(_evaluate(instance, c, partition_retention_sensor), dg.SkipReason)  # all recent
    _age_ledger(c, 91)
    running = dg.DagsterRun(
        job_name="inbound_purchase_orders_job",
        run_id=str(uuid.uuid4()),
        status=dg.DagsterRunStatus.STARTED,
        tags={"dagster/partition": "PO-RET-2.json"},
    )
    instance.add_run(running)
    assert isinstance(_evaluate(instance, c, partition_retention_sensor), dg.SensorResult)
    assert instance.get_dynamic_partitions(purchase_order_files.name) == ["PO-RET-2.json"]  # its run is on
    doc = c.ledger.find_document(Direction.INBOUND, "Order", "SPSALLTESTID", "PO-RET-1")
    assert doc is not None and c.ledger.audit_trail(doc.id)  # the ledger keeps everything

    # A bookkeeper changes the pruned order: its file is a partition again and its 855 goes out.
    [po] = [p for p in c.purchase_orders() if "PO-RET-1" in (p.get("PrivateNote") or "")]
    c.qbo().sparse_update("PurchaseOrder", po["Id"], {"ExpectedDate": "2026-12-20"}, request_id="ret-1")
    updated = c.qbo().read("PurchaseOrder", po["Id"])
    when = datetime.fromisoformat(updated["MetaData"]["LastUpdatedTime"])
    c.ledger.record_changes([ChangeEvent(c.config.qbo.realm_id, "PurchaseOrder", po["Id"], "Update", when)])
    result = _evaluate(instance, c, qbo_order_change_sensor)
    [again] = result.run_requests
    assert "PO-RET-1.json" in instance.get_dynamic_partitions(purchase_order_files.name)
    run = defs().resolve_job_def("order_acks_job").execute_in_process(instance=instance, tags=again.tags)
    assert run.success
    acks = [h["path"] for h in c.box.sps.history() if h["direction"] == "inbound"]
    assert "/in/PRPO-RET-1-SPSALLTESTID-v7.7-r2.json" in acks
