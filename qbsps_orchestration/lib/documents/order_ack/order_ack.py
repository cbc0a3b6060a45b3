"""Inbound RSX Order that landed in QBO → RSX 7.7 OrderAck (855). Pure; no I/O.

Every line is acknowledged with its own status (the "detail" acknowledgement types): IA accepted
as ordered, IQ accepted with a changed quantity, IP with a changed price, DR with a new ship date,
IC with more than one of those, IR rejected (an item qbsps could not map), or any other
ItemStatusCode the caller decides. The header type follows from the lines: AD when all are
accepted unchanged, RD when all are rejected, AC otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ...config import QbspsConfig, TradingPartner
from ...rsx import Order, OrderLineItem
from ..addresses import order_address
from ..document import OutboundDocument, outbound_file_name
from ..order_lines import IDENTIFIER_ELEMENTS, bad_gs1_codes
from ..totals import ZERO, cents

TSET_ORIGINAL = "00"
ACCEPTED = "IA"
QUANTITY_CHANGED = "IQ"
PRICE_CHANGED = "IP"
DATE_RESCHEDULED = "DR"
CHANGES_MADE = "IC"  # accepted with more than one change (quantity, price, date)
REJECTED = "IR"
ACK_NO_CHANGE = "AD"  # detail, no change
ACK_WITH_CHANGE = "AC"  # detail and change
ACK_REJECTED = "RD"  # reject with detail
SCHEDULED_SHIP = "068"  # ItemScheduleQualifier: current schedule ship
DEFAULT_UOM = "EA"


@dataclass(frozen=True)
class LineAck:
    """How one order line is acknowledged. `quantity` is what will ship and `price` what it costs
    (None: as ordered)."""

    item_status_code: str
    quantity: Decimal | None = None
    ship_date: date | None = None
    price: Decimal | None = None

    @classmethod
    def accepted(cls, *, ship_date: date | None = None) -> LineAck:
        return cls(ACCEPTED, None, ship_date)

    @classmethod
    def quantity_changed(cls, quantity: Decimal, *, ship_date: date | None = None) -> LineAck:
        return cls(QUANTITY_CHANGED, quantity, ship_date)

    @classmethod
    def rejected(cls) -> LineAck:
        return cls(REJECTED, Decimal(0))


def build_order_ack(
    order: Order,
    *,
    partner: TradingPartner,
    config: QbspsConfig,
    line_status: dict[int, LineAck] | None = None,
    ack_date: date,
) -> OutboundDocument:
    """The 855 for `order`. `line_status` is keyed by the line's position in ``order.LineItem``
    (0-based; LineSequenceNumber may be absent or repeated); lines not in it are accepted."""
    header = order.header
    po_number = header.PurchaseOrderNumber
    fmt = partner.rsx_format
    doc = OutboundDocument(
        doc_type="OrderAck",
        trading_partner_id=partner.trading_partner_id,
        business_key=po_number,
        data={},
        file_name=outbound_file_name("OrderAck", po_number, partner.trading_partner_id, fmt),
        format=fmt,
    )
    statuses = dict(line_status or {})
    for index in sorted(set(statuses) - set(range(len(order.LineItem)))):
        count = len(order.LineItem)
        doc.problem("LineItem", f"line_status names line {index}, but the order has {count} lines")
    if header.TradingPartnerId != partner.trading_partner_id:
        doc.problem(
            "Header.OrderHeader.TradingPartnerId",
            f"order {po_number} came from trading partner {header.TradingPartnerId}, "
            f"not {partner.trading_partner_id}",
        )
    if partner not in config.trading_partners:
        where = "Header.OrderHeader.TradingPartnerId"
        doc.problem(where, f"{partner.trading_partner_id} is not a configured trading partner")
    if not order.LineItem:
        doc.problem("LineItem", f"order {po_number} has no lines to acknowledge")

    default_ship = order.date("010")  # requested ship date: the schedule when the caller gives none
    lines = []
    for index, item in enumerate(order.LineItem):
        ack = statuses.get(index, LineAck.accepted())
        ship_date = ack.ship_date or item.OrderLine.ShipDate or (default_ship.Date if default_ship else None)
        lines.append(_ack_line(doc, item, ack, ship_date, f"LineItem[{index}]"))
    codes = [ack_line["LineItemAcknowledgement"][0]["ItemStatusCode"] for ack_line in lines]

    group: dict[str, Any] = {"OrderHeader": _ack_header(order, partner, codes, ack_date)}
    ship_to = order_address(order, "ST")
    if ship_to:
        group["Address"] = [ship_to]
    doc.data = {"Header": group, "LineItem": lines, "Summary": _summary(lines)}
    return doc


def acknowledgement_type(codes: list[str]) -> str:
    if codes and all(code == REJECTED for code in codes):
        return ACK_REJECTED
    if all(code == ACCEPTED for code in codes):
        return ACK_NO_CHANGE
    return ACK_WITH_CHANGE


def _ack_header(order: Order, partner: TradingPartner, codes: list[str], ack_date: date) -> dict[str, Any]:
    po = order.header
    header = {
        "TradingPartnerId": partner.trading_partner_id,
        "PurchaseOrderNumber": po.PurchaseOrderNumber,
        "TsetPurposeCode": TSET_ORIGINAL,
        "PrimaryPOTypeCode": po.PrimaryPOTypeCode,
        "PurchaseOrderDate": po.PurchaseOrderDate.isoformat() if po.PurchaseOrderDate else None,
        "ReleaseNumber": po.ReleaseNumber,
        "AcknowledgementType": acknowledgement_type(codes),
        "AcknowledgementDate": ack_date.isoformat(),
        "BuyersCurrency": po.BuyersCurrency,
        "Department": po.Department,
        "Vendor": partner.vendor_number,
        "Division": po.Division,
        "CustomerOrderNumber": po.CustomerOrderNumber,
    }
    return {key: value for key, value in header.items() if value}


def _ack_line(
    doc: OutboundDocument, item: OrderLineItem, ack: LineAck, ship_date: date | None, path: str
) -> dict[str, Any]:
    line = item.OrderLine
    ordered = line.OrderQty
    uom = line.OrderQtyUOM or DEFAULT_UOM
    if ordered is None:
        doc.problem(f"{path}.OrderLine.OrderQty", "the order line has no quantity to acknowledge")
    quantity = ordered if ack.quantity is None else ack.quantity
    if ack.item_status_code == QUANTITY_CHANGED and ordered is not None and quantity == ordered:
        doc.problem(
            f"{path}.LineItemAcknowledgement[0].ItemScheduleQty",
            f"status IQ (quantity changed) but the quantity {quantity} is the ordered quantity",
        )
    bad = dict(bad_gs1_codes(line))
    for name, code in bad.items():
        doc.warn(
            f"{path}.OrderLine.{name}", f"the order's {code!r} has a wrong GS1 check digit; left off the ack"
        )
    names = ("LineSequenceNumber", *IDENTIFIER_ELEMENTS)
    order_line = {name: getattr(line, name) for name in names if name not in bad}
    order_line.update(OrderQty=ordered, OrderQtyUOM=uom, PurchasePrice=line.PurchasePrice)
    order_line.update(PurchasePriceBasis=line.PurchasePriceBasis)
    acknowledgement: dict[str, Any] = {"ItemStatusCode": ack.item_status_code}
    if quantity is not None:
        acknowledgement.update(ItemScheduleQty=quantity, ItemScheduleUOM=uom)
    if ack.price is not None:
        acknowledgement.update(PurchasePrice=ack.price)
    if ship_date is not None and ack.item_status_code != REJECTED:
        acknowledgement.update(ItemScheduleQualifier=SCHEDULED_SHIP, ItemScheduleDate=ship_date.isoformat())
    out: dict[str, Any] = {
        "OrderLine": {key: value for key, value in order_line.items() if value is not None},
        "LineItemAcknowledgement": [acknowledgement],
    }
    described = [
        {"ProductCharacteristicCode": d.ProductCharacteristicCode, "ProductDescription": d.ProductDescription}
        for d in item.ProductOrItemDescription
        if d.ProductDescription
    ]
    if described:
        out["ProductOrItemDescription"] = [{k: v for k, v in d.items() if v} for d in described]
    return out


def _summary(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """TotalAmount is what the acknowledgement commits to: Σ acknowledged quantity × price."""
    total = ZERO
    for line in lines:
        acknowledged = line["LineItemAcknowledgement"][0]
        price = acknowledged.get("PurchasePrice", line["OrderLine"].get("PurchasePrice"))
        quantity = acknowledged.get("ItemScheduleQty")
        if price is not None and quantity is not None:
            total += quantity * price
    return {"TotalAmount": cents(total), "TotalLineItemNumber": len(lines)}
