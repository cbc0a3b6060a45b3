"""Two companies sync at the same time in one deployment (one Dagster instance on PostgreSQL, one
companies folder, the same order file names in both mailboxes) without crossing data, each within
its own QBO throttle; counted on each company's sandbox, in each ledger and in the instance."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import create_engine, text

from qbsps_orchestration.dagster_support.names import TAG_COMPANY
from qbsps_orchestration.lib.qbo.limiter import QBO_REQUEST_LIMITS
from qbsps_tests.defs.inbound.helpers import GOOD_LINE, order

from .companies import REALMS, CompaniesDeployment, two_companies
from .counts import QBO_PER_SECOND, ClaimWatcher, accepted_uploads, purchase_orders_by_number, qbo_usage

pytestmark = [pytest.mark.services, pytest.mark.long]
JOB = "inbound_purchase_orders_job"
NUMBERS = [f"PO-{i}" for i in range(1, 11)]
FILES = [f"{po}.json" for po in NUMBERS]
QUANTITY = {"acme": 3, "globex": 7}  # the only difference between the two companies' orders


@pytest.fixture()
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CompaniesDeployment]:
    with two_companies(tmp_path, monkeypatch) as running:
        yield running


def test_two_companies_sync_at_once_without_crossing_each_within_its_throttle(
    deployment: CompaniesDeployment,
) -> None:
    with deployment.instance() as instance:
        for name, company in deployment.companies.items():
            line = {**GOOD_LINE, "OrderQty": QUANTITY[name]}
            for po, file in zip(NUMBERS, FILES, strict=True):
                company.box.sps.put_file(company.connector.orders_folder + file, order(po, [line]))
            instance.add_dynamic_partitions(f"{name}__sps_purchase_order_files", FILES)

    with (
        ClaimWatcher(deployment.database_url, "ledger_acme", f"qbo:requests:{REALMS['acme']}") as acme,
        ClaimWatcher(deployment.database_url, "ledger_globex", f"qbo:requests:{REALMS['globex']}") as globex,
    ):
        runs = {name: deployment.launch(name, JOB, FILES) for name in deployment.companies}
        deployment.wait(runs)
    claims = {"acme": acme, "globex": globex}

    for name, company in deployment.companies.items():
        box, realm = company.box, REALMS[name]
        # Each company's QBO holds its own ten orders, once each, at its own quantity.
        assert purchase_orders_by_number(box) == dict.fromkeys(NUMBERS, 1), name
        quantities = {
            line["ItemBasedExpenseLineDetail"]["Qty"]
            for po in box.qbo.find("PurchaseOrder")
            for line in po["Line"]
            if "ItemBasedExpenseLineDetail" in line
        }
        assert quantities == {Decimal(QUANTITY[name])}, (name, quantities)
        # Its SPS account got its own ten acknowledgments, and its mailbox is empty.
        assert accepted_uploads(box, "PR") == {f"PR{po}-SPSALLTESTID-v7.7.json": 1 for po in NUMBERS}
        assert box.sps.list_files(company.connector.orders_folder) == []
        # Its ledger points at its own company's PurchaseOrders, and drew only on its own budget.
        in_qbo = {po["Id"] for po in box.qbo.find("PurchaseOrder")}
        assert _ledger_qbo_ids(deployment, company.schema) == in_qbo
        assert _budgets(deployment, company.schema) <= {f"qbo:requests:{realm}", f"qbo:batch:{realm}"}
        # Within its own throttle: QBO refused none of its calls, and no second held more than the
        # company's own per-second budget.
        usage = qbo_usage(box, realm)
        assert usage["throttled"] == 0, (name, usage)
        assert 0 < claims[name].busiest_second() <= QBO_REQUEST_LIMITS[0][0] < QBO_PER_SECOND

    with deployment.instance() as instance:
        runs_by_company = {
            run.tags.get(TAG_COMPANY): run for run in instance.get_runs() if run.job_name == JOB
        }
        assert set(runs_by_company) == set(REALMS)
        for name in REALMS:
            # The instance keeps each company's partitions and materializations under its own name.
            assert instance.get_dynamic_partitions(f"{name}__sps_purchase_order_files") == FILES
            key = dg.AssetKey([name, "qbo_purchase_orders"])
            assert instance.get_materialized_partitions(key) == set(FILES), name
        assert not instance.get_dynamic_partitions("sps_purchase_order_files")
        assert not instance.get_materialized_partitions(dg.AssetKey("qbo_purchase_orders"))
        # The two runs were under way at the same time.
        stats = {name: instance.get_run_stats(run.run_id) for name, run in runs_by_company.items()}
    assert stats["acme"].start_time < stats["globex"].end_time
    assert stats["globex"].start_time < stats["acme"].end_time


def _ledger_qbo_ids(deployment: CompaniesDeployment, schema: str) -> set[str]:
    engine = create_engine(deployment.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(f"SELECT qbo_id FROM \"{schema}\".documents WHERE direction = 'inbound'")
            ).all()
    finally:
        engine.dispose()
    return {row.qbo_id for row in rows}


def _budgets(deployment: CompaniesDeployment, schema: str) -> set[str]:
    engine = create_engine(deployment.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(f'SELECT DISTINCT budget FROM "{schema}".request_claims')).all()
    finally:
        engine.dispose()
    return {row.budget for row in rows}
