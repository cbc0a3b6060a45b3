"""A replacement whose update meets QBO's 5010 twice (someone saved the PO before the update and
again before the client's one re-read retry) is retried by the next pass with a new requestid, since
QBO would replay the cached 5010 for a used one, and then lands: the bookkeeper's saves are kept."""

from __future__ import annotations

import json

from qbsps_orchestration.lib.inbound.batch import process_files
from qbsps_orchestration.lib.ledger import Direction, DocumentState
from qbsps_orchestration.sandbox.faults import FaultRule
from qbsps_tests.lib.outbound.landed_orders import order_bytes
from qbsps_tests.sandboxed import SandboxedConnector


def _quantities(po: dict) -> list:
    return [
        line["ItemBasedExpenseLineDetail"]["Qty"]
        for line in po["Line"]
        if "ItemBasedExpenseLineDetail" in line
    ]


def test_a_5010_twice_is_retried_with_a_new_requestid_and_lands(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    sps, qbo = c.sps(), c.qbo()
    c.box.sps.put_file(c.orders_folder + "PO-1.json", order_bytes("PO-1", ship_to=False))
    process_files(c.config, c.ledger, sps, qbo, ["PO-1.json"])
    order = json.loads(order_bytes("PO-1", ship_to=False))
    order["Header"]["OrderHeader"]["TsetPurposeCode"] = "05"
    order["LineItem"][0]["OrderLine"]["OrderQty"] = 7
    c.box.sps.put_file(c.orders_folder + "PO-1-05.json", json.dumps(order).encode())
    path = f"/v3/company/{c.config.qbo.realm_id}/purchaseorder"
    c.box.qbo_faults.add(FaultRule(concurrent_edit=True, count=2, method="POST", path_prefix=path))

    [first] = process_files(c.config, c.ledger, sps, qbo, ["PO-1-05.json"])
    assert [r.outcome for r in first.synced] == ["will retry"] and "5010" in (first.error or ""), first
    doc = c.ledger.find_document(Direction.INBOUND, "Order", "SPSALLTESTID", "PO-1")
    assert doc is not None and doc.state is DocumentState.PENDING and c.ledger.open_intents(doc.id) == []
    [po] = c.purchase_orders()
    assert _quantities(po) == [4] and int(po["SyncToken"]) == 2  # created, then saved twice by someone

    [second] = process_files(c.config, c.ledger, sps, qbo, ["PO-1-05.json"])
    assert [r.outcome for r in second.synced] == ["updated"], second
    [po] = c.purchase_orders()
    assert _quantities(po) == [7] and int(po["SyncToken"]) == 3
    assert c.ledger.document(doc.id).state is DocumentState.SYNCED
