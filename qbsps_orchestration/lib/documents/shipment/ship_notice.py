"""QBO Invoice shipping data + the original order → RSX 7.7 Shipment (856 ship notice).

Structure Shipment/Order/Pack/Item (ASNStructureCode ``0001``): one OrderLevel for the order the
invoice bills, one PackLevel per carton (PackLevelType ``P``, SSCC-18 in ShippingSerialID), and in
each pack the order lines it holds, with the order's own identifiers and ordered quantities.

What QBO does not record is left out rather than invented: ShipmentTime (QBO has a ship date
only), CarrierTransMethodCode (config maps a ship method to a SCAC, not to a transport mode),
BillOfLadingNumber / CarrierProNumber unless the caller passes them. TrackingNum goes to a header
Reference ``2I`` and, for a single carton, to its CarrierPackageID. TotalLineItemNumber counts
ItemLevels (a line split over two cartons counts twice, as in SPS's samples).

Pure: no HTTP and no ledger. Carton serials come only from `next_serial`, which the caller backs
with the ledger's never-repeating sequence. Everything that is not the QBO Invoice's own data is
deterministic, so rebuilding an unchanged invoice gives the same document except for the SSCCs
(the caller reuses stored serials when it re-sends a shipment).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from ... import gs1
from ...config import QbspsConfig, TradingPartner
from ...rsx import Order
from ..document import OutboundDocument, outbound_file_name
from ..order_lines import bad_gs1_codes
from .ship_cartons import Carton, carton_problems, one_carton
from .ship_levels import iso_date, lading, order_level, pack_level, text
from .ship_lines import ShippedLine, match_lines
from .ship_parties import carrier, ship_from, ship_to

ASN_STRUCTURE_SOPI = "0001"  # Shipment/Order/Pack/Item
PURPOSE_ORIGINAL = "00"
DATE_SHIPPED = "011"  # DateTimeQualifier: Shipped
REFERENCE_TRACKING = "2I"  # ReferenceQual: Tracking Number
SSCC_APPLICATION_IDENTIFIER = "00"  # RSX ShippingSerialID is the AI (00) + the 18-digit SSCC


def has_shipping_data(invoice: dict[str, Any]) -> bool:
    """True when the invoice says the goods left: a ShipDate plus a TrackingNum or a ShipMethodRef."""
    ship_date = invoice.get("ShipDate")
    tracking = invoice.get("TrackingNum")
    method = invoice.get("ShipMethodRef")
    has_method = isinstance(method, dict) and bool(method.get("value") or method.get("name"))
    return bool(ship_date) and (bool(tracking and str(tracking).strip()) or has_method)


def shipment_identification(invoice: dict[str, Any]) -> str:
    """The invoice's DocNumber (what the supplier and the retailer both see), else its QBO Id."""
    for key in ("DocNumber", "Id"):
        value = invoice.get(key)
        if value is not None and str(value).strip():
            return str(value).strip()
    raise ValueError("QBO Invoice has neither DocNumber nor Id: cannot name its ship notice")


def build_ship_notice(
    invoice: dict[str, Any],
    *,
    partner: TradingPartner,
    config: QbspsConfig,
    order: Order,
    cartons: Sequence[Carton] | None = None,
    next_serial: Callable[[], int],
    shipment_id: str | None = None,
    extension_digit: int = 0,
    noticed_at: datetime | None = None,
    bill_of_lading: str | None = None,
    carrier_pro_number: str | None = None,
) -> OutboundDocument:
    """The RSX Shipment for `invoice`. `cartons` default to one carton holding everything shipped
    (see ship_cartons). `noticed_at` (ShipNoticeDate/Time) defaults to the invoice's
    MetaData.LastUpdatedTime. Problems with the input land in `build_problems`."""
    if noticed_at is not None and noticed_at.tzinfo is None:
        raise ValueError("noticed_at must be timezone-aware")
    shipment_id = shipment_id or shipment_identification(invoice)
    tp = partner.trading_partner_id
    document = OutboundDocument(
        doc_type="Shipment",
        trading_partner_id=tp,
        business_key=shipment_id,
        data={},
        file_name=outbound_file_name("Shipment", shipment_id, tp, partner.rsx_format),
        format=partner.rsx_format,
    )
    _check_routing(document, invoice, partner, order)

    matched = match_lines(invoice, order, config.item_crossref)
    for path, reason in matched.problems:
        document.problem(path, reason)
    for path, reason in matched.warnings:
        document.warn(path, reason)
    shipped = matched.shipped
    if not shipped:
        document.problem(
            "OrderLevel[0].PackLevel",
            f"no invoice line ships an item of order "
            f"{order.header.PurchaseOrderNumber} (check the item cross-reference)",
        )
    for line in shipped:
        for name, code in bad_gs1_codes(line.order_line):
            document.warn(
                f"order line {line.key} {name}",
                f"{code!r} has a wrong GS1 check digit; left off the ship notice",
            )
    packed = list(cartons) if cartons is not None else one_carton(shipped)
    for path, reason in carton_problems(packed, matched.lines):
        document.problem(path, reason)

    serials = _sscc_serials(document, packed, partner, config, next_serial, extension_digit)
    by_key = {line.key: line for line in matched.lines}
    packs = [
        pack_level(carton, serial, by_key, invoice, single=len(packed) == 1)
        for carton, serial in zip(packed, serials, strict=True)
    ]
    header = _header_group(
        document,
        invoice,
        config,
        order,
        shipment_id,
        packed,
        shipped,
        noticed_at,
        bill_of_lading,
        carrier_pro_number,
    )
    ordered = order_level(invoice, partner, order, packs, header["QuantityAndWeight"])
    document.data = {
        "Header": header,
        "OrderLevel": [ordered],
        "Summary": {"TotalOrders": 1, "TotalLineItemNumber": sum(len(p["ItemLevel"]) for p in packs)},
    }
    return document


def _check_routing(
    document: OutboundDocument, invoice: dict[str, Any], partner: TradingPartner, order: Order
) -> None:
    tp_path = "Header.ShipmentHeader.TradingPartnerId"
    if order.header.TradingPartnerId != partner.trading_partner_id:
        document.problem(
            tp_path,
            f"order {order.header.PurchaseOrderNumber} came from trading partner "
            f"{order.header.TradingPartnerId!r}, not {partner.trading_partner_id!r}",
        )
    customer = invoice.get("CustomerRef") if isinstance(invoice.get("CustomerRef"), dict) else {}
    expected = partner.qbo_customer
    if customer and (
        (expected.id is not None and str(customer.get("value")) != expected.id)
        or (expected.name is not None and customer.get("name") != expected.name)
    ):
        document.problem(
            tp_path,
            f"QBO Invoice customer {customer.get('name') or customer.get('value')!r} "
            f"is not partner {partner.trading_partner_id}'s qbo_customer ({expected})",
        )
    po_number = invoice.get("PONumber")
    if po_number is None or not str(po_number).strip():
        document.warn("OrderLevel[0].OrderHeader.PurchaseOrderNumber", "QBO Invoice has no PONumber")
    elif str(po_number).strip() != order.header.PurchaseOrderNumber:
        document.problem(
            "OrderLevel[0].OrderHeader.PurchaseOrderNumber",
            f"QBO Invoice PONumber {po_number!r} is not the order's {order.header.PurchaseOrderNumber!r}",
        )


def _sscc_serials(
    document: OutboundDocument,
    cartons: Sequence[Carton],
    partner: TradingPartner,
    config: QbspsConfig,
    next_serial: Callable[[], int],
    extension_digit: int,
) -> list[str | None]:
    prefix = partner.gs1_company_prefix
    if prefix is None:
        if cartons:
            index = next((i for i, p in enumerate(config.trading_partners) if p == partner), None)
            key = f"trading_partners[{index if index is not None else partner.trading_partner_id}]"
            document.problem(
                "OrderLevel[0].PackLevel[0].Pack.ShippingSerialID",
                f"no SSCC-18 for the cartons: {key}.gs1_company_prefix is not set for partner "
                f"{partner.trading_partner_id}",
            )
        return [None] * len(cartons)
    serials: list[str | None] = []
    for index, _carton in enumerate(cartons):
        try:
            sscc = gs1.sscc18(extension_digit, prefix, next_serial())
        except ValueError as exc:
            document.problem(f"OrderLevel[0].PackLevel[{index}].Pack.ShippingSerialID", str(exc))
            serials.append(None)
            continue
        serials.append(SSCC_APPLICATION_IDENTIFIER + sscc)
    return serials


def _header_group(
    document: OutboundDocument,
    invoice: dict[str, Any],
    config: QbspsConfig,
    order: Order,
    shipment_id: str,
    cartons: Sequence[Carton],
    shipped: list[ShippedLine],
    noticed_at: datetime | None,
    bill_of_lading: str | None,
    carrier_pro_number: str | None,
) -> dict[str, Any]:
    ship_date = _ship_date(document, invoice)
    noticed = noticed_at or _last_updated(invoice)
    header: dict[str, Any] = {
        "TradingPartnerId": document.trading_partner_id,
        "ShipmentIdentification": shipment_id,
        "ShipDate": ship_date,
        "TsetPurposeCode": PURPOSE_ORIGINAL,
        "ShipNoticeDate": noticed.date().isoformat() if noticed else ship_date,
        "ShipNoticeTime": noticed.timetz().isoformat(timespec="seconds") if noticed else None,
        "ASNStructureCode": ASN_STRUCTURE_SOPI,
        "BillOfLadingNumber": bill_of_lading,
        "CarrierProNumber": carrier_pro_number,
    }
    group: dict[str, Any] = {"ShipmentHeader": {k: v for k, v in header.items() if v is not None}}
    if ship_date:
        group["Dates"] = [{"DateTimeQualifier": DATE_SHIPPED, "Date": ship_date}]
    if tracking := text(invoice.get("TrackingNum")):
        group["References"] = [{"ReferenceQual": REFERENCE_TRACKING, "ReferenceID": tracking}]

    addresses = []
    if config.supplier is not None:
        addresses.append(ship_from(config.supplier))
    else:
        document.problem("Header.Address", "no ship-from (SF) address: `supplier` is not set in the config")
    if (destination := ship_to(order, invoice)) is not None:
        addresses.append(destination)
    else:
        document.problem(
            "Header.Address",
            "no ship-to (ST) address: neither the order nor the QBO Invoice ShipAddr gives one",
        )
    group["Address"] = addresses

    entry, problem = carrier(invoice, config)
    if problem:
        document.problem("Header.CarrierInformation[0].CarrierAlphaCode", problem)
    if entry is not None:
        group["CarrierInformation"] = [entry]
    group["QuantityAndWeight"] = [lading(cartons)]
    if shipped:
        uoms = {line.order_line.OrderQtyUOM or "EA" for line in shipped}
        totals: dict[str, Any] = {
            "QuantityTotalsQualifier": "SQT",
            "Quantity": sum((line.quantity for line in shipped), Decimal(0)),
        }
        if len(uoms) == 1:
            totals["QuantityUOM"] = uoms.pop()
        group["QuantityTotals"] = [totals]
    return group


def _ship_date(document: OutboundDocument, invoice: dict[str, Any]) -> str | None:
    value = invoice.get("ShipDate")
    if value is None or not str(value).strip():
        document.problem("Header.ShipmentHeader.ShipDate", "QBO Invoice has no ShipDate")
        return None
    parsed = iso_date(value)
    if parsed is None:
        document.problem(
            "Header.ShipmentHeader.ShipDate", f"QBO Invoice ShipDate {value!r} is not YYYY-MM-DD"
        )
    return parsed


def _last_updated(invoice: dict[str, Any]) -> datetime | None:
    meta = invoice.get("MetaData")
    stamp = meta.get("LastUpdatedTime") if isinstance(meta, dict) else None
    try:
        parsed = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None
