"""A worker SIGKILLed mid-batch loses nothing: its step's task was never acknowledged, so the broker
hands it to the other worker, which runs the step again from the ledger; the run succeeds and the
sandbox holds each order once."""

from __future__ import annotations

import dagster as dg
import pytest

from qbsps_tests.support import wait_for

from .counts import accepted_uploads, assert_each_order_landed_once, purchase_orders_by_number
from .deployment import Deployment
from .steps import workers_by_run
from .test_celery_inbound import JOB, put_orders

pytestmark = pytest.mark.services
ORDERS = 8


def test_a_worker_killed_mid_batch_loses_and_repeats_nothing(production: Deployment) -> None:
    production.connector.without_history_lag()  # an 855 a kill cut off is re-checked at once
    for faults in (production.box.qbo_faults, production.box.sps_faults):
        faults.latency_ms = 150  # each call 150 ms: a batch of four takes seconds
    numbers = [f"PO-K{i}" for i in range(1, ORDERS + 1)]
    files = put_orders(production, numbers)
    runs = {"a": production.launch(JOB, files[:4], "a"), "b": production.launch(JOB, files[4:], "b")}
    production.start_workers_once_queued(runs)

    batches = {"a": numbers[:4], "b": numbers[4:]}
    with production.instance() as instance:
        victim = wait_for(lambda: _run_of(instance, "w1"), 120, "w1 to start a step", every=0.05)
    # Midway: some of the batch's work done (its POs go in one /batch call, then its 855s), not all.
    landed = wait_for(
        lambda: 0 < (n := _progress(production, batches[victim])) < 8 and n, 120, "w1 midway", every=0.02
    )
    production.workers.kill("w1")  # its batch of four: `landed` of its 4 POs and 4 855s done
    statuses = production.wait(runs)

    assert statuses == {"a": "SUCCESS", "b": "SUCCESS"}, production.run_log("a") + production.run_log("b")
    # Counted on the sandbox: nothing lost, nothing twice.
    assert_each_order_landed_once(production.box, production.connector.orders_folder, numbers)
    # The killed worker's step was started again, by the other worker.
    with production.instance() as instance:
        ran_on = workers_by_run(instance)
    assert ran_on[victim] == ["w1", "w2"], (ran_on, landed)


def _run_of(instance: dg.DagsterInstance, worker: str) -> str | None:
    """The test run whose step ``worker`` started, once it has."""
    return next((run for run, workers in workers_by_run(instance).items() if worker in workers), None)


def _progress(production: Deployment, numbers: list[str]) -> int:
    """How many of these orders' POs are in QBO plus how many of their 855s SPS accepted (0 to 8)."""
    in_qbo, acks = purchase_orders_by_number(production.box), accepted_uploads(production.box, "PR")
    return sum((po in in_qbo) + (f"PR{po}-SPSALLTESTID-v7.7.json" in acks) for po in numbers)
