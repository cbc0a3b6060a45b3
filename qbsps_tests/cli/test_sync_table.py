"""The table `qbsps sync inbound` prints, for documents that end a run in different states: built
from the ledger (what the run recorded on each document) and the Dagster instance (its run), read
here row by row. Runs in process through click's CliRunner against the sandbox."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import httpx
import pytest
from click.testing import CliRunner

from qbsps_orchestration.cli import main
from qbsps_orchestration.lib.ledger import Direction, DocumentState
from qbsps_orchestration.operator_views import SYNC_COLUMNS
from qbsps_tests.lib.outbound.landed_orders import order_bytes
from qbsps_tests.sandboxed import SandboxedConnector

PARTNER = "SPSALLTESTID"


def printed_rows(text: str) -> list[dict[str, str]]:
    """The rows of a table as operator_views renders it, cut at the columns its dashes mark."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("-"))
    spans, offset = [], 0
    for dashes in lines[start].split("  "):
        spans.append((offset, offset + len(dashes)))
        offset += len(dashes) + 2
    headers = [lines[start - 1][a:b].strip() for a, b in spans]
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        rows.append(
            {
                h: line[a : b if i < len(spans) - 1 else None].strip()
                for i, (h, (a, b)) in enumerate(zip(headers, spans, strict=True))
            }
        )
    return rows


def _fault(base_url: str, **rule: object) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        assert http.post("/_sandbox/faults", json=rule).status_code == 201


@pytest.mark.long
def test_the_sync_table_shows_each_document_as_the_ledger_and_the_run_have_it(
    empty_connector: SandboxedConnector, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = empty_connector
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    # Files are taken in mailbox order: the first QBO create is refused for good, the next one
    # answers 503 through every retry (owed, retried by the next sync), the third goes through.
    for name, po in (
        ("a-refused.json", "PO-REFUSED"),
        ("b-storm.json", "PO-STORM"),
        ("c-good.json", "PO-GOOD"),
    ):
        c.box.sps.put_file(c.orders_folder + name, order_bytes(po, ship_to=False))
    c.box.sps.put_file(c.orders_folder + "d-broken.xml", b"<Order><Header>")
    company = f"/v3/company/{c.config.qbo.realm_id}"
    creates = f"{company}/purchaseorder"
    # QBO refuses the new orders' /batch call as a whole: each is then sent on its own, in order.
    _fault(c.box.qbo_url, status=400, count=1, method="POST", path_prefix=f"{company}/batch")
    _fault(c.box.qbo_url, status=400, count=1, method="POST", path_prefix=creates)
    _fault(c.box.qbo_url, status=503, count=6, method="POST", path_prefix=creates)

    result = CliRunner().invoke(main, ["sync", "inbound", "--config", str(c.config_path)])
    assert result.exit_code == 1, result.output
    rows = printed_rows(result.stdout)
    assert list(rows[0]) == list(SYNC_COLUMNS)
    by_file = {(r["partition"], r["document"]): r for r in rows}
    assert sorted(by_file) == [
        ("a-refused.json", "Order"),
        ("b-storm.json", "Order"),
        ("c-good.json", "Order"),
        ("c-good.json", "OrderAck"),  # the partner takes 855s: built from the order, sent in the same run
        ("d-broken.xml", "Order"),
    ]

    def ledger_doc(doc_type: str, po: str, direction: Direction = Direction.INBOUND):  # noqa: ANN202
        found = c.ledger.find_document(direction, doc_type, PARTNER, po)
        assert found is not None
        return found

    refused, storm, good = (ledger_doc("Order", po) for po in ("PO-REFUSED", "PO-STORM", "PO-GOOD"))
    [broken] = [d for d in c.ledger.failed_documents() if d.state is DocumentState.QUARANTINED]
    ack = ledger_doc("OrderAck", "PO-GOOD", Direction.OUTBOUND)
    assert (refused.state, storm.state, good.state, ack.state) == (
        DocumentState.FAILED,
        DocumentState.PENDING,
        DocumentState.SYNCED,
        DocumentState.SYNCED,
    )
    expected = {
        ("a-refused.json", "Order"): (PARTNER, "PO-REFUSED", "failed", "failed", "-"),
        ("b-storm.json", "Order"): (PARTNER, "PO-STORM", "will retry", "pending", "-"),
        ("c-good.json", "Order"): (PARTNER, "PO-GOOD", "created", "synced", good.qbo_id),
        ("c-good.json", "OrderAck"): (PARTNER, "PO-GOOD", "sent", "synced", good.qbo_id),
        ("d-broken.xml", "Order"): ("-", "-", "quarantined", "quarantined", "-"),
    }
    shown = {
        key: (r["partner"], r["number"], r["outcome"], r["state"], r["QBO id"]) for key, r in by_file.items()
    }
    assert shown == expected
    # The reasons are the ledger's, as `qbsps status` shows them.
    assert by_file[("a-refused.json", "Order")]["detail"] == refused.reason
    assert by_file[("b-storm.json", "Order")]["detail"] == storm.reason and "503" in (storm.reason or "")
    assert by_file[("d-broken.xml", "Order")]["detail"] == broken.reason

    # One run did it all; the table names it, and it is the run the ledger's audit trail names.
    with dg.DagsterInstance.get() as instance:
        [run] = instance.get_runs()
    assert run.status is dg.DagsterRunStatus.FAILURE  # three of the four files failed their partition
    assert {r["run"] for r in rows} == {run.run_id[:8]}
    assert {e.run_id for e in c.ledger.audit_trail(good.id)} == {run.run_id}
    assert "b-storm.json" in result.stderr and "Unfinished" in result.stderr
    assert "2 file(s) failed" in result.stderr  # the refused and the broken one; the storm retries itself

    again = CliRunner().invoke(main, ["sync", "inbound", "--config", str(c.config_path)])
    assert again.exit_code == 0, again.output  # the storm is over: only the owed order runs again
    retried = [
        (r["partition"], r["document"], r["outcome"], r["state"], r["run"])
        for r in printed_rows(again.stdout)
    ]
    with dg.DagsterInstance.get() as instance:
        [second, _] = instance.get_runs()  # newest first
    assert retried == [
        ("b-storm.json", "Order", "created", "synced", second.run_id[:8]),
        ("b-storm.json", "OrderAck", "sent", "synced", second.run_id[:8]),  # its 855 follows once it landed
    ]
