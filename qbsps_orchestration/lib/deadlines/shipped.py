"""Shipments as QuickBooks records them: a partner's invoices with a ShipDate. The ship date lives
only there (an 856 is built from it once a carrier or tracking number is there too), so an invoice
shipped without one still starts its partner's clocks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ..config import QbspsConfig, TradingPartner
from ..documents.shipment.ship_notice import shipment_identification
from ..qbo import QboClient
from ..qbo.refs import QboRefResolver


@dataclass(frozen=True)
class Shipped:
    trading_partner_id: str
    qbo_id: str
    invoice_number: str  # the 810's business key (DocNumber, else QBO-<Id>)
    shipment_id: str  # the 856's (DocNumber, else the QBO Id)
    po_number: str
    ship_date: date
    amount: Decimal | None  # the invoice total


def shipped_invoices(
    qbo: QboClient, resolve: QboRefResolver, partners: Iterable[TradingPartner], since: date
) -> list[Shipped]:
    """Invoices dated since `since` with a ShipDate, of the partners' QBO Customers."""
    by_customer = {resolve("Customer", p.qbo_customer): p for p in partners}
    if not by_customer:
        return []
    statement = f"SELECT * FROM Invoice WHERE TxnDate >= '{since.isoformat()}'"
    found = []
    for invoice in qbo.query_all("Invoice", statement):
        partner = by_customer.get(str((invoice.get("CustomerRef") or {}).get("value")))
        shipped = _shipped(invoice, partner) if partner is not None else None
        if shipped is not None:
            found.append(shipped)
    return found


def _shipped(invoice: dict[str, Any], partner: TradingPartner) -> Shipped | None:
    try:
        ship_date = date.fromisoformat(str(invoice.get("ShipDate") or "")[:10])
    except ValueError:  # no ShipDate: not shipped yet, no clock runs
        return None
    try:
        amount = Decimal(str(invoice["TotalAmt"])) if invoice.get("TotalAmt") is not None else None
    except InvalidOperation:
        amount = None
    qbo_id = str(invoice.get("Id"))
    number = str(invoice.get("DocNumber") or "").strip()
    return Shipped(
        partner.trading_partner_id,
        qbo_id,
        number or f"QBO-{qbo_id}",
        shipment_identification(invoice),
        str(invoice.get("PONumber") or "").strip(),
        ship_date,
        amount,
    )


def partners_with_deadlines(config: QbspsConfig) -> list[TradingPartner]:
    return [p for p in config.trading_partners if p.deadlines is not None]


def shipment_partners(config: QbspsConfig) -> list[TradingPartner]:
    """Partners with a ship-notice or invoice deadline: only these need QBO's shipped invoices."""
    return [
        p
        for p in partners_with_deadlines(config)
        if p.deadlines is not None and (p.deadlines.ship_notice or p.deadlines.invoice)
    ]
