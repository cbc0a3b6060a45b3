"""`qbsps diff`: what changed in an invoice held because it changed after it was sent."""

from __future__ import annotations

import os
import subprocess
from decimal import Decimal
from pathlib import Path

from qbsps_orchestration.bookkeeper import invoice_lines_from
from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_orchestration.lib.ledger import Direction
from qbsps_tests.in_process import run_qbsps
from qbsps_tests.sandboxed import SandboxedConnector


def _qbsps(c: SandboxedConnector, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QBSPS_CONFIG": str(c.config_path), "DAGSTER_HOME": str(home)}
    return run_qbsps(list(args), env=env, cwd=home.parent)


def _sent_invoice(c: SandboxedConnector, home: Path) -> dict:
    """The DropShip sample order landed, invoiced in QBO with shipping data, and sent."""
    name = "PO584616-1-v7.7-DropShip.json"
    fetch_order_file(c.config, c.ledger, c.sps(), name)
    [landed] = sync_order_file(c.config, c.ledger, c.qbo(), name)
    po = c.box.qbo.find("PurchaseOrder", Id=landed.qbo_id)[0]
    invoice = c.create_invoice("INV-8101", "PO584616-1", lines=invoice_lines_from(po))
    sent = _qbsps(c, home, "sync", "outbound", "--invoice", invoice["Id"])
    assert sent.returncode == 0, sent.stdout + sent.stderr
    return invoice


def test_diff_lists_the_fields_of_a_held_invoice_that_changed(
    connector: SandboxedConnector, tmp_path: Path
) -> None:
    c, home = connector, tmp_path / "dagster_home"
    invoice = _sent_invoice(c, home)
    [document] = [
        d for d in c.ledger.recent_documents(Direction.OUTBOUND, "Invoice") if d.business_key == "INV-8101"
    ]
    single = _qbsps(c, home, "diff", str(document.id))
    assert single.returncode == 0 and "nothing to compare" in single.stdout

    line = invoice["Line"][0]
    detail = {**line["SalesItemLineDetail"], "Qty": Decimal(line["SalesItemLineDetail"]["Qty"]) - 1}
    detail["UnitPrice"] = Decimal("18.50")
    changed = {**line, "SalesItemLineDetail": detail, "Amount": detail["Qty"] * detail["UnitPrice"]}
    c.qbo().sparse_update(
        "Invoice", invoice["Id"], {"Line": [changed, *invoice["Line"][1:]]}, request_id="inv-8101-change"
    )
    held = _qbsps(c, home, "sync", "outbound", "--invoice", invoice["Id"])
    assert held.returncode == 1 and " held " in held.stdout

    result = _qbsps(c, home, "diff", str(document.id))
    assert result.returncode == 0, result.stdout + result.stderr
    [sent] = [v for v in c.ledger.versions(document.id) if v.disposition.value == "applied"]
    [conflict] = [v for v in c.ledger.held_conflicts() if v.document_id == document.id]
    head, versions, changes = (
        result.stdout.split("\n", 1)[0],
        result.stdout,
        result.stdout.split("changed:\n")[1],
    )
    assert head == f"outbound Invoice SPSALLTESTID/INV-8101 (document {document.id})"
    assert f"before: version {sent.id}, recorded " in versions and ": sent\n" in versions
    assert (
        f"after:  version {conflict.id}, recorded " in versions
        and "held: changed after it was sent" in versions
    )
    # Exactly what the bookkeeper changed (quantity 5 -> 4 and price 20 -> 18.50 on line 1) and
    # the amounts that follow from it; the other lines and the header are untouched.
    assert changes.splitlines() == [
        "  LineItem[LineSequenceNumber=1].InvoiceLine.InvoiceQty: 5.0 -> 4.0",
        "  LineItem[LineSequenceNumber=1].InvoiceLine.PurchasePrice: 20.0 -> 18.5",
        "  LineItem[LineSequenceNumber=1].InvoiceLine.ExtendedItemTotal: 100.00 -> 74.00",
        "  Summary.TotalAmount: 100.00 -> 74.00",
        "  Summary.TotalSalesAmount: 100.00 -> 74.00",
        "  Summary.InvoiceAmtDueByTermsDate: 100.00 -> 74.00",
    ]
    by_name = _qbsps(
        c,
        home,
        "diff",
        "SPSALLTESTID/INV-8101",
        "--type",
        "Invoice",
        "--version",
        str(sent.id),
        "--version",
        str(conflict.id),
    )
    assert by_name.returncode == 0 and by_name.stdout == result.stdout
    backwards = _qbsps(
        c, home, "diff", str(document.id), "--version", str(conflict.id), "--version", str(sent.id)
    )
    assert "InvoiceQty: 4.0 -> 5.0" in backwards.stdout


def test_diff_refuses_an_unknown_document_or_version(connector: SandboxedConnector, tmp_path: Path) -> None:
    c, home = connector, tmp_path / "dagster_home"
    unknown = _qbsps(c, home, "diff", "999999")
    assert unknown.returncode == 1 and "no document 999999 in the ledger" in unknown.stderr
    _sent_invoice(c, home)
    [document] = c.ledger.recent_documents(Direction.OUTBOUND, "Invoice")
    foreign = _qbsps(c, home, "diff", str(document.id), "--version", "1", "--version", "999999")
    assert foreign.returncode == 1 and "has no version 1 or 999999" in foreign.stderr
    one = _qbsps(c, home, "diff", str(document.id), "--version", "1")
    assert one.returncode == 1 and "give --version twice" in one.stderr
    both = _qbsps(c, home, "diff", "SPSALLTESTID/INV-8101")  # its 856 has the same number
    assert both.returncode == 1 and "(Invoice)" in both.stderr and "(Shipment)" in both.stderr
    nowhere = _qbsps(c, home, "diff", "SPSALLTESTID/NO-SUCH")
    assert nowhere.returncode == 1 and "no document SPSALLTESTID/NO-SUCH" in nowhere.stderr
