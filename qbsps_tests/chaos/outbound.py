"""500 invoices with shipping data made in QuickBooks; `qbsps sync outbound` SIGKILLed at random
points after it recorded the changes (CDC into the inbox, then 810 and 856 uploads), then synced to
completion. Counted in SPS's own history: each 810 and 856 exactly once, nothing missing."""

from __future__ import annotations

import random

from qbsps_orchestration.lib.inbound import fetch_order_file, sync_order_file
from qbsps_orchestration.lib.ledger import Direction
from qbsps_tests.lib.outbound.landed_orders import order_bytes

from .drive import check_settled, kill_then_complete
from .result import ChaosResult, exactly_once
from .stage import Stage

PARTNER = "SPSALLTESTID"


def outbound_chaos(stage: Stage, invoices: int, kills: int, seed: int) -> ChaosResult:
    c, rng = stage.c, random.Random(seed)
    result = ChaosResult("outbound", seed, 2 * invoices)
    numbers = [f"INV-CH{n:04d}" for n in range(invoices)]
    sps, qbo = c.sps(), c.qbo()
    # Made an hour ago: the first sync's CDC finds them and a later one (its overlap is minutes)
    # does not, so after a kill only the ledger's inbox knows what is still owed.
    c.box.clock.advance(-3600)
    for n, number in enumerate(numbers):  # the orders they bill, landed through the inbound path
        po = f"PO-CHO{n:04d}"
        c.box.sps.put_file(f"{c.orders_folder}{po}.json", order_bytes(po))
        fetch_order_file(c.config, c.ledger, sps, f"{po}.json")
        sync_order_file(c.config, c.ledger, qbo, f"{po}.json")
        c.create_invoice(number, po, qbo=qbo)
    c.box.clock.advance(3600)  # back to the present: SPS's clock and qbsps's agree again
    expected = [f"{kind}{number}-{PARTNER}-v7.7.json" for number in numbers for kind in ("IN", "SH")]

    def progress() -> int:
        return sum(stage.uploads(("IN", "SH")).values())

    kill_then_complete(stage, "outbound", progress, len(expected), kills, rng, result)
    exactly_once(expected, stage.uploads(("IN", "SH")), result, "upload")
    if pending := c.ledger.pending_changes():
        result.problems.append(f"{len(pending)} changes still pending in the inbox")
    check_settled(stage, result, [(Direction.OUTBOUND, "Invoice"), (Direction.OUTBOUND, "Shipment")])
    return result
