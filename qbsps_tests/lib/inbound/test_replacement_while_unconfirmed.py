"""A replacement (05) arriving while the original's (00) create is unconfirmed: the create is
settled first (looked up in QBO by DocNumber and marker), then the replacement is written with its
own requestid, never the create's. Counted in the QBO sandbox."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_orchestration.lib.ledger import Direction, IntentOutcome
from qbsps_orchestration.lib.qbo import QboClient
from qbsps_tests.sandboxed import SandboxedConnector


class RunDied(BaseException):
    """Stands for SIGKILL at that point: nothing after it runs, no handler catches it."""


def deliver(c: SandboxedConnector, po: str, purpose: str, qty: int) -> str:
    name = f"{po}-{purpose}.json"
    line = {
        "BuyerPartNumber": "SPSBuyerItem1",
        "ConsumerPackageCode": "859563003863",
        "OrderQty": qty,
        "PurchasePrice": "20.00",
        "OrderQtyUOM": "EA",
    }
    header = {
        "TradingPartnerId": "SPSALLTESTID",
        "PurchaseOrderNumber": po,
        "TsetPurposeCode": purpose,
        "PurchaseOrderDate": "2026-11-20",
        "Vendor": "VEND6174",
    }
    order = {"Header": {"OrderHeader": header}, "LineItem": [{"OrderLine": line}]}
    c.box.sps.put_file(c.orders_folder + name, json.dumps(order).encode())
    fetch_order_file(c.config, c.ledger, c.sps(), name)
    return name


def dying_qbo(c: SandboxedConnector, *, after_write: bool) -> QboClient:
    """A QBO client whose run dies at its first create: after QBO applied it, or just before."""
    client = c.qbo()
    create = client.create

    def create_then_die(*args: object, **kwargs: object) -> dict:
        if after_write:
            create(*args, **kwargs)  # type: ignore[arg-type]
        raise RunDied

    client.create = create_then_die  # type: ignore[method-assign]
    return client


def quantities(c: SandboxedConnector, po: str) -> list[list[Decimal]]:
    """Per QBO PurchaseOrder carrying this PO number: its line quantities."""
    return [
        [Decimal(str(line["ItemBasedExpenseLineDetail"]["Qty"])) for line in row.get("Line", [])]
        for row in c.purchase_orders()
        if po in (row.get("Memo") or "")
    ]


def intent_outcomes(c: SandboxedConnector, po: str) -> list[tuple[str, str]]:
    doc = c.ledger.find_document(Direction.INBOUND, "Order", "SPSALLTESTID", po)
    assert doc is not None
    begun = {
        e.after["intent_id"]: e.after["requestid"]
        for e in c.ledger.audit_trail(doc.id)
        if e.event == "intent_begun" and e.after
    }
    assert len(set(begun.values())) == len(begun)  # no requestid is ever reused for another write
    return [
        (e.after["outcome"], e.detail or "")
        for e in c.ledger.audit_trail(doc.id)
        if e.event == "intent_completed" and e.after
    ]


@pytest.mark.parametrize("landed", [True, False], ids=["create-landed", "create-never-landed"])
def test_replacement_while_the_create_is_unconfirmed_settles_the_create_first(
    empty_connector: SandboxedConnector, landed: bool
) -> None:
    c = empty_connector
    original = deliver(c, "PO-REPL-1", "00", 4)
    with pytest.raises(RunDied):
        sync_order_file(c.config, c.ledger, dying_qbo(c, after_write=landed), original)
    assert quantities(c, "PO-REPL-1") == ([[Decimal(4)]] if landed else [])

    replacement = deliver(c, "PO-REPL-1", "05", 6)
    result = sync_order_file(c.config, c.ledger, c.qbo(), replacement)
    assert quantities(c, "PO-REPL-1") == [[Decimal(6)]], result  # one document, the replacement's content
    outcomes = intent_outcomes(c, "PO-REPL-1")
    if landed:
        assert [o for o, _ in outcomes] == [IntentOutcome.RECONCILED.value, IntentOutcome.SUCCEEDED.value]
    else:
        assert [o for o, _ in outcomes] == [IntentOutcome.FAILED.value, IntentOutcome.SUCCEEDED.value]
        assert "never landed" in outcomes[0][1]
    doc = c.ledger.find_document(Direction.INBOUND, "Order", "SPSALLTESTID", "PO-REPL-1")
    assert doc is not None and doc.state.value == "synced" and c.ledger.open_intents(doc.id) == []
