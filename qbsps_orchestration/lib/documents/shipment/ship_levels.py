"""The Order, Pack and Item levels of a ship notice, and the lading summary. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from ...config import TradingPartner
from ...gs1 import is_valid_gtin
from ...items import GS1_LINE_CODES
from ...rsx import Order
from .ship_cartons import Carton
from .ship_lines import ShippedLine
from .ship_parties import mark_for


def pack_level(
    carton: Carton,
    serial: str | None,
    lines: dict[str, ShippedLine],
    invoice: dict[str, Any],
    *,
    single: bool,
) -> dict[str, Any]:
    pack: dict[str, Any] = {"PackLevelType": "P"}
    if serial is not None:
        pack["ShippingSerialID"] = serial
    tracking = carton.tracking_number or (text(invoice.get("TrackingNum")) if single else None)
    if tracking:
        pack["CarrierPackageID"] = tracking
    items = [_item_level(lines[key], quantity) for key, quantity in carton.contents.items() if key in lines]
    return {"Pack": pack, "ItemLevel": items}


def _item_level(line: ShippedLine, quantity: Decimal) -> dict[str, Any]:
    ordered = line.order_line
    uom = ordered.OrderQtyUOM or "EA"  # QBO has no UOM: the invoice counts in the order's unit
    status = "BP" if ordered.OrderQty is not None and line.quantity < ordered.OrderQty else "AC"
    shipment_line: dict[str, Any] = {"LineSequenceNumber": line.key}
    for name in ("BuyerPartNumber", "VendorPartNumber", *GS1_LINE_CODES):
        value = getattr(ordered, name)
        if value and (name not in GS1_LINE_CODES or is_valid_gtin(value)):
            shipment_line[name] = value
    product_ids = [
        {"PartNumberQual": p.PartNumberQual, "PartNumber": p.PartNumber}
        for p in ordered.ProductID
        if p.PartNumberQual and p.PartNumber
    ]
    if product_ids:
        shipment_line["ProductID"] = product_ids
    if ordered.OrderQty is not None:
        shipment_line.update(OrderQty=ordered.OrderQty, OrderQtyUOM=uom)
    if ordered.PurchasePrice is not None:
        shipment_line["PurchasePrice"] = ordered.PurchasePrice
    shipment_line.update(ItemStatusCode=status, ShipQty=quantity, ShipQtyUOM=uom)
    item: dict[str, Any] = {"ShipmentLine": shipment_line}
    if line.descriptions:
        item["ProductOrItemDescription"] = [
            {"ProductCharacteristicCode": "08", "ProductDescription": words} for words in line.descriptions
        ]
    return item


def lading(cartons: Sequence[Carton]) -> dict[str, Any]:
    """Lading quantity = number of cartons; the gross weight only when every carton was weighed."""
    lading: dict[str, Any] = {"PackingMedium": "CTN", "LadingQuantity": len(cartons)}
    weights = [carton.weight_lb for carton in cartons]
    if weights and all(weight is not None for weight in weights):
        lading.update(WeightQualifier="G", Weight=sum(weights, Decimal(0)), WeightUOM="LB")
    return lading


def order_level(
    invoice: dict[str, Any],
    partner: TradingPartner,
    order: Order,
    packs: list[dict[str, Any]],
    lading: list[dict[str, Any]],
) -> dict[str, Any]:
    ordered = order.header
    header: dict[str, Any] = {
        "PurchaseOrderNumber": ordered.PurchaseOrderNumber,
        "ReleaseNumber": ordered.ReleaseNumber,
        "PurchaseOrderDate": ordered.PurchaseOrderDate.isoformat() if ordered.PurchaseOrderDate else None,
        "InvoiceNumber": text(invoice.get("DocNumber")),
        "InvoiceDate": iso_date(invoice.get("TxnDate")),
        "Department": ordered.Department,
        "Division": ordered.Division,
        "Vendor": ordered.Vendor or partner.vendor_number,
        "CustomerOrderNumber": ordered.CustomerOrderNumber,
    }
    level: dict[str, Any] = {"OrderHeader": {k: v for k, v in header.items() if v is not None}}
    level["QuantityAndWeight"] = [dict(entry) for entry in lading]
    references = [
        {
            k: v
            for k, v in (
                ("ReferenceQual", r.ReferenceQual),
                ("ReferenceID", r.ReferenceID),
                ("Description", r.Description),
            )
            if v
        }
        for r in order.Header.References
        if r.ReferenceQual and r.ReferenceID
    ]
    if references:  # SPS: "typically return whatever References are received on the PO"
        level["References"] = references
    if (store := mark_for(order)) is not None:
        level["Address"] = [store]
    level["PackLevel"] = packs
    return level


def iso_date(value: Any) -> str | None:
    """A QBO date (YYYY-MM-DD) as RSX writes it; None when it is not one."""
    raw = value.strip() if isinstance(value, str) else ""
    if len(raw) != 10:
        return None
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        return None


def text(value: Any) -> str | None:
    """A QBO text field stripped; None when absent or blank."""
    return str(value).strip() or None if value is not None else None
