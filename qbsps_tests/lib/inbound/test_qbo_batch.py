"""New orders reach QBO through `/batch` (up to 30 creates a call), each with its own intent:
counted by the sandbox's usage report and its PurchaseOrders by qbsps's marker. A lost answer is
replayed by its requestid or, once retries run out, looked up by DocNumber before anything is
created again; one item's Fault fails only that order; a refused call falls back to single creates."""

from __future__ import annotations

import json
import math

import httpx

from qbsps_orchestration.lib.inbound.batch import FileOutcome, process_files
from qbsps_orchestration.lib.inbound.qbo_batch import MAX_ITEMS, batch_request_id
from qbsps_orchestration.lib.inbound.sync import Claim
from qbsps_orchestration.lib.ledger import Action, Direction, DocumentState
from qbsps_orchestration.lib.qbo import QboClient
from qbsps_orchestration.sandbox.faults import FaultRule
from qbsps_tests.faults.world import orders_in_qbo
from qbsps_tests.lib.outbound.landed_orders import order_bytes
from qbsps_tests.sandboxed import SandboxedConnector

USAGE = "/_sandbox/qbo/usage"


def deliver(c: SandboxedConnector, count: int, prefix: str = "PO-B") -> list[str]:
    orders = [f"{prefix}-{n:03d}" for n in range(count)]
    for po in orders:
        c.box.sps.put_file(c.orders_folder + f"{po}.json", order_bytes(po, ship_to=False))
    return orders


def usage(c: SandboxedConnector) -> dict[str, int]:
    response = httpx.get(c.box.qbo_url + USAGE, trust_env=False, timeout=10)
    assert response.status_code == 200
    return response.json().get(c.config.qbo.realm_id, {})


def spent(c: SandboxedConnector, before: dict[str, int]) -> dict[str, int]:
    now = usage(c)
    return {
        key: now.get(key, 0) - before.get(key, 0) for key in ("reads", "writes", "batch_calls", "batch_ops")
    }


def sync(c: SandboxedConnector, orders: list[str], qbo: QboClient | None = None) -> list[FileOutcome]:
    return process_files(c.config, c.ledger, c.sps(), qbo or c.qbo(), [f"{po}.json" for po in orders])


def synced(outcomes: list[FileOutcome]) -> dict[str, str]:
    return {r.po_number or "": r.outcome for o in outcomes for r in o.synced}


def batch_path(c: SandboxedConnector) -> str:
    return f"/v3/company/{c.config.qbo.realm_id}/batch"


def test_the_requestid_of_a_batch_is_its_intents_in_any_order() -> None:
    claims = [Claim(Action.CREATE, n, f"qbsps-create-{n}", None, fresh=True) for n in range(3)]  # type: ignore[arg-type]
    same = batch_request_id(list(reversed(claims)))
    assert batch_request_id(claims) == same and len(same) == 36
    assert batch_request_id(claims[:2]) != same


def test_45_new_orders_take_two_batch_calls_and_land_once(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    orders = deliver(c, 45)
    before = usage(c)
    outcomes = sync(c, orders)
    assert [o.error for o in outcomes if o.error] == []
    assert synced(outcomes) == dict.fromkeys(orders, "created")
    cost = spent(c, before)
    assert cost["batch_calls"] == math.ceil(len(orders) / MAX_ITEMS) == 2, cost
    assert cost["batch_ops"] == len(orders) and cost["writes"] == 0, cost
    assert orders_in_qbo(c) == dict.fromkeys(orders, 1)
    assert c.order_files() == [] and c.ledger.open_intents() == []


def test_a_batch_answer_lost_after_it_landed_is_replayed_not_written_twice(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    orders = deliver(c, 12)
    c.box.qbo_faults.add(
        FaultRule(drop=True, after_apply=True, count=1, method="POST", path_prefix=batch_path(c))
    )
    before = usage(c)
    outcomes = sync(c, orders)
    assert synced(outcomes) == dict.fromkeys(orders, "created")
    cost = spent(c, before)
    # The retry carried the same requestid: QBO answered it with the first call's items, so no
    # create was refused as a duplicate and none was sent again on its own.
    assert cost["batch_calls"] == 2 and cost["writes"] == 0, cost
    assert orders_in_qbo(c) == dict.fromkeys(orders, 1)
    assert len(c.purchase_orders()) == len(orders)


def test_a_batch_answer_lost_for_good_is_looked_up_by_doc_number_next_pass(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    orders = deliver(c, 12)
    rule = FaultRule(drop=True, after_apply=True, count=10, method="POST", path_prefix=batch_path(c))
    c.box.qbo_faults.add(rule)
    first = sync(c, orders)  # every retry of the call loses its answer too
    assert set(synced(first).values()) == {"will retry"}, synced(first)
    assert len(c.ledger.open_intents()) == len(orders)  # the creates may have landed: left open
    c.box.qbo_faults.clear()
    before = usage(c)
    second = sync(c, orders)
    assert synced(second) == dict.fromkeys(orders, "created")
    assert orders_in_qbo(c) == dict.fromkeys(orders, 1)
    cost = spent(c, before)
    assert cost["writes"] == 0 and cost["batch_calls"] == 0, cost  # found by DocNumber, not created
    assert c.ledger.open_intents() == []


def test_one_item_fault_fails_only_that_order(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    orders = deliver(c, 6)
    qbo = c.qbo()
    send = qbo.batch

    def with_a_deleted_vendor(items: list[dict], *, request_id: str) -> list[dict]:
        # The edge of the test: one item names a vendor the company does not hold; QBO's own
        # rules (the sandbox's) answer that item with a Fault.
        items[2]["PurchaseOrder"]["VendorRef"] = {"value": "999999"}
        return send(items, request_id=request_id)

    qbo.batch = with_a_deleted_vendor  # type: ignore[method-assign]
    outcomes = sync(c, orders, qbo)
    bad = orders[2]
    assert synced(outcomes) == {**dict.fromkeys(orders, "created"), bad: "failed"}
    [failed] = [o for o in outcomes if o.error]
    assert failed.name == f"{bad}.json"
    assert (
        bad in (failed.error or "") and "VendorRef" in (failed.error or "") and "2500" in (failed.error or "")
    )
    assert orders_in_qbo(c) == dict.fromkeys([po for po in orders if po != bad], 1)
    doc = c.ledger.find_document(Direction.INBOUND, "Order", "SPSALLTESTID", bad)
    assert doc is not None and doc.state is DocumentState.FAILED
    events = [(e.event, e.detail or "") for e in c.ledger.audit_trail(doc.id)]
    assert any("VendorRef" in detail for _, detail in events), events
    assert c.ledger.open_intents() == []


def test_a_refused_batch_call_falls_back_to_single_creates(empty_connector: SandboxedConnector) -> None:
    c = empty_connector
    orders = deliver(c, 5)
    c.box.qbo_faults.add(FaultRule(status=400, count=1, method="POST", path_prefix=batch_path(c)))
    before = usage(c)
    outcomes = sync(c, orders)
    assert synced(outcomes) == dict.fromkeys(orders, "created")
    cost = spent(c, before)
    assert cost["writes"] == len(orders), cost  # one create each, after the refused call
    assert orders_in_qbo(c) == dict.fromkeys(orders, 1)


def test_an_order_and_its_replacement_in_one_group_are_written_in_turn(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    orders = deliver(c, 3)
    order = json.loads(order_bytes(orders[0], ship_to=False))
    order["Header"]["OrderHeader"]["TsetPurposeCode"] = "05"
    order["LineItem"][0]["OrderLine"]["OrderQty"] = 9
    name = f"{orders[0]}-05"
    c.box.sps.put_file(c.orders_folder + f"{name}.json", json.dumps(order).encode())
    outcomes = sync(c, [*orders, name])
    assert [o.error for o in outcomes if o.error] == []
    assert [r.outcome for r in outcomes[-1].synced] in (["updated"], ["up to date"]), outcomes[-1]
    assert orders_in_qbo(c) == dict.fromkeys(orders, 1)
