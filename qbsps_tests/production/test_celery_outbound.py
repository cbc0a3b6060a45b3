"""QBO invoices → SPS 810s and 856s through the Celery executor: two runs at once on two workers,
Dagster and the ledger on PostgreSQL; counted on the sandbox's SPS."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from qbsps_orchestration.defs.outbound.partitions import qbo_invoices
from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_orchestration.lib.qbo.vault import LedgerTokenVault
from qbsps_tests.defs.inbound.helpers import order

from .counts import ClaimWatcher, accepted_uploads, oauth_refreshes, qbo_usage
from .deployment import LEDGER_SCHEMA, Deployment
from .steps import overlapped, step_windows, workers_by_run

pytestmark = pytest.mark.services
JOB = "outbound_documents_job"


def invoiced_orders(production: Deployment, count: int) -> tuple[list[str], list[str]]:
    """``count`` orders landed in QBO through the ledger, each invoiced with shipping data by the
    bookkeeper; their invoice numbers and partitions (registered, as the webhook sensor does)."""
    c = production.connector
    sps, qbo = c.sps(), c.qbo()
    numbers, keys = [], []
    for i in range(1, count + 1):
        po, name = f"PO-O{i}", f"PO-O{i}.json"
        c.box.sps.put_file(c.orders_folder + name, order(po))
        fetch_order_file(c.config, c.ledger, sps, name)
        sync_order_file(c.config, c.ledger, qbo, name)
        invoice = c.create_invoice(f"INV-O{i}", po, qbo=qbo)
        numbers.append(f"INV-O{i}")
        keys.append(f"invoice-{invoice['Id']}")
    with production.instance() as instance:
        instance.add_dynamic_partitions(qbo_invoices.name, keys)
    return numbers, keys


def expire_access_token(production: Deployment) -> None:
    """The stored access token as it is an hour later: the runs' first QBO call must refresh."""
    c = production.connector
    configured = c.config.qbo.refresh_token
    vault = LedgerTokenVault(c.ledger, c.config.qbo.realm_id, configured.resolve() if configured else None)
    tokens = vault.current()
    vault.replace(replace(tokens, access_expires_at=datetime.now(UTC) - timedelta(minutes=1)))


def test_two_workers_send_each_810_and_856_once_within_one_throttle_and_one_refresh(
    production: Deployment,
) -> None:
    numbers, keys = invoiced_orders(production, 10)
    realm = production.connector.config.qbo.realm_id
    expire_access_token(production)
    refreshed = oauth_refreshes(production.box)

    with ClaimWatcher(production.database_url, LEDGER_SCHEMA, f"qbo:requests:{realm}") as claims:
        launched = datetime.now(UTC)
        runs = {"a": production.launch(JOB, keys[:5], "a"), "b": production.launch(JOB, keys[5:], "b")}
        production.start_workers_once_queued(runs)
        statuses = production.wait(runs)

    assert statuses == {"a": "SUCCESS", "b": "SUCCESS"}, production.run_log("a") + production.run_log("b")
    assert accepted_uploads(production.box, "IN") == {f"IN{n}-SPSALLTESTID-v7.7.json": 1 for n in numbers}
    assert accepted_uploads(production.box, "SH") == {f"SH{n}-SPSALLTESTID-v7.7.json": 1 for n in numbers}
    with production.instance() as instance:
        ran_on, windows = workers_by_run(instance), step_windows(instance)
    assert {worker for workers in ran_on.values() for worker in workers} == {"w1", "w2"}, ran_on
    assert overlapped(windows), windows
    assert oauth_refreshes(production.box) == refreshed + 1  # both workers, one refresh
    assert qbo_usage(production.box, realm)["throttled"] == 0
    assert claims.since(launched) > 0  # the runs' QBO calls were claimed from the same budget
    assert claims.busiest_second() <= 8
