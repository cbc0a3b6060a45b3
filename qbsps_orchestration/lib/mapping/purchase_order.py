"""RSX Order (850) → QBO PurchaseOrder (or Estimate, per partner).

Lines map through the item cross-reference; quantities, unit prices and line amounts are the
order's own, as Decimal, to the cent. Charges and allowances become account lines so the QBO total
is the computed order total; a Summary total that disagrees with the lines is a visible warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..config import AccountMappings, QboRef, TradingPartner
from ..items import AmbiguousItemError, ItemCrossReference, resolve_order_line
from ..rsx import Order, OrderTotals, order_totals
from ..rsx.order import OrderLineItem
from ..rsx.segments import Address
from .doc_number import order_marker

CENT = Decimal("0.01")

# Resolves a configured reference (by id or by name) to a QBO Id for an entity type.
RefResolver = Callable[[str, QboRef], str]


class MappingError(Exception):
    """An order that cannot be booked as it is; names the document and the field."""

    def __init__(self, source: str, field: str, reason: str) -> None:
        self.source, self.field, self.reason = source, field, reason
        super().__init__(f"{source}: {field}: {reason}")


@dataclass(frozen=True)
class MappedOrder:
    entity: str  # "PurchaseOrder" | "Estimate"
    payload: dict[str, Any]  # without DocNumber: the caller picks one (see doc_number)
    line_count: int
    total: Decimal
    warnings: list[str] = field(default_factory=list)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def map_order(
    order: Order,
    *,
    source: str,
    partner: TradingPartner,
    accounts: AccountMappings,
    crossref: ItemCrossReference,
    resolve: RefResolver,
) -> MappedOrder:
    header = order.header
    if header.TradingPartnerId != partner.trading_partner_id:
        raise MappingError(
            source,
            "Header.OrderHeader.TradingPartnerId",
            f"{header.TradingPartnerId!r} is not partner {partner.trading_partner_id!r}",
        )
    if not order.LineItem:
        raise MappingError(source, "LineItem", "the order has no lines")
    purchase = partner.inbound_target == "PurchaseOrder"
    totals = order_totals(order, document=source)
    warnings = [w for w in [totals.warning] if w]
    lines = [
        _item_line(item, index, source, partner, crossref, resolve, purchase)
        for index, item in enumerate(order.LineItem)
    ]
    adjustments = _adjustment_lines(totals, accounts, resolve, purchase)
    if adjustments and not purchase:
        warnings.append(f"{source}: charges and allowances are listed as description lines, not in the total")
    all_lines = lines + adjustments
    for number, line in enumerate(all_lines, start=1):
        line["LineNum"] = number
    total = sum((line.get("Amount", Decimal("0")) for line in all_lines), Decimal("0"))
    memo = f"{partner.name} PO {header.PurchaseOrderNumber} (SPS {partner.trading_partner_id}"
    memo += f", vendor number {header.Vendor})" if header.Vendor else ")"
    payload: dict[str, Any] = {
        "Line": all_lines,
        "PrivateNote": "\n".join(
            [order_marker(partner.trading_partner_id, header.PurchaseOrderNumber), *warnings]
        ),
    }
    if header.PurchaseOrderDate:
        payload["TxnDate"] = header.PurchaseOrderDate.isoformat()
    ship_to = order.address("ST")
    if purchase:
        payload["VendorRef"] = {"value": resolve("Vendor", partner.qbo_vendor)}
        payload["APAccountRef"] = {"value": resolve("Account", accounts.ap_account)}
        payload["Memo"] = memo
        payload["POStatus"] = "Open"
        requested = order.date("010")  # the requested ship date: a bookkeeper's change is acknowledged
        if requested is not None and requested.Date is not None:
            payload["ExpectedDate"] = requested.Date.isoformat()
        if ship_to:
            payload["ShipAddr"] = _address(ship_to)
    else:
        payload["CustomerRef"] = {"value": resolve("Customer", partner.qbo_customer)}
        payload["CustomerMemo"] = {"value": memo}
        if ship_to:
            payload["ShipAddr"] = _address(ship_to)
    return MappedOrder(
        entity=partner.inbound_target, payload=payload, line_count=len(lines), total=total, warnings=warnings
    )


def _item_line(
    item: OrderLineItem,
    index: int,
    source: str,
    partner: TradingPartner,
    crossref: ItemCrossReference,
    resolve: RefResolver,
    purchase: bool,
) -> dict[str, Any]:
    line = item.OrderLine
    where = f"LineItem[{index}].OrderLine"
    if line.OrderQty is None:
        raise MappingError(source, f"{where}.OrderQty", "missing")
    if line.PurchasePrice is None:
        raise MappingError(source, f"{where}.PurchasePrice", "missing")
    if line.OrderQty <= 0:
        raise MappingError(source, f"{where}.OrderQty", f"must be positive, got {line.OrderQty}")
    try:
        match = resolve_order_line(crossref, partner.trading_partner_id, line)
    except AmbiguousItemError as exc:
        raise MappingError(source, where, str(exc)) from None
    if match is None:
        seen = ", ".join(
            f"{name} {value!r}"
            for name, value in (
                ("UPC", line.ConsumerPackageCode),
                ("GTIN", line.GTIN),
                ("BuyerPartNumber", line.BuyerPartNumber),
                ("VendorPartNumber", line.VendorPartNumber),
            )
            if value
        )
        raise MappingError(
            source, where, f"unknown item: no QBO item for {seen or 'a line without identifiers'}"
        )
    description = next(
        (d.ProductDescription for d in item.ProductOrItemDescription if d.ProductDescription), None
    )
    detail_type = "ItemBasedExpenseLineDetail" if purchase else "SalesItemLineDetail"
    mapped: dict[str, Any] = {
        "Amount": cents(line.OrderQty * line.PurchasePrice),
        "DetailType": detail_type,
        detail_type: {
            "ItemRef": {"value": resolve("Item", match.qbo_item)},
            "Qty": line.OrderQty,
            "UnitPrice": line.PurchasePrice,
        },
    }
    if description:
        mapped["Description"] = description
    return mapped


def _adjustment_lines(
    totals: OrderTotals, accounts: AccountMappings, resolve: RefResolver, purchase: bool
) -> list[dict[str, Any]]:
    """Charges (+) and allowances (−), line and header level, as account lines on a PO so its total
    is the computed order total. An Estimate takes no account lines: there they are description lines.
    """
    entries: list[tuple[str, Decimal]] = []
    for label, sums in (("line", totals.line_adjustments), ("order", totals.header_adjustments)):
        if sums.charges:
            entries.append((f"Retailer {label} charges", sums.charges))
        if sums.allowances:
            entries.append((f"Retailer {label} allowances", -sums.allowances))
    if not entries:
        return []
    if not purchase:
        return [
            {"DetailType": "DescriptionOnly", "Description": f"{text}: {cents(amount)}"}
            for text, amount in entries
        ]
    account = {"value": resolve("Account", accounts.expense_account)}
    return [
        {
            "Amount": cents(amount),
            "Description": text,
            "DetailType": "AccountBasedExpenseLineDetail",
            "AccountBasedExpenseLineDetail": {"AccountRef": account},
        }
        for text, amount in entries
    ]


def _address(address: Address) -> dict[str, str]:
    lines = [address.AddressName, address.Address1, address.Address2, address.Address3, address.Address4]
    mapped = {f"Line{n}": text for n, text in enumerate((t for t in lines if t), start=1)}
    for ours, theirs in (
        ("City", address.City),
        ("CountrySubDivisionCode", address.State),
        ("PostalCode", address.PostalCode),
        ("Country", address.Country),
    ):
        if theirs:
            mapped[ours] = theirs
    return mapped
