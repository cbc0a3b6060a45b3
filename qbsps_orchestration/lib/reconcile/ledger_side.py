"""What the ledger recorded: the orders it received from SPS (with the amount their lines add up
to, as qbsps books them) and the documents it sent, each with the SPS path of its current version."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..config import QbspsConfig, TradingPartner
from ..documents.document import outbound_file_name, revision_file_name
from ..ledger import Direction, DocumentRecord, DocumentState, Ledger
from ..mapping.purchase_order import cents
from ..rsx import Order, RsxError, order_totals, read_rsx

OUTBOUND_TYPES = ("Invoice", "Shipment", "OrderAck")


@dataclass(frozen=True)
class LedgerOrder:
    record: DocumentRecord
    amount: Decimal | None  # None: the stored order cannot be read (it is quarantined anyway)


@dataclass(frozen=True)
class LedgerSent:
    record: DocumentRecord
    path: str | None  # where its current version went in SPS `in/`
    amount: Decimal | None = None  # an 810's Summary.TotalAmount as sent (None: not an 810, or unreadable)


def order_amount(order: Order, partner: TradingPartner) -> Decimal:
    """The total qbsps books for the order: each line to the cent, plus (on a PurchaseOrder) the
    charges and allowances as their own lines, as lib/mapping does."""
    total = sum(
        (
            cents(line.OrderLine.OrderQty * line.OrderLine.PurchasePrice)
            for line in order.LineItem
            if line.OrderLine.OrderQty is not None and line.OrderLine.PurchasePrice is not None
        ),
        Decimal("0"),
    )
    if partner.inbound_target == "PurchaseOrder":
        totals = order_totals(order)
        for sums in (totals.line_adjustments, totals.header_adjustments):
            total += cents(sums.charges) - cents(sums.allowances)
    return total


def ledger_orders(config: QbspsConfig, ledger: Ledger) -> list[LedgerOrder]:
    found = []
    for record in ledger.reports.documents(Direction.INBOUND, ["Order"]):
        partner = _partner(config, record.trading_partner_id)
        amount = None
        if partner is not None and record.current_version_id is not None:
            payload = ledger.version(record.current_version_id).payload
            source = f"order {record.trading_partner_id}/{record.business_key}"
            try:
                amount = order_amount(read_rsx(payload, source=source, doc_type="Order")[0].order, partner)
            except Exception:  # an unreadable order is quarantined; it has no amount to compare
                amount = None
        found.append(LedgerOrder(record, amount))
    return found


def ledger_sent(config: QbspsConfig, ledger: Ledger) -> list[LedgerSent]:
    found = []
    for record in ledger.reports.documents(Direction.OUTBOUND, OUTBOUND_TYPES):
        path, amount = None, None
        if record.current_version_id is not None and record.state is not DocumentState.QUARANTINED:
            version = ledger.version(record.current_version_id)
            name = outbound_file_name(
                record.doc_type, record.business_key, record.trading_partner_id, version.format
            )
            path = config.sps.folders.outbound + revision_file_name(name, ledger.revision(version.id))
            amount = _invoice_total(version.payload, name) if record.doc_type == "Invoice" else None
        found.append(LedgerSent(record, path, amount))
    return found


def _invoice_total(payload: bytes, name: str) -> Decimal | None:
    try:
        total = read_rsx(payload, source=name, doc_type="Invoice")[0].data["Summary"]["TotalAmount"]
        return Decimal(str(total))
    except (RsxError, LookupError, TypeError, ArithmeticError):  # nothing to compare: no finding from it
        return None


def _partner(config: QbspsConfig, trading_partner_id: str) -> TradingPartner | None:
    return next((p for p in config.trading_partners if p.trading_partner_id == trading_partner_id), None)
