"""qbsps's own demo purchase orders (RSX 7.7 Order), built from the seed catalog.

Used when SPS's published samples are not on the machine, so a fresh checkout still has orders
in ``out/PO/``. Each partner gets its configured format: JSON for SPSALLTESTID, namespaced XML
with the plural ``<Orders>`` wrapper for 525GROMM. Written here from the RSX field list, not
copied from SPS's files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from ..seed_catalog import ITEMS, PARTNERS, SeedItem, SeedPartner
from .rsx_check import RSX_NAMESPACE


@dataclass(frozen=True)
class DemoLine:
    item: SeedItem
    quantity: int
    vendor_part_number: str | None = None  # which of the item's vendor part numbers the buyer uses
    stores: tuple[tuple[str, int], ...] = ()  # multi-store split: (location, quantity)


@dataclass(frozen=True)
class DemoOrder:
    partner: SeedPartner
    po_number: str
    scenario: str
    po_type: str  # PrimaryPOTypeCode: SA stand-alone, DS drop ship
    lines: tuple[DemoLine, ...]
    customer_order_number: str | None = None

    @property
    def file_name(self) -> str:
        return f"{self.po_number}-v7.7-{self.scenario}.{self.partner.rsx_format}"


def _partner(trading_partner_id: str) -> SeedPartner:
    return next(p for p in PARTNERS if p.trading_partner_id == trading_partner_id)


DEMO_ORDERS: tuple[DemoOrder, ...] = (
    DemoOrder(
        _partner("SPSALLTESTID"),
        "PO700101-1",
        "BulkImport",
        "SA",
        (DemoLine(ITEMS[0], 12), DemoLine(ITEMS[1], 24)),
    ),
    DemoOrder(
        _partner("SPSALLTESTID"),
        "PO700102-1",
        "DropShip",
        "DS",
        (DemoLine(ITEMS[2], 1),),
        customer_order_number="WEB-20417",
    ),
    DemoOrder(
        _partner("SPSALLTESTID"),
        "PO700103-1",
        "MultiStore",
        "SA",
        (DemoLine(ITEMS[0], 20, stores=(("0010", 12), ("0020", 8))),),
    ),
    DemoOrder(
        _partner("525GROMM"),
        "PO700104-1",
        "Grommet",
        "SA",
        (DemoLine(ITEMS[1], 6), DemoLine(ITEMS[2], 4, vendor_part_number="SPSSupplierHD-60")),
    ),
)

_SUPPLIER_DC = {
    "AddressTypeCode": "ST",
    "LocationCodeQualifier": "92",
    "AddressLocationNumber": "0451",
    "AddressName": "Retail Distribution Center 451",
    "Address1": "2100 Harbor Way",
    "City": "Columbus",
    "State": "OH",
    "PostalCode": "43215",
    "Country": "USA",
}
_BILL_TO = {
    "AddressTypeCode": "BT",
    "LocationCodeQualifier": "92",
    "AddressLocationNumber": "0001",
    "AddressName": "Accounts Payable",
    "Address1": "500 Market Street",
    "City": "Columbus",
    "State": "OH",
    "PostalCode": "43215",
    "Country": "USA",
}
_CONSUMER = {
    "AddressTypeCode": "ST",
    "AddressName": "Jordan Avery",
    "Address1": "18 Linden Court",
    "City": "Dayton",
    "State": "OH",
    "PostalCode": "45402",
    "Country": "USA",
}


def _number(value: Decimal | int) -> int | float:
    # JSON has one number type; repr of a float round-trips these short decimals exactly.
    return value if isinstance(value, int) else (int(value) if value == value.to_integral() else float(value))


def order_document(order: DemoOrder, today: date) -> dict[str, Any]:
    header: dict[str, Any] = {
        "TradingPartnerId": order.partner.trading_partner_id,
        "PurchaseOrderNumber": order.po_number,
        "TsetPurposeCode": "00",
        "PrimaryPOTypeCode": order.po_type,
        "PurchaseOrderDate": today.isoformat(),
        "BuyersCurrency": "USD",
        "Department": "SPS",
        "Vendor": order.partner.vendor_number,
    }
    if order.customer_order_number:
        header["CustomerOrderNumber"] = order.customer_order_number
    addresses = [dict(_CONSUMER)] if order.po_type == "DS" else [dict(_BILL_TO), dict(_SUPPLIER_DC)]
    lines: list[dict[str, Any]] = []
    total = Decimal("0")
    for number, line in enumerate(order.lines, start=1):
        price = line.item.unit_price
        total += price * line.quantity
        entry: dict[str, Any] = {
            "OrderLine": {
                "LineSequenceNumber": str(number),
                "BuyerPartNumber": line.item.buyer_part_number,
                "VendorPartNumber": line.vendor_part_number or line.item.sku,
                "ConsumerPackageCode": line.item.upc,
                "GTIN": line.item.gtin,
                "OrderQty": line.quantity,
                "OrderQtyUOM": "EA",
                "PurchasePrice": _number(price),
                "PurchasePriceBasis": "PE",
            },
            "ProductOrItemDescription": [
                {"ProductCharacteristicCode": "08", "ProductDescription": line.item.description}
            ],
        }
        if line.stores:
            entry["QuantitiesSchedulesLocations"] = [
                {
                    "QuantityQualifier": "SQ",
                    "TotalQty": line.quantity,
                    "TotalQtyUOM": "EA",
                    "LocationQuantity": [{"Location": loc, "Qty": qty} for loc, qty in line.stores],
                }
            ]
        lines.append(entry)
    return {
        "Header": {
            "OrderHeader": header,
            "PaymentTerms": [
                {
                    "TermsType": "01",
                    "TermsBasisDateCode": "3",
                    "TermsNetDueDays": 30,
                    "TermsDescription": "Net 30",
                }
            ],
            "Dates": [{"DateTimeQualifier": "010", "Date": (today + timedelta(days=7)).isoformat()}],
            "Address": addresses,
            "CarrierInformation": [
                {"CarrierTransMethodCode": "M", "CarrierAlphaCode": "UPSN", "CarrierRouting": "UPS Ground"}
            ],
            "Notes": [{"NoteCode": "GEN", "Note": "qbsps demo order"}],
        },
        "LineItem": lines,
        "Summary": {"TotalAmount": _number(total), "TotalLineItemNumber": len(lines)},
    }


def to_xml(doc_type: str, plural: str, document: dict[str, Any]) -> bytes:
    """RSX XML: the JSON element names, arrays as repeated elements, in the RSX namespace."""
    ET.register_namespace("", RSX_NAMESPACE)
    root = ET.Element(f"{{{RSX_NAMESPACE}}}{plural}")
    _fill(ET.SubElement(root, f"{{{RSX_NAMESPACE}}}{doc_type}"), document)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _fill(parent: ET.Element, value: dict[str, Any]) -> None:
    for name, child in value.items():
        for item in child if isinstance(child, list) else [child]:
            element = ET.SubElement(parent, f"{{{RSX_NAMESPACE}}}{name}")
            if isinstance(item, dict):
                _fill(element, item)
            else:
                element.text = str(item)


def order_file(order: DemoOrder, today: date) -> bytes:
    """One order's file content, in its partner's format, dated ``today``."""
    document = order_document(order, today)
    if order.partner.rsx_format == "xml":
        return to_xml("Order", "Orders", document)
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def demo_order_files(today: date) -> dict[str, bytes]:
    """File name -> content of each demo order, dated ``today``."""
    return {order.file_name: order_file(order, today) for order in DEMO_ORDERS}
