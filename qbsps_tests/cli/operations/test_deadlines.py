"""`qbsps deadlines` against the sandbox: an order landed and a shipped invoice owed, another order
acknowledged and invoiced with its 810 and 856 sent. The invoices shipped a week or more ago, so
the unsent 856 and 810 are missed (exit 1); the unsent 855 is open (its order arrived just now);
what was sent is met. The CSV holds the same rows, missed first."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from qbsps_tests.in_process import run_qbsps
from qbsps_tests.lib.deadlines.partner_deadlines import acknowledge, land, ship_and_send, with_deadlines
from qbsps_tests.sandboxed import SandboxedConnector


def test_missed_deadlines_come_first_with_their_chargeback_and_exit_1(
    empty_connector: SandboxedConnector, tmp_path: Path
) -> None:
    c = empty_connector
    with_deadlines(c)
    land(c, "PO-CLI-1")  # no 855 sent
    c.create_invoice("INV-CLI-1", "PO-CLI-1")  # shipped 2026-11-26, nothing sent
    acknowledge(c, "PO-CLI-2", land(c, "PO-CLI-2"))
    ship_and_send(c, "INV-CLI-2", "PO-CLI-2")
    table = tmp_path / "out" / "deadlines.csv"
    env = {**os.environ, "QBSPS_CONFIG": str(c.config_path)}

    shown = run_qbsps(["deadlines", "--csv", str(table)], env=env, cwd=tmp_path)

    assert shown.returncode == 1, shown.stdout + shown.stderr  # something is missed
    assert "deadlines: 2 missed, 0 near, 1 open, 3 met" in shown.stdout, shown.stdout
    with table.open(newline="") as f:
        rows = list(csv.DictReader(f))
    states = [(r["state"], r["document"], r["po_number"]) for r in rows]
    assert states[:3] == [
        ("missed", "ship notice (856)", "PO-CLI-1"),  # missed first, the earliest due first
        ("missed", "invoice (810)", "PO-CLI-1"),
        ("open", "order acknowledgment (855)", "PO-CLI-1"),
    ]
    assert {s for s in states if s[0] == "met"} == {
        ("met", "order acknowledgment (855)", "PO-CLI-2"),
        ("met", "ship notice (856)", "PO-CLI-2"),
        ("met", "invoice (810)", "PO-CLI-2"),
    }
    missed_notice = next(r for r in rows if r["po_number"] == "PO-CLI-1" and r["document"].startswith("ship"))
    assert missed_notice["chargeback"] == "2.50" and missed_notice["reference"] == "INV-CLI-1"
    assert "24 hours after" in missed_notice["why"] and missed_notice["due"].startswith("2026-11-27")


def test_without_a_deadlines_block_it_says_so(empty_connector: SandboxedConnector, tmp_path: Path) -> None:
    env = {**os.environ, "QBSPS_CONFIG": str(empty_connector.config_path)}
    shown = run_qbsps(["deadlines"], env=env, cwd=tmp_path)
    assert shown.returncode == 1 and "no trading partner has a deadlines: block" in shown.stderr
