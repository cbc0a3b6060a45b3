"""Inbound under the issue-9 fault mix: 500 orders delivered to the SPS mailbox while QBO and SPS
both answer 20% 429, 5% 5xx, cut connections, lose answers after the write landed and answer some
calls later than the client waits. Passes like `qbsps sync inbound` (the mailbox plus every file
the ledger still owes) until nothing is owed. Then replacements (05) of 60 of them while someone
saves the same PurchaseOrders in between (a real 5010). Counted on the sandbox side."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from qbsps_orchestration.lib.config import QbspsConfig
from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.http import TRANSPORT_ERRORS
from qbsps_orchestration.lib.inbound.batch import FileOutcome, process_files
from qbsps_orchestration.lib.inbound.completion import unfinished_order_files
from qbsps_orchestration.lib.sps import SpsError
from qbsps_tests.faults.world import (
    QBO_API,
    SPS_API,
    clients,
    fault_mix,
    inject,
    injected,
    orders_in_qbo,
    seed,
    short_timeout,
)
from qbsps_tests.lib.outbound.landed_orders import order_bytes
from qbsps_tests.lib.outbound.test_send_exactly_once import uploads_held_by_sps, with_lag
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.support import shared_dir

ORDERS = 500
REPLACED = 60
MAX_PASSES = 12
REPLACED_QTY = 7


@dataclass
class Passes:
    count: int = 0
    listing_failures: int = 0
    retried_files: int = 0  # file passes that left something owed
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: dict[str, str] = field(default_factory=dict)  # file -> its last error, for a failure message


def inbound_passes(c: SandboxedConnector, config: QbspsConfig, passes: Passes) -> list[str]:
    """Sync passes until the mailbox is empty and the ledger owes nothing; returns what is left."""
    folder = config.sps.folders.orders
    schemas = RsxSchemas(shared_dir() / "sps_samples" / "schemas" / "v777")
    left: list[str] = []
    for _ in range(MAX_PASSES):
        with clients(config, c.ledger) as api:
            try:
                listed = [entry.name for entry in api.sps.iter_files(folder)]
            except (SpsError, *TRANSPORT_ERRORS):  # the listing outlived its retries: owed files still go
                passes.listing_failures += 1
                listed = []
            names = list(dict.fromkeys([*listed, *unfinished_order_files(c.ledger, config)]))
            if not names and passes.count and not c.order_files():
                return []
            passes.count += 1
            outcomes = process_files(config, c.ledger, api.sps, api.qbo, names, acknowledge_with=schemas)
        left = [o.name for o in outcomes if o.error]
        passes.errors.update({o.name: o.error for o in outcomes if o.error})
        passes.retried_files += len(left)
        passes.outcomes.update(_outcomes(outcomes))
        time.sleep(1.1)  # past the history lag, so an upload SPS does not show may be sent again
    return list(dict.fromkeys(left + unfinished_order_files(c.ledger, config) + c.order_files()))


def _outcomes(outcomes: list[FileOutcome]) -> list[str]:
    return [r.outcome for o in outcomes for r in [*o.fetched, *o.synced]] + [
        f"855 {a.outcome}" for o in outcomes for a in o.acks
    ]


def replacement_bytes(po: str) -> bytes:
    """The same order re-sent as a replacement (05) with the line's quantity changed."""
    order = json.loads(order_bytes(po, ship_to=False))
    order["Header"]["OrderHeader"]["TsetPurposeCode"] = "05"
    order["LineItem"][0]["OrderLine"]["OrderQty"] = REPLACED_QTY
    return json.dumps(order).encode()


@pytest.mark.long
def test_500_orders_land_once_and_are_acknowledged_once_under_faults(
    empty_connector: SandboxedConnector, report_measurement
) -> None:
    c = empty_connector
    value = seed("inbound")
    config = with_lag(short_timeout(c.config), 1)
    orders = [f"PO-IN-{n:04d}" for n in range(ORDERS)]
    for po in orders:
        c.box.sps.put_file(c.orders_folder + f"{po}.json", order_bytes(po, ship_to=False))
    inject(c.box.qbo_url, fault_mix(QBO_API), value)
    inject(c.box.sps_url, fault_mix(SPS_API), value + 1)

    began = time.monotonic()
    passes = Passes()
    left = inbound_passes(c, config, passes)
    qbo_hits, sps_hits = injected(c.box.qbo_url), injected(c.box.sps_url)
    took = time.monotonic() - began

    assert left == [], f"seed {value}: still owed after {passes.count} passes: {_why(passes, left)}"
    counts = orders_in_qbo(c)
    assert counts == dict.fromkeys(orders, 1), f"seed {value}: {_off(counts, orders)}"
    assert len(c.purchase_orders()) == ORDERS
    assert c.order_files() == []
    acks = uploads_held_by_sps(c)
    expected = {ack_path(po): 1 for po in orders}
    assert acks == expected, f"seed {value}: {_off_acks(acks, expected)}"
    assert c.ledger.unfinished_documents() == [] and c.ledger.open_intents() == []
    report_measurement(
        f"{ORDERS} orders, seed {value}: QBO faults {qbo_hits}; SPS faults {sps_hits}; {passes.count} passes "
        f"({passes.retried_files} file passes left owed, {passes.listing_failures} listings failed) in "
        f"{took:.0f} s; {ORDERS} POs and {len(acks)} 855s, duplicates 0, lost 0"
    )

    # Replacements of the first REPLACED orders while a bookkeeper saves the same POs in between.
    purchase_orders = f"{QBO_API}{config.qbo.realm_id}/purchaseorder"
    edits = {"concurrent_edit": True, "rate": 0.3, "path_prefix": purchase_orders, "method": "POST"}
    inject(c.box.qbo_url, [*fault_mix(QBO_API, slow_rate=0), edits], value + 2)
    inject(c.box.sps_url, fault_mix(SPS_API, slow_rate=0), value + 3)
    replaced = orders[:REPLACED]
    for po in replaced:
        c.box.sps.put_file(c.orders_folder + f"{po}-05.json", replacement_bytes(po))
    again = Passes()
    left = inbound_passes(c, config, again)
    qbo_hits = injected(c.box.qbo_url)

    assert left == [], (
        f"seed {value}: replacements still owed after {again.count} passes: {_why(again, left)}"
    )
    assert qbo_hits["concurrent edit (5010)"] > 0
    assert orders_in_qbo(c) == dict.fromkeys(orders, 1), f"seed {value}: a replacement made a new PO"
    quantities = _quantities(c)
    assert {po for po, qty in quantities.items() if qty == REPLACED_QTY} == set(replaced)
    assert {qty for po, qty in quantities.items() if po not in replaced} == {Decimal(4)}
    assert c.order_files() == []
    assert c.ledger.unfinished_documents() == [] and c.ledger.open_intents() == []
    # One 855 per version, each under its own path: the original's, and the replacement's (05).
    acks = uploads_held_by_sps(c)
    expected = {ack_path(po): 1 for po in orders} | {ack_path(po, revision=2): 1 for po in replaced}
    assert acks == expected, f"seed {value}: {_off_acks(acks, expected)}"
    report_measurement(
        f"{REPLACED} replacements (05), seed {value + 2}: QBO faults {qbo_hits}; {again.count} passes; "
        f"each applied once, no new PO; duplicates 0, lost 0"
    )


def _quantities(c: SandboxedConnector) -> dict[str, Decimal]:
    """PO number -> the quantity of its one item line, from one read of the sandbox's QBO."""
    marker = "qbsps order SPSALLTESTID/"
    quantities: dict[str, Decimal] = {}
    for row in c.purchase_orders():
        note = row.get("PrivateNote") or ""
        if marker not in note:
            continue
        po = note.split(marker, 1)[1].split()[0]
        assert po not in quantities, f"{po} has two PurchaseOrders"
        [line] = [ln for ln in row["Line"] if ln.get("DetailType") == "ItemBasedExpenseLineDetail"]
        quantities[po] = Decimal(str(line["ItemBasedExpenseLineDetail"]["Qty"]))
    return quantities


def _off(counts: Counter[str], orders: list[str]) -> dict[str, int]:
    return {po: counts.get(po, 0) for po in orders if counts.get(po, 0) != 1}


def _why(passes: Passes, left: list[str]) -> dict[str, str]:
    return {name: passes.errors.get(name, "?") for name in left[:5]}


def ack_path(po: str, revision: int = 1) -> str:
    """Where qbsps uploads an order's 855 (its deterministic name in SPS `in/`, one per version)."""
    return f"/in/PR{po}-SPSALLTESTID-v7.7{f'-r{revision}' if revision > 1 else ''}.json"


def _off_acks(acks: dict[str, int], expected: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Path -> (uploads SPS holds, uploads expected), where they differ."""
    return {p: (acks.get(p, 0), n) for p, n in {**acks, **expected}.items() if acks.get(p, 0) != n}
