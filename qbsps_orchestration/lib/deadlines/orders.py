"""What the ledger knows for deadlines: the orders received (when, their must-arrive-by date and
total), and whether a document built for them reached SPS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ..ledger import Direction, DocumentRecord, DocumentState, Ledger
from ..rsx import RsxError, element_values, order_totals, read_rsx

# 850 header date qualifiers for "deliver by": 063 Do Not Deliver After (Walmart's must-arrive-by),
# then 002 Delivery Requested.
DELIVERY_QUALIFIERS = ("063", "002")
NOTHING_OWED = frozenset({DocumentState.CANCELLED, DocumentState.CLOSED})
SCAN = 5000


@dataclass(frozen=True)
class ReceivedOrder:
    trading_partner_id: str
    po_number: str
    received_at: datetime  # when the first version arrived: an 855's clock starts here
    deliver_by: date | None
    total: Decimal | None
    problem: str | None = None  # why its payload could not be read (its dates are then unknown)


def received_orders(ledger: Ledger, partners: set[str], since: datetime) -> list[ReceivedOrder]:
    """Orders of `partners` received since `since` and not cancelled, oldest first."""
    found = [
        order_facts(ledger, record)
        for record in ledger.recent_documents(Direction.INBOUND, "Order", limit=SCAN)
        if record.trading_partner_id in partners
        and record.state not in NOTHING_OWED
        and record.created_at >= since
    ]
    found.sort(key=lambda o: (o.received_at, o.po_number))
    return found


def find_order(ledger: Ledger, trading_partner_id: str, po_number: str) -> ReceivedOrder | None:
    record = ledger.find_document(Direction.INBOUND, "Order", trading_partner_id, po_number)
    return order_facts(ledger, record) if record is not None else None


def order_facts(ledger: Ledger, record: DocumentRecord) -> ReceivedOrder:
    deliver_by, total, problem = None, None, None
    if record.current_version_id is not None:
        payload = ledger.version(record.current_version_id).payload
        source = f"order {record.trading_partner_id}/{record.business_key}"
        try:
            order = read_rsx(payload, source=source, doc_type="Order")[0].order
        except (RsxError, IndexError) as exc:
            problem = str(exc) or type(exc).__name__
        else:
            assert order is not None  # read_rsx(doc_type="Order") guarantees it
            dates = (order.date(q) for q in DELIVERY_QUALIFIERS)
            deliver_by = next((d.Date for d in dates if d is not None and d.Date is not None), None)
            totals = order_totals(order, document=source)
            total = totals.stated_total if totals.stated_total is not None else totals.computed_total
    return ReceivedOrder(
        record.trading_partner_id, record.business_key, record.created_at, deliver_by, total, problem
    )


def sent(ledger: Ledger, doc_type: str, trading_partner_id: str, business_key: str) -> bool:
    """The outbound document reached SPS (its current version is there)."""
    record = ledger.find_document(Direction.OUTBOUND, doc_type, trading_partner_id, business_key)
    return record is not None and record.state is DocumentState.SYNCED


def cartons(ledger: Ledger, trading_partner_id: str, shipment_id: str) -> int | None:
    """Cartons (packs with an SSCC) of the ship notice built for the shipment, if one was built."""
    record = ledger.find_document(Direction.OUTBOUND, "Shipment", trading_partner_id, shipment_id)
    if record is None or record.current_version_id is None:
        return None
    payload = ledger.version(record.current_version_id).payload
    try:
        data = read_rsx(payload, source=f"ship notice {shipment_id}", doc_type="Shipment")[0].data
    except (RsxError, IndexError):
        return None
    count = sum(1 for _ in element_values(data, "ShippingSerialID"))
    return count or None
