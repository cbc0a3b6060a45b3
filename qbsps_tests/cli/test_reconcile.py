"""`qbsps reconcile` against the sandbox: exit 0 and "agree" on a clean world; a finding printed,
written as CSV, and exit 1 once QuickBooks loses an order."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbsps_orchestration.cli.main import main
from qbsps_tests.lib.reconcile.test_reconcile import _order
from qbsps_tests.sandboxed import SandboxedConnector

pytestmark = pytest.mark.long


def test_reconcile_prints_the_findings_writes_csv_and_exits_1(
    empty_connector: SandboxedConnector, tmp_path: Path
) -> None:
    c = empty_connector
    _order(c, "PO-C1")
    clean = CliRunner().invoke(main, ["reconcile", "--config", str(c.config_path)])
    assert clean.exit_code == 0, clean.output
    assert "no findings" in clean.output

    gone = _order(c, "PO-C2")
    c.qbo().delete("PurchaseOrder", gone["Id"], gone["SyncToken"], request_id="test-delete-c2")
    target = tmp_path / "out" / "recon.csv"
    found = CliRunner().invoke(main, ["reconcile", "--config", str(c.config_path), "--csv", str(target)])
    assert found.exit_code == 1, found.output
    assert "missing_in_qbo (1)" in found.output and "PO-C2" in found.output
    with target.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["kind"], r["partner"], r["number"], r["sps_amount"]) for r in rows] == [
        ("missing_in_qbo", "SPSALLTESTID", "PO-C2", "80.00")
    ]


def test_help_says_findings_exit_1() -> None:
    result = CliRunner().invoke(main, ["reconcile", "--help"])
    assert result.exit_code == 0 and "Exits 1 when there is any finding" in result.output
