"""`qbsps replay DOCUMENT`: one document re-driven through Dagster; inbound never duplicates, outbound
uploads again only with --resend; who, when and why are on the audit trail. Counted on the sandbox."""

from __future__ import annotations

import os
import subprocess
from decimal import Decimal
from pathlib import Path

import dagster as dg

from qbsps_orchestration.lib.ledger import Direction
from qbsps_orchestration.retailer import drop_order
from qbsps_tests.in_process import run_qbsps
from qbsps_tests.sandboxed import SandboxedConnector

PARTNER = "SPSALLTESTID"


def _qbsps(c: SandboxedConnector, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QBSPS_CONFIG": str(c.config_path), "DAGSTER_HOME": str(home)}
    return run_qbsps(list(args), env=env, cwd=home.parent)


def _uploads(c: SandboxedConnector) -> list[str]:
    return [entry["path"] for entry in c.box.sps.history() if entry["direction"] == "inbound"]


def _landed_order(c: SandboxedConnector, home: Path) -> str:
    dropped = drop_order(c.config, PARTNER)
    synced = _qbsps(c, home, "sync", "inbound")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    return dropped.po_number


def test_replaying_an_order_updates_it_in_place_and_records_who_and_why(
    empty_connector: SandboxedConnector, tmp_path: Path
) -> None:
    c, home = empty_connector, tmp_path / "dagster_home"
    po_number = _landed_order(c, home)
    [before] = c.purchase_orders()
    document = c.ledger.find_document(Direction.INBOUND, "Order", PARTNER, po_number)
    assert document is not None

    by_key = _qbsps(
        c, home, "replay", f"{PARTNER}/{po_number}", "--reason", "item mapping fixed", "--operator", "alice"
    )
    assert by_key.returncode == 0, by_key.stdout + by_key.stderr
    by_id = _qbsps(c, home, "replay", str(document.id), "--reason", "checking again")
    assert by_id.returncode == 0, by_id.stdout + by_id.stderr
    assert f"Order {PARTNER}/{po_number} (document {document.id})" in by_key.stdout

    [after] = c.purchase_orders()  # the same QBO document, never a second one
    assert after["Id"] == before["Id"] and after["DocNumber"] == before["DocNumber"]
    trail = [e for e in c.ledger.audit_trail(document.id) if e.event.startswith("replay_")]
    assert [(e.event, e.actor.split(" ")[0], e.detail) for e in trail][:2] == [
        ("replay_requested", "alice", "item mapping fixed"),
        ("replay_finished", "alice", "item mapping fixed"),
    ]
    assert trail[2].actor.endswith("(qbsps replay)") and trail[2].detail == "checking again"
    with dg.DagsterInstance.from_config(str(home)) as instance:  # the UI shows the replay's run
        [run] = [r for r in instance.get_runs() if r.tags.get("qbsps/trigger") == "qbsps replay"][-1:]
        assert run.tags["qbsps/operator"] == "alice" and run.run_id in str(trail[1].after)


def test_replaying_an_invoice_resends_only_with_resend(
    empty_connector: SandboxedConnector, tmp_path: Path
) -> None:
    c, home = empty_connector, tmp_path / "dagster_home"
    po_number = _landed_order(c, home)
    invoice = c.create_invoice("INV-REPLAY-1", po_number)
    sent = _qbsps(c, home, "sync", "outbound", "--invoice", invoice["Id"])
    assert sent.returncode == 0, sent.stdout + sent.stderr
    uploads = _uploads(c)
    assert len([path for path in uploads if "INV-REPLAY-1" in path]) == 2  # the 810 and the 856

    unchanged = _qbsps(c, home, "replay", f"{PARTNER}/INV-REPLAY-1", "--reason", "retailer asked")
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    assert "unchanged" in unchanged.stdout and _uploads(c) == uploads

    # The bookkeeper changes the invoice after it was sent: held until an operator resends it.
    item_line = invoice["Line"][0]
    item_line["SalesItemLineDetail"]["Qty"] = Decimal("3")
    item_line["Amount"] = Decimal("60.00")
    c.qbo().sparse_update("Invoice", invoice["Id"], {"Line": [item_line]}, request_id="test-qty-3")
    held = _qbsps(c, home, "replay", f"{PARTNER}/INV-REPLAY-1", "--reason", "quantity corrected")
    assert held.returncode == 1 and _uploads(c) == uploads
    resent = _qbsps(
        c, home, "replay", f"{PARTNER}/INV-REPLAY-1", "--resend", "--reason", "quantity corrected"
    )
    assert resent.returncode == 0, resent.stdout + resent.stderr
    assert len(_uploads(c)) > len(uploads)


def test_bad_documents_and_a_missing_reason_are_refused_plainly(
    empty_connector: SandboxedConnector, tmp_path: Path
) -> None:
    c, home = empty_connector, tmp_path / "dagster_home"
    missing = _qbsps(c, home, "replay", "999", "--reason", "x")
    assert missing.returncode == 1 and "no document 999 in the ledger" in missing.stderr
    unknown = _qbsps(c, home, "replay", f"{PARTNER}/NOPE", "--reason", "x")
    assert unknown.returncode == 1 and f"no order or invoice {PARTNER}/NOPE" in unknown.stderr
    shapeless = _qbsps(c, home, "replay", "PO-1", "--reason", "x")
    assert shapeless.returncode == 1 and "PARTNER/PO" in shapeless.stderr
    no_reason = _qbsps(c, home, "replay", "1")
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    assert "Traceback" not in missing.stderr + unknown.stderr + shapeless.stderr
