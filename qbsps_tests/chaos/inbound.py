"""1,000 retailer orders in the SPS mailbox; `qbsps sync inbound` SIGKILLed at random points of
its work (fetching, writing to QBO, acknowledging), then synced to completion. Counted in the
sandbox: each order once in QBO, each 855 once in SPS, the mailbox empty, the audit complete."""

from __future__ import annotations

import random

from qbsps_orchestration.lib.ledger import Direction
from qbsps_orchestration.lib.mapping.doc_number import order_marker
from qbsps_tests.lib.outbound.landed_orders import order_bytes

from .drive import check_settled, kill_then_complete
from .result import ChaosResult, exactly_once
from .stage import Stage

PARTNER = "SPSALLTESTID"


def ack_name(po: str) -> str:
    return f"PR{po}-{PARTNER}-v7.7.json"


def inbound_chaos(stage: Stage, orders: int, kills: int, seed: int) -> ChaosResult:
    c, rng = stage.c, random.Random(seed)
    result = ChaosResult("inbound", seed, orders)
    numbers = [f"PO-CH{n:04d}" for n in range(orders)]
    for po in numbers:
        c.box.sps.put_file(f"{c.orders_folder}{po}.json", order_bytes(po, ship_to=False))
    # A kill during the first token refresh is the "reconnect needed" case the fault suite covers.
    c.qbo().query("select * from Vendor maxresults 1")

    def progress() -> int:  # files fetched + acks sent: both move as the run works
        fetched = orders - len(c.box.sps.list_files(c.orders_folder))
        return fetched + len(stage.uploads(("PR",)))

    kill_then_complete(stage, "inbound", progress, 2 * orders, kills, rng, result)

    markers = {order_marker(PARTNER, po): po for po in numbers}
    in_qbo: dict[str, int] = {}
    for row in c.purchase_orders():
        found = [markers[line] for line in (row.get("PrivateNote") or "").splitlines() if line in markers]
        name = found[0] if found else f"unknown PurchaseOrder {row['Id']}"
        in_qbo[name] = in_qbo.get(name, 0) + 1
    exactly_once(numbers, in_qbo, result, "PurchaseOrder for")
    exactly_once([ack_name(po) for po in numbers], stage.uploads(("PR",)), result, "855")
    if left := c.order_files():
        result.problems.append(f"{len(left)} files still in the mailbox, e.g. {left[:3]}")
    check_settled(stage, result, [(Direction.INBOUND, "Order"), (Direction.OUTBOUND, "OrderAck")])
    return result
