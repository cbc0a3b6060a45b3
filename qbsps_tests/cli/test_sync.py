"""`qbsps sync inbound`, `qbsps status` and `qbsps conflicts accept` as an operator runs them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import dagster as dg

from qbsps_orchestration.bookkeeper import invoice_lines_from
from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_orchestration.sandbox.sps.seed import published_samples
from qbsps_tests.in_process import run_qbsps
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.support import shared_dir


def _qbsps(c: SandboxedConnector, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QBSPS_CONFIG": str(c.config_path), "DAGSTER_HOME": str(home)}
    return run_qbsps(list(args), env=env, cwd=home.parent)


def test_sync_inbound_runs_through_dagster_and_reports(connector: SandboxedConnector, tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    result = _qbsps(connector, home, "sync", "inbound")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" created ") == 5 and "PO112853-1-v7.7-CrossDock.json" in result.stdout
    with dg.DagsterInstance.from_config(str(home)) as instance:  # recorded where `dagster dev` looks
        runs = instance.get_runs()
        assert runs and all(r.tags.get("qbsps/trigger") == "qbsps sync inbound" for r in runs)
    status = _qbsps(connector, home, "status")
    assert status.returncode == 0 and "synced" in status.stdout

    again = _qbsps(connector, home, "sync", "inbound")  # nothing left in the mailbox
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_the_config_named_by_option_reaches_the_dagster_runs(
    connector: SandboxedConnector, tmp_path: Path
) -> None:
    home = tmp_path / "dagster_home"
    env = {k: v for k, v in os.environ.items() if k != "QBSPS_CONFIG"} | {"DAGSTER_HOME": str(home)}
    result = run_qbsps(["sync", "inbound", "--config", str(connector.config_path)], env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    # Counted in the sandbox company, not in qbsps's report.
    assert result.stdout.count(" created ") == len(connector.purchase_orders()) > 0


def test_a_failed_document_makes_sync_exit_non_zero_and_shows_in_status(
    empty_connector: SandboxedConnector, tmp_path: Path
) -> None:
    c, home = empty_connector, tmp_path / "dagster_home"
    c.box.sps.put_file(c.orders_folder + "PO1-broken.xml", b"<Order><Header><OrderHeader>")
    result = _qbsps(c, home, "sync", "inbound")
    [row] = [line for line in result.stdout.splitlines() if line.startswith("PO1-broken.xml ")]
    assert result.returncode == 1 and row.split()[1:3] == ["Order", "-"]  # unreadable: no partner, no PO
    assert "quarantined  quarantined" in row and "malformed XML" in row  # this run's outcome, its state
    status = _qbsps(c, home, "status")
    assert "Failed or quarantined" in status.stdout and "PO1-broken.xml" in status.stdout
    [doc] = c.ledger.failed_documents()
    detail = _qbsps(c, home, "status", "--document", str(doc.id))
    assert "Audit trail" in detail.stdout and "quarantined" in detail.stdout


def test_operator_accepts_a_held_conflict(empty_connector: SandboxedConnector, tmp_path: Path) -> None:
    c, home = empty_connector, tmp_path / "dagster_home"
    for name, raw in published_samples(shared_dir() / "sps_samples").items():
        c.box.sps.put_file(c.orders_folder + name, raw)
    assert _qbsps(c, home, "sync", "inbound").returncode == 0
    status = _qbsps(c, home, "status").stdout
    assert "Held conflicts" in status
    conflict = c.ledger.held_conflicts()[0]
    accepted = _qbsps(c, home, "conflicts", "accept", str(conflict.id), "--operator", "alice")
    assert accepted.returncode == 0, accepted.stderr
    name = conflict.source_path.rsplit("/", 1)[1]
    assert f"qbsps sync inbound --file {name}" in accepted.stdout
    replay = _qbsps(c, home, "sync", "inbound", "--file", name)
    assert replay.returncode == 0 and " updated " in replay.stdout
    assert len(c.purchase_orders()) == 1
    events = [(e.event, e.actor) for e in c.ledger.audit_trail(conflict.document_id)]
    assert ("conflict_accepted", "alice") in events


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text("qbo: {}\n")
    result = run_qbsps(["status", "--config", str(bad)])
    assert result.returncode != 0 and "qbo.api_base_url" in result.stderr


def _shipped_invoice(c: SandboxedConnector) -> dict:
    """Land the DropShip sample order, then invoice it in QBO with shipping data."""
    name = "PO584616-1-v7.7-DropShip.json"
    fetch_order_file(c.config, c.ledger, c.sps(), name)
    [landed] = sync_order_file(c.config, c.ledger, c.qbo(), name)
    po = c.box.qbo.find("PurchaseOrder", Id=landed.qbo_id)[0]
    return c.create_invoice("INV-8001", "PO584616-1", lines=invoice_lines_from(po))


def test_preview_prints_the_exact_documents_and_sends_nothing(
    connector: SandboxedConnector, tmp_path: Path
) -> None:
    invoice = _shipped_invoice(connector)
    home = tmp_path / "dagster_home"
    for kind, root in (("invoice", '"InvoiceHeader"'), ("ship-notice", '"ShipmentHeader"')):
        result = _qbsps(connector, home, "preview", kind, invoice["Id"])
        assert result.returncode == 0, result.stdout + result.stderr
        assert "valid: would be uploaded" in result.stdout and root in result.stdout
    assert [h for h in connector.box.sps.history() if h["direction"] == "inbound"] == []
    missing = _qbsps(connector, home, "preview", "invoice", "99999")
    assert missing.returncode != 0


def test_sync_outbound_sends_once_through_dagster(connector: SandboxedConnector, tmp_path: Path) -> None:
    invoice = _shipped_invoice(connector)
    home = tmp_path / "dagster_home"
    first = _qbsps(connector, home, "sync", "outbound")
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.count(" sent ") == 2 and f"invoice-{invoice['Id']}" in first.stdout
    again = _qbsps(connector, home, "sync", "outbound", "--invoice", invoice["Id"])
    assert again.returncode == 0 and again.stdout.count(" unchanged ") == 2
    uploads = [
        h for h in connector.box.sps.history() if h["direction"] == "inbound" and "INV-8001" in h["path"]
    ]
    assert sorted(h["status_log"][-1]["status"] for h in uploads) == ["accepted", "accepted"]


def test_a_changed_invoice_is_held_shown_in_status_and_sent_after_acceptance(
    connector: SandboxedConnector, tmp_path: Path
) -> None:
    invoice = _shipped_invoice(connector)
    home = tmp_path / "dagster_home"
    assert _qbsps(connector, home, "sync", "outbound", "--invoice", invoice["Id"]).returncode == 0
    line = invoice["Line"][0]
    changed = [{**line, "Description": "changed after it was sent"}]
    connector.qbo().sparse_update("Invoice", invoice["Id"], {"Line": changed}, request_id="inv-8001-change")
    held = _qbsps(connector, home, "sync", "outbound", "--invoice", invoice["Id"])
    assert held.returncode == 1 and " held " in held.stdout
    [conflict] = [
        v
        for v in connector.ledger.held_conflicts()
        if connector.ledger.document(v.document_id).doc_type == "Invoice"
    ]
    status = _qbsps(connector, home, "status").stdout
    assert f"\n{conflict.id} " in status.split("Held conflicts")[1]
    accepted = _qbsps(connector, home, "conflicts", "accept", str(conflict.id))
    assert f"qbsps sync outbound --invoice {invoice['Id']}" in accepted.stdout
    sent = _qbsps(connector, home, "sync", "outbound", "--invoice", invoice["Id"])
    assert " sent " in sent.stdout  # the accepted invoice went; a held ship notice may still wait
    assert len([h for h in connector.box.sps.history() if "ININV-8001" in h["path"]]) == 2


def test_partners_add_onboards_from_nothing_and_a_rerun_changes_nothing(
    connector: SandboxedConnector, tmp_path: Path
) -> None:
    import yaml

    data = yaml.safe_load(connector.config_path.read_text())
    data["trading_partners"].append(
        {
            "trading_partner_id": "NEWRETAIL",
            "name": "New Retail",
            "vendor_number": "V-123",
            "qbo_vendor": {"name": "New Retail"},
            "qbo_customer": {"name": "New Retail (Customer)"},
            "rsx_format": "json",
        }
    )
    connector.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    home = tmp_path / "dagster_home"
    first = _qbsps(connector, home, "partners", "add", "NEWRETAIL")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "created QBO Vendor 'New Retail'" in first.stdout and "changed: yes" in first.stdout
    vendor = connector.box.qbo.find("Vendor", DisplayName="New Retail")[0]
    customer = connector.box.qbo.find("Customer", DisplayName="New Retail (Customer)")[0]
    assert vendor["AcctNum"] == customer["AcctNum"] == "V-123"
    catalogs = [h for h in connector.box.sps.history() if "NEWRETAIL" in h["path"]]
    assert [h["status_log"][-1]["status"] for h in catalogs] == ["accepted"]

    again = _qbsps(connector, home, "partners", "add", "NEWRETAIL")
    assert again.returncode == 0 and "changed: nothing" in again.stdout
    assert connector.box.qbo.find("Vendor", DisplayName="New Retail")[0]["SyncToken"] == vendor["SyncToken"]
    assert len([h for h in connector.box.sps.history() if "NEWRETAIL" in h["path"]]) == 1
    unknown = _qbsps(connector, home, "partners", "add", "NOPE")
    assert unknown.returncode != 0 and "NOPE" in unknown.stderr


def test_partners_add_names_a_taken_qbo_name_in_one_plain_line(
    empty_connector: SandboxedConnector, tmp_path: Path
) -> None:
    import yaml

    data = yaml.safe_load(empty_connector.config_path.read_text())
    data["trading_partners"].append(
        {
            "trading_partner_id": "SAMENAME",
            "name": "Same Name Retail",
            "vendor_number": "V-9",
            "qbo_vendor": {"name": "Same Name Retail"},
            "qbo_customer": {"name": "Same Name Retail"},  # QBO names are unique across both
            "rsx_format": "json",
        }
    )
    empty_connector.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = _qbsps(empty_connector, tmp_path / "dagster_home", "partners", "add", "SAMENAME")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        "cannot create QBO Customer 'Same Name Retail': another customer, vendor or employee" in result.stderr
    )
    assert empty_connector.box.qbo.find("Customer", DisplayName="Same Name Retail") == []
