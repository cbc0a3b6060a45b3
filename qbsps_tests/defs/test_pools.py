"""Each op holds the pool of the APIs whose clients it requires, so a pool's limit bounds exactly
the ops that call those APIs; pools are per company when the config names the company."""

from __future__ import annotations

import dagster as dg
import pytest
import yaml

from qbsps_orchestration.dagster_support.names import QBO_API, SPS_API, api_pool, company_at_load
from qbsps_orchestration.definitions import defs
from qbsps_tests.support import offline_config_data

# What each op calls, read from its code (the clients it opens), not from its pool.
CALLS = {
    "inbound_purchase_orders": {SPS_API, QBO_API},  # fetch + acknowledge on SPS, upsert in QBO
    "outbound_invoice_documents": {QBO_API, SPS_API},  # read the invoice, upload the 810/856
    "sps_item_registries": {QBO_API, SPS_API},  # read QBO items, upload the registries
    "qbo_reference_data": {QBO_API},
    "qbo_invoice_changes": {QBO_API},
    "poll_qbo_cdc": {QBO_API},
    "reconciliation": {QBO_API, SPS_API},  # query QBO's documents, read SPS's upload history
    "deadlines": {QBO_API},  # read QBO's shipped invoices
}


def _ops() -> dict[str, dg.OpDefinition]:
    repository = defs().get_repository_def()
    return {op.name: op for job in repository.get_all_jobs() for op in job.graph.iterate_op_defs()}


def test_every_op_holds_the_pool_of_the_apis_it_calls() -> None:
    ops = _ops()
    apis = {name: set(op.required_resource_keys) & {QBO_API, SPS_API} for name, op in ops.items()}
    assert {name: called for name, called in apis.items() if called} == CALLS
    company = company_at_load()
    assert {name: ops[name].pool for name in CALLS} == {
        name: api_pool(called, company) for name, called in CALLS.items()
    }
    assert {name: op.pool for name, op in ops.items() if name not in CALLS} == {
        name: None for name in ops if name not in CALLS
    }


def test_pool_names_say_the_apis_and_the_company() -> None:
    assert api_pool({QBO_API}, None) == "qbo_api"
    assert api_pool({SPS_API, QBO_API}, "9130350") == "qbo_sps_api:9130350"
    assert api_pool({SPS_API}, "9130350") == "sps_api:9130350"
    with pytest.raises(ValueError, match="names the APIs"):
        api_pool(set(), None)


def test_the_company_comes_from_the_config_named_at_load(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "qbsps.yaml"
    partner = {"trading_partner_id": "TP", "name": "T", "vendor_number": "V1", "rsx_format": "json"}
    partner |= {"qbo_vendor": {"id": "1"}, "qbo_customer": {"id": "2"}}
    path.write_text(yaml.safe_dump(offline_config_data([partner])))
    monkeypatch.setenv("QBSPS_CONFIG", str(path))
    company_at_load.cache_clear()
    try:
        assert company_at_load() == "9341455130298576"
        monkeypatch.setenv("QBSPS_CONFIG", str(tmp_path / "absent.yaml"))
        company_at_load.cache_clear()
        assert company_at_load() is None  # no readable config: pools without a company
    finally:
        company_at_load.cache_clear()
