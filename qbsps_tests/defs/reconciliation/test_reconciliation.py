"""The reconciliation job as Dagster runs it, against the sandbox: on a clean world every check
passes; an order deleted in QuickBooks fails `no_missing_in_qbo` with its row, and the asset's
table and CSV name it."""

from __future__ import annotations

import csv

import dagster as dg
import pytest

from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs.reconciliation.assets import RECONCILIATION
from qbsps_orchestration.lib.reconcile import KINDS
from qbsps_tests.lib.reconcile.test_reconcile import _order
from qbsps_tests.sandboxed import SandboxedConnector

pytestmark = pytest.mark.long


def _run(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return defs().resolve_job_def("reconciliation_job").execute_in_process(instance=instance)


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_checks_pass_on_a_clean_world_and_fail_with_the_rows_on_a_deleted_order(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    _order(c, "PO-D1")
    clean = _checks(_run(instance))
    assert sorted(clean) == sorted(f"no_{kind}" for kind in KINDS)
    assert all(e.passed for e in clean.values()), {n: e.description for n, e in clean.items()}

    gone = _order(c, "PO-D2")
    c.qbo().delete("PurchaseOrder", gone["Id"], gone["SyncToken"], request_id="test-delete-d2")
    result = _run(instance)
    checks = _checks(result)
    assert [name for name, e in checks.items() if not e.passed] == ["no_missing_in_qbo"]
    assert "PO-D2" in checks["no_missing_in_qbo"].metadata["rows"].value
    materialization = instance.get_latest_materialization_event(RECONCILIATION).asset_materialization
    assert materialization.metadata["findings"].value == 1
    assert "PO-D2" in materialization.metadata["table"].value
    with open(materialization.metadata["csv"].value, newline="") as handle:
        assert [(r["kind"], r["number"]) for r in csv.DictReader(handle)] == [("missing_in_qbo", "PO-D2")]
