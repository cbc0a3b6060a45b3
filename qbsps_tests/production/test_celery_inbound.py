"""SPS orders → QBO PurchaseOrders through the Celery executor: two runs at once, their steps on two
`dagster-celery worker` processes, Dagster and the ledger on PostgreSQL; counted on the sandbox."""

from __future__ import annotations

import pytest

from qbsps_orchestration.defs.inbound.partitions import purchase_order_files
from qbsps_orchestration.lib.qbo.limiter import QBO_REQUEST_LIMITS
from qbsps_tests.defs.inbound.helpers import order

from .counts import (
    QBO_PER_SECOND,
    ClaimWatcher,
    assert_each_order_landed_once,
    oauth_refreshes,
    qbo_usage,
)
from .deployment import LEDGER_SCHEMA, Deployment
from .steps import overlapped, step_windows, workers_by_run

pytestmark = pytest.mark.services
JOB = "inbound_purchase_orders_job"


def put_orders(production: Deployment, numbers: list[str]) -> list[str]:
    files = [f"{po}.json" for po in numbers]
    for po, name in zip(numbers, files, strict=True):
        production.box.sps.put_file(production.connector.orders_folder + name, order(po))
    with production.instance() as instance:
        instance.add_dynamic_partitions(purchase_order_files.name, files)
    return files


@pytest.mark.parametrize("production", ["rabbitmq", "redis"], indirect=True)
def test_two_workers_land_each_order_once_within_one_throttle_and_one_refresh(production: Deployment) -> None:
    numbers = [f"PO-C{i}" for i in range(1, 21)]
    files = put_orders(production, numbers)
    realm = production.connector.config.qbo.realm_id
    assert oauth_refreshes(production.box) == 0  # a fresh ledger: no token yet, the runs need one at once

    with ClaimWatcher(production.database_url, LEDGER_SCHEMA, f"qbo:requests:{realm}") as claims:
        runs = {"a": production.launch(JOB, files[:10], "a"), "b": production.launch(JOB, files[10:], "b")}
        production.start_workers_once_queued(runs)
        statuses = production.wait(runs)

    assert statuses == {"a": "SUCCESS", "b": "SUCCESS"}, production.run_log("a") + production.run_log("b")
    # Counted on the sandbox: each order landed once.
    assert_each_order_landed_once(production.box, production.connector.orders_folder, numbers)
    # The steps ran on both workers, at the same time as each other.
    with production.instance() as instance:
        ran_on, windows = workers_by_run(instance), step_windows(instance)
    assert {worker for workers in ran_on.values() for worker in workers} == {"w1", "w2"}, ran_on
    assert overlapped(windows), windows
    # One token refresh for both workers (the ledger's lease), and one throttle: every QBO call the
    # sandbox served was claimed from the company's budget, never more than its per-second limit.
    assert oauth_refreshes(production.box) == 1
    usage = qbo_usage(production.box, realm)
    served = usage["reads"] + usage["writes"] + usage["batch_calls"]
    assert usage["throttled"] == 0
    assert len(claims.claims) >= served > 0
    per_second = QBO_REQUEST_LIMITS[0][0]  # 8 a second, under QBO's 10
    assert claims.busiest_second() <= per_second < QBO_PER_SECOND
