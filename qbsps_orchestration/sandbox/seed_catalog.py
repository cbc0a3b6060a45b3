"""What the seed company and the seeded SPS mailbox agree on: trading partners and items.

Part numbers and UPCs are those of SPS's published RSX 7.7 sample orders, so those samples map
without any set-up. Two different items share VendorPartNumber ``SPSSupplierHD-40``; their UPCs
and buyer part numbers tell them apart. The XML sample calls the third item ``SPSSupplierHD-60``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class SeedPartner:
    trading_partner_id: str
    vendor_number: str  # the number the retailer assigned to the supplier (RSX header Vendor)
    name: str  # QBO Vendor and Customer DisplayName
    rsx_format: str  # "json" or "xml"


@dataclass(frozen=True)
class SeedItem:
    name: str  # QBO Item Name (unique)
    sku: str  # QBO Item Sku = the supplier's VendorPartNumber
    description: str
    vendor_part_numbers: tuple[str, ...]
    buyer_part_number: str
    upc: str  # ConsumerPackageCode (UPC-A, 12 digits)
    gtin: str  # GTIN-14
    unit_price: Decimal  # sales price
    purchase_cost: Decimal
    # SPS's sample UPC 043000186706 fails the GS1 mod-10 check; the orders carry it anyway, so the
    # written config marks the row instead of "fixing" a code the retailer will keep sending.
    upc_check_digit_valid: bool = True


PARTNERS: tuple[SeedPartner, ...] = (
    SeedPartner("SPSALLTESTID", "VEND6174", "SPS All Test Retail", "json"),
    SeedPartner("525GROMM", "VEND6174", "The Grommet", "xml"),
)

ITEMS: tuple[SeedItem, ...] = (
    SeedItem(
        "HD-20 Sample Item 1",
        "SPSSupplierHD-20",
        "Sample Description1",
        ("SPSSupplierHD-20",),
        "SPSBuyerItem1",
        "859563003863",
        "00859563003863",
        Decimal("20.00"),
        Decimal("12.00"),
    ),
    SeedItem(
        "HD-40 Sample Item 2",
        "SPSSupplierHD-40",
        "Sample Description2",
        ("SPSSupplierHD-40",),
        "SPSBuyerItem2",
        "884502115161",
        "00884502115161",
        Decimal("10.00"),
        Decimal("6.00"),
    ),
    SeedItem(
        "HD-40 Sample Item 3",
        "SPSSupplierHD-60",
        "Sample Description3",
        ("SPSSupplierHD-40", "SPSSupplierHD-60"),
        "SPSBuyerItem3",
        "043000186706",
        "00043000186706",
        Decimal("50.00"),
        Decimal("30.00"),
        upc_check_digit_valid=False,
    ),
)
