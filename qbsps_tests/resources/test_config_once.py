"""The config file is read and validated once per run and once per sensor tick, through the real
definitions (their resource bindings, a real job run and the daemon's way of building a sensor's
resources), against the sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import dagster as dg
import pytest

from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs.reference.assets import UNPARTITIONED_REFERENCE
from qbsps_orchestration.lib.changes import ChangeEvent
from qbsps_orchestration.lib.config import loader
from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_tests.defs.inbound.helpers import launch, order
from qbsps_tests.sandboxed import SandboxedConnector


@contextmanager
def validations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every validation `load_config` runs (the real one, counted on its way through)."""
    seen: list[object] = []
    validate: Callable[..., Any] = loader.config_from_mapping

    def counted(data: Any, *, source: Any = None) -> Any:
        seen.append(source)
        return validate(data, source=source)

    monkeypatch.setattr(loader, "config_from_mapping", counted)
    try:
        yield seen
    finally:
        monkeypatch.setattr(loader, "config_from_mapping", validate)


def sensor_tick(instance: dg.DagsterInstance, name: str) -> list[dg.RunRequest]:
    """One tick as the code server evaluates it (dagster/_grpc/impl.py): the sensor's resources
    built from the definitions' bindings, then evaluate_tick; partition requests applied after."""
    repository = defs().get_repository_def()
    sensor = repository.get_sensor_def(name)
    wanted = {"qbsps_config", *sensor.required_resource_keys}
    bound = {k: v for k, v in repository.get_top_level_resources().items() if k in wanted}
    with dg.build_sensor_context(instance=instance, repository_def=repository, resources=bound) as context:
        data = sensor.evaluate_tick(context)
    for request in data.dynamic_partitions_requests or []:  # the daemon applies these first
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return list(data.run_requests or [])


def test_a_sensor_tick_and_a_job_run_each_validate_the_config_once(
    empty_connector: SandboxedConnector, monkeypatch: pytest.MonkeyPatch, report_measurement
) -> None:
    c = empty_connector
    c.box.sps.put_file(c.orders_folder + "PO1.json", order("PO1"))
    defs()  # loading the definitions reads the polling interval; not part of a tick or a run
    with dg.instance_for_test() as instance:
        with validations(monkeypatch) as tick_loads:
            [request] = sensor_tick(instance, "sps_purchase_order_sensor")

        with validations(monkeypatch) as run_loads:
            result = launch(instance, request)
        assert result.success and len(c.purchase_orders()) == 1
        steps = [e for e in result.all_events if e.event_type_value == "STEP_SUCCESS"]
    report_measurement(f"validations: {len(tick_loads)} per tick, {len(run_loads)} per {len(steps)}-step run")
    assert len(tick_loads) == 1
    assert len(run_loads) == 1
    assert set(run_loads) == {c.config_path.resolve()}


def test_outbound_and_multi_step_runs_validate_the_config_once(
    empty_connector: SandboxedConnector, monkeypatch: pytest.MonkeyPatch, report_measurement
) -> None:
    c = empty_connector
    c.box.sps.put_file(c.orders_folder + "PO-O1.json", order("PO-O1"))
    fetch_order_file(c.config, c.ledger, c.sps(), "PO-O1.json")
    sync_order_file(c.config, c.ledger, c.qbo(), "PO-O1.json")
    invoice = c.create_invoice("INV-O1", "PO-O1")
    when = datetime.fromisoformat(invoice["MetaData"]["LastUpdatedTime"])
    realm = c.config.qbo.realm_id
    c.ledger.record_changes([ChangeEvent(realm, "Invoice", invoice["Id"], "Create", when, "e1")])
    job = defs().resolve_job_def("outbound_documents_job")
    with dg.instance_for_test() as instance:
        with validations(monkeypatch) as tick_loads:
            [request] = sensor_tick(instance, "qbo_webhook_sensor")
        with validations(monkeypatch) as run_loads:
            result = job.execute_in_process(
                instance=instance, tags=request.tags, partition_key=request.partition_key
            )
        assert result.success
        with validations(monkeypatch) as reference_loads:  # QBO reference data, then the cross-reference
            reference = (
                defs()
                .resolve_job_def("qbo_reference_job")
                .execute_in_process(instance=instance, asset_selection=UNPARTITIONED_REFERENCE)
            )
        steps = [e for e in reference.all_events if e.event_type_value == "STEP_SUCCESS"]
    report_measurement(
        f"validations: {len(tick_loads)} per webhook tick, {len(run_loads)} per outbound run, "
        f"{len(reference_loads)} per {len(steps)}-step reference run"
    )
    assert reference.success and len(steps) > 1
    assert (len(tick_loads), len(run_loads), len(reference_loads)) == (1, 1, 1)
