"""The bench's orders: N RSX 7.7 JSON orders for SPSALLTESTID, one line for each of the five bench
items in an order and quantities drawn with a seed (every identifier of an item given, so both
qbsps's cross-reference and the naive client's Sku lookup find it)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from qbsps_orchestration.sandbox.seed_catalog import PARTNERS

from .catalog import BENCH_ITEMS

PARTNER = PARTNERS[0]  # SPSALLTESTID, JSON
LINES_PER_ORDER = len(BENCH_ITEMS)  # 5


@dataclass(frozen=True)
class BenchOrder:
    number: str
    content: bytes

    @property
    def file_name(self) -> str:
        return f"{self.number}.json"


def bench_orders(count: int, seed: int) -> list[BenchOrder]:
    rng = random.Random(seed)
    return [_order(f"PO-BN{n:05d}", rng) for n in range(count)]


def _order(number: str, rng: random.Random) -> BenchOrder:
    lines = []
    for item in rng.sample(BENCH_ITEMS, LINES_PER_ORDER):
        line = {
            "BuyerPartNumber": item.buyer_part_number,
            "VendorPartNumber": item.sku,
            "ConsumerPackageCode": item.upc,
            "OrderQty": rng.randint(1, 24),
            "PurchasePrice": str(item.purchase_cost),
            "OrderQtyUOM": "EA",
        }
        lines.append({"OrderLine": line})
    header = {
        "TradingPartnerId": PARTNER.trading_partner_id,
        "PurchaseOrderNumber": number,
        "TsetPurposeCode": "00",
        "PurchaseOrderDate": "2026-11-20",
        "Vendor": PARTNER.vendor_number,
    }
    return BenchOrder(number, json.dumps({"Header": {"OrderHeader": header}, "LineItem": lines}).encode())
