"""`qbsps dev order` (the retailer) and `qbsps dev invoice` (the bookkeeper) against a running sandbox,
as a user runs them beside `make dev` (in-process: qbsps_tests/in_process.py)."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_orchestration.lib.mapping.doc_number import order_marker
from qbsps_orchestration.lib.rsx import read_rsx
from qbsps_tests.in_process import run_qbsps
from qbsps_tests.sandboxed import SandboxedConnector


def _dev(c: SandboxedConnector, *args: str) -> subprocess.CompletedProcess[str]:
    return run_qbsps(["dev", *args, "--config", str(c.config_path)])


def _dropped_po(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.split()[1]  # "PO PO1201195253 from ..."


def _land(c: SandboxedConnector) -> list[str]:
    """What the inbound run does with every file in out/PO/: fetch it, write it to QuickBooks."""
    names = c.order_files()
    for name in names:
        fetch_order_file(c.config, c.ledger, c.sps(), name)
        sync_order_file(c.config, c.ledger, c.qbo(), name)
    return names


def test_the_retailer_drops_a_fresh_order_in_each_partners_format(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    first, second = _dropped_po(_dev(c, "order")), _dropped_po(_dev(c, "order"))
    grommet = _dropped_po(_dev(c, "order", "--partner", "525GROMM"))
    assert len({first, second, grommet}) == 3  # fresh each time, even within the same second

    files = {name.split("-v7.7-")[0]: name for name in c.order_files()}
    assert files.keys() == {first, second, grommet}
    assert files[first].endswith(".json") and files[grommet].endswith(".xml")
    [order] = read_rsx(c.sps().download(c.orders_folder + files[grommet]), source="t", doc_type="Order")
    assert order.trading_partner_id == "525GROMM" and order.document_number == grommet

    _land(c)
    assert _dropped_po(_dev(c, "order")) not in {first, second, grommet}  # history remembers fetched ones


def test_the_retailer_names_the_partners_it_knows(empty_connector: SandboxedConnector) -> None:
    result = _dev(empty_connector, "order", "--partner", "NOSUCH")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no trading partner 'NOSUCH'" in result.stderr and "SPSALLTESTID, 525GROMM" in result.stderr
    assert empty_connector.order_files() == []


def test_the_bookkeeper_invoices_the_newest_landed_order_with_shipping_data(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    nothing = _dev(c, "invoice")
    assert nothing.returncode == 1 and "no order has landed in QuickBooks yet" in nothing.stderr

    older = _dropped_po(_dev(c, "order"))
    _land(c)
    newer = _dropped_po(_dev(c, "order", "--partner", "525GROMM"))
    _land(c)
    result = _dev(c, "invoice")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"for PO {newer}," in result.stdout

    [invoice] = c.box.qbo.find("Invoice", PONumber=newer)
    [po] = [p for p in c.purchase_orders() if p["PrivateNote"].startswith(order_marker("525GROMM", newer))]
    assert invoice["CustomerRef"]["value"] == c.config.partner("525GROMM").qbo_customer.id
    assert (
        invoice["ShipDate"] and invoice["TrackingNum"] and invoice["ShipMethodRef"]["value"] == "UPS Ground"
    )
    assert invoice["ShipAddr"]["City"]
    billed = [
        (line["SalesItemLineDetail"]["ItemRef"]["value"], Decimal(str(line["Amount"])))
        for line in invoice["Line"]
        if line["DetailType"] == "SalesItemLineDetail"
    ]
    ordered = [
        (line["ItemBasedExpenseLineDetail"]["ItemRef"]["value"], Decimal(str(line["Amount"])))
        for line in po["Line"]
        if line["DetailType"] == "ItemBasedExpenseLineDetail"
    ]
    assert billed == ordered

    again = _dev(c, "invoice", newer)
    assert again.returncode == 1 and f"PO {newer} is already invoiced" in again.stderr
    by_number = _dev(c, "invoice", older)
    assert by_number.returncode == 0 and f"for PO {older}," in by_number.stdout
    unknown = _dev(c, "invoice", "PO-NOSUCH")
    assert unknown.returncode == 1 and "no landed order with PO number 'PO-NOSUCH'" in unknown.stderr
    assert older in unknown.stderr  # it lists what it could invoice


@pytest.mark.parametrize("command", ["order", "invoice"])
def test_without_a_running_dev_stack_the_helpers_say_where_they_looked(tmp_path: Path, command: str) -> None:
    result = run_qbsps(["dev", command], cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ".qbsps/dev/config.yaml" in result.stderr and "file not found" in result.stderr


def test_the_helpers_refuse_a_config_that_points_at_real_quickbooks(
    empty_connector: SandboxedConnector,
) -> None:
    data = yaml.safe_load(empty_connector.config_path.read_text())
    data["qbo"]["api_base_url"] = "https://quickbooks.api.intuit.com"
    real = empty_connector.config_path.with_name("real.yaml")
    real.write_text(yaml.safe_dump(data))
    for command in ("order", "invoice"):
        result = run_qbsps(["dev", command, "--config", str(real)])
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "qbo.api_base_url is https://quickbooks.api.intuit.com, not the local sandbox" in result.stderr
    assert empty_connector.order_files() == []
