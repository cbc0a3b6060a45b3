"""The bookkeeper of `make demo` and the dev stack: invoices a landed order in QuickBooks, shipped.

What a person does in the QuickBooks UI, done through the QBO API: an Invoice for the retailer's
Customer billing the purchase order's lines, with the shipping data (ShipDate, TrackingNum,
ShipMethodRef, ShipAddr) that makes qbsps send a ship notice (856) beside the invoice (810).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from .lib.config import QbspsConfig, TradingPartner
from .lib.connector import open_ledger, qbo_client
from .lib.mapping.doc_number import order_marker
from .lib.qbo import QboClient
from .lib.qbo.query import select
from .lib.qbo.refs import QboRefResolver

TRACKING_NUMBER = "1Z999AA10123456784"  # UPS's published example number
SHIP_METHOD = "UPS Ground"  # a carrier the sandbox config maps to a SCAC (UPSN)
FALLBACK_SHIP_TO = {  # for an order whose retailer gave no ship-to address
    "Line1": "1 Distribution Way",
    "City": "Dallas",
    "CountrySubDivisionCode": "TX",
    "PostalCode": "75201",
}


class NothingToInvoiceError(LookupError):
    """No landed order matches, or it is already invoiced."""


@dataclass(frozen=True)
class LandedOrder:
    """A QBO PurchaseOrder qbsps made from a retailer's order (its PrivateNote marker says which)."""

    partner: TradingPartner
    po_number: str
    purchase_order: dict

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.purchase_order["MetaData"]["CreateTime"])

    @property
    def invoice_number(self) -> str:
        return f"INV-{self.purchase_order['DocNumber']}"[:21]  # QBO DocNumber holds 21 characters


Pick = Callable[[list[LandedOrder]], LandedOrder]  # which order to invoice when no PO number is given


def landed_orders(config: QbspsConfig, client: QboClient) -> list[LandedOrder]:
    markers = {order_marker(p.trading_partner_id, ""): p for p in config.trading_partners}
    found = []
    for po in client.query_all("PurchaseOrder", "SELECT * FROM PurchaseOrder"):
        first_line = (po.get("PrivateNote") or "").splitlines()[:1]
        for marker, partner in markers.items():
            if first_line and first_line[0].startswith(marker):
                found.append(LandedOrder(partner, first_line[0].removeprefix(marker), po))
    return found


def newest(orders: list[LandedOrder]) -> LandedOrder:
    return max(orders, key=lambda o: (o.created, o.po_number))


def smallest(orders: list[LandedOrder]) -> LandedOrder:
    return min(orders, key=lambda o: (len(o.purchase_order["Line"]), o.purchase_order["DocNumber"]))


def pick_order(
    orders: list[LandedOrder], po_number: str | None, default: Pick, *, partner_id: str | None = None
) -> LandedOrder:
    """The order with ``po_number`` (from ``partner_id`` when two retailers used the same number),
    or the ``default`` pick among them."""
    if partner_id is not None:
        orders = [o for o in orders if o.partner.trading_partner_id == partner_id]
    if not orders:
        of = f" from {partner_id}" if partner_id else ""
        raise NothingToInvoiceError(f"no order{of} has landed in QuickBooks yet")
    if po_number is None:
        return default(orders)
    matches = [o for o in orders if o.po_number == po_number]
    if not matches:
        landed = ", ".join(sorted({o.po_number for o in orders}))
        raise NothingToInvoiceError(f"no landed order with PO number {po_number!r} (landed: {landed})")
    if len(matches) > 1:
        partners = ", ".join(o.partner.trading_partner_id for o in matches)
        raise NothingToInvoiceError(f"PO {po_number} came from {partners}: say which with --partner")
    return matches[0]


def invoice_lines_from(purchase_order: dict) -> list[dict]:
    """Invoice lines that bill exactly what a QBO PurchaseOrder's item lines hold."""
    return [
        {
            "DetailType": "SalesItemLineDetail",
            "Amount": line["Amount"],
            "SalesItemLineDetail": {
                key: line["ItemBasedExpenseLineDetail"][key] for key in ("ItemRef", "Qty", "UnitPrice")
            },
        }
        for line in purchase_order["Line"]
        if line["DetailType"] == "ItemBasedExpenseLineDetail"
    ]


def invoice_body(order: LandedOrder, customer_id: str, today: str) -> dict:
    po = order.purchase_order
    lines = invoice_lines_from(po)
    return {
        "DocNumber": order.invoice_number,
        "TxnDate": today,
        "PONumber": order.po_number,
        "CustomerRef": {"value": customer_id},
        "Line": lines,
        "ShipDate": today,
        "TrackingNum": TRACKING_NUMBER,
        "ShipMethodRef": {"value": SHIP_METHOD, "name": SHIP_METHOD},
        "ShipAddr": po.get("ShipAddr") or FALLBACK_SHIP_TO,
    }


def invoice_with_shipping(
    config: QbspsConfig,
    po_number: str | None = None,
    *,
    partner_id: str | None = None,
    default: Pick = newest,
    actor: str = "bookkeeper",
) -> dict:
    """Invoice the landed order with ``po_number`` (else the ``default`` pick), shipped today.

    Returns the QBO Invoice. Refuses an order already invoiced: a second invoice is not what a
    bookkeeper means by running this again.
    """
    ledger = open_ledger(config, actor=actor)
    client = qbo_client(config, ledger)  # the connector's QBO connection: its tokens live in the ledger
    try:
        order = pick_order(landed_orders(config, client), po_number, default, partner_id=partner_id)
        existing = client.query(select("Invoice", {"DocNumber": order.invoice_number})).get("Invoice", [])
        if existing:
            invoice = f"Invoice {order.invoice_number} (Id {existing[0]['Id']})"
            raise NothingToInvoiceError(f"PO {order.po_number} is already invoiced: {invoice}")
        customer_id = QboRefResolver(client)("Customer", order.partner.qbo_customer)
        today = datetime.now(UTC).date().isoformat()
        body = invoice_body(order, customer_id, today)
        return client.create("Invoice", body, request_id=f"bookkeeper-invoice-{order.purchase_order['Id']}")
    finally:
        client.close()
        ledger.close()
