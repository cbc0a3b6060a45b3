"""The five items of the bench's orders: the sandbox seed's three plus two the bench adds to each
company (and to the connector config), so that each line of an order names another item."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.seed_catalog import ITEMS


@dataclass(frozen=True)
class BenchItem:
    name: str  # QBO Item Name
    sku: str  # QBO Sku = VendorPartNumber
    buyer_part_number: str
    upc: str
    purchase_cost: Decimal


def _upc(first_eleven: str) -> str:
    """UPC-A with its GS1 mod-10 check digit."""
    odd = sum(int(d) for d in first_eleven[0::2])
    even = sum(int(d) for d in first_eleven[1::2])
    return first_eleven + str((10 - (odd * 3 + even) % 10) % 10)


SEEDED = tuple(BenchItem(i.name, i.sku, i.buyer_part_number, i.upc, i.purchase_cost) for i in ITEMS)
ADDED = (
    BenchItem("BN-70 Bench Item 4", "QBSPSBench-70", "SPSBuyerItem4", _upc("06141410070"), Decimal("7.50")),
    BenchItem("BN-80 Bench Item 5", "QBSPSBench-80", "SPSBuyerItem5", _upc("06141410080"), Decimal("3.25")),
)
BENCH_ITEMS = SEEDED + ADDED


def add_bench_items(box: Sandbox) -> None:
    """Create the added items in the sandbox company, in-process (not counted as API calls)."""
    service = box.qbo.service
    cogs = box.qbo.find("Account", AccountType="Cost of Goods Sold")[0]
    income = box.qbo.find("Account", AccountType="Income")[0]
    for item in ADDED:
        body = {
            "Name": item.name,
            "Sku": item.sku,
            "Type": "NonInventory",
            "PurchaseCost": item.purchase_cost,
            "UnitPrice": item.purchase_cost * 2,
            "IncomeAccountRef": {"value": income["Id"]},
            "ExpenseAccountRef": {"value": cogs["Id"]},
        }
        service.create("Item", body)


def config_rows(box: Sandbox) -> list[dict]:
    """The connector config's `items` rows for the added items (the seeded ones are written already)."""
    return [
        {
            "qbo_item": {"id": str(box.qbo.find("Item", Name=item.name)[0]["Id"])},
            "vendor_part_number": item.sku,
            "buyer_part_number": item.buyer_part_number,
            "upc": item.upc,
        }
        for item in ADDED
    ]
