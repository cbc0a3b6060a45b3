"""Which invoice partitions wait: the one reading `qbsps sync outbound` and qbo_webhook_sensor share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from qbsps_orchestration.lib.changes import ChangeEvent
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.outbound.completion import changed_invoice_keys

REALM = "9130"


def test_changed_invoices_are_their_partition_keys_oldest_change_first_once_each(tmp_path: Path) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    ledger.migrate()
    start = datetime(2026, 11, 30, 9, tzinfo=UTC)
    ledger.record_changes(
        [
            ChangeEvent(REALM, "Invoice", "12", "Create", start, source="cdc"),
            ChangeEvent(REALM, "PurchaseOrder", "40", "Update", start + timedelta(seconds=1), source="cdc"),
            ChangeEvent(REALM, "Invoice", "7", "Create", start + timedelta(seconds=2), source="webhook"),
            ChangeEvent(REALM, "Invoice", "12", "Update", start + timedelta(seconds=3), source="sweep"),
        ]
    )
    assert changed_invoice_keys(ledger) == ["invoice-12", "invoice-7"]  # an order change is not one
    assert changed_invoice_keys(ledger, limit=1) == ["invoice-12"]
    [first, *_] = ledger.pending_changes(entity="Invoice")
    ledger.mark_changes_handled([first.id], run_id="a-run")
    assert changed_invoice_keys(ledger) == ["invoice-7", "invoice-12"]  # its later change still waits
    ledger.close()
