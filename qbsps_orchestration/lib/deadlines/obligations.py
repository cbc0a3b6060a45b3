"""Every open obligation of the partners with a `deadlines:` block: each 855 owed since an order
arrived, each 856 and 810 owed since an invoice shipped, with its due time and chargeback."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..config import QbspsConfig, TradingPartner
from ..config.deadlines import Chargeback, DeadlineSettings
from ..ledger import Ledger
from ..qbo import QboClient
from ..qbo.refs import QboRefResolver
from .chargeback import describe, estimate
from .obligation import DocumentKind, Obligation
from .orders import ReceivedOrder, cartons, find_order, received_orders, sent
from .shipped import Shipped, shipment_partners, shipped_invoices

# Orders and shipments older than this are not watched: an obligation missed a month ago has had
# its alert, and a long-lived ledger must not be re-read in full every tick.
LOOKBACK = timedelta(days=30)


def lookback_start(config: QbspsConfig, now: datetime) -> datetime:
    """The earliest order arrival and invoice date still watched: a month back, and never before
    the connection's go-live (documents of the time before qbsps were sent some other way)."""
    start = now - LOOKBACK
    go_live = config.qbo.go_live
    if go_live is not None:
        start = max(start, datetime.combine(go_live, time(0), tzinfo=UTC))
    return start


def shipped_in_window(
    config: QbspsConfig, ledger: Ledger, connect: Callable[[], QboClient], now: datetime
) -> list[Shipped]:
    """The watched window's shipped invoices, from QBO; QBO is not asked (``connect`` not called)
    when no partner has a ship notice or invoice deadline: acknowledgments need the ledger only."""
    partners = shipment_partners(config)
    if not partners:
        return []
    client = connect()
    return shipped_invoices(
        client, QboRefResolver(client, ledger), partners, lookback_start(config, now).date()
    )


def obligations(
    config: QbspsConfig, ledger: Ledger, shipped: Iterable[Shipped], now: datetime
) -> list[Obligation]:
    """Sent or not, every obligation in the window (Obligation.state says where it stands)."""
    found = acknowledgment_obligations(config, ledger, now) + shipment_obligations(
        config, ledger, shipped, now
    )
    found.sort(key=lambda o: (o.due, o.key))
    return found


def acknowledgment_obligations(config: QbspsConfig, ledger: Ledger, now: datetime) -> list[Obligation]:
    """The 855s owed for orders received in the window: the ledger alone knows them."""
    partners = {p.trading_partner_id: p for p in config.trading_partners if p.deadlines is not None}
    acking = {tp for tp, p in partners.items() if p.deadlines and p.deadlines.acknowledgment}
    orders = received_orders(ledger, acking, lookback_start(config, now))
    return [_acknowledgment(partners[order.trading_partner_id], order, ledger) for order in orders]


def shipment_obligations(
    config: QbspsConfig, ledger: Ledger, shipped: Iterable[Shipped], now: datetime
) -> list[Obligation]:
    """The 856s and 810s owed for the invoices QBO shows shipped in the window."""
    partners = {p.trading_partner_id: p for p in config.trading_partners if p.deadlines is not None}
    since = lookback_start(config, now)
    found: list[Obligation] = []
    for shipment in shipped:
        partner = partners.get(shipment.trading_partner_id)
        if partner is None or not shipment.po_number:  # no PO: no order, nothing the partner tracks
            continue
        if _start_of(shipment.ship_date, _settings(partner).zone) < since:
            continue
        order = find_order(ledger, partner.trading_partner_id, shipment.po_number)
        found += _shipment_obligations(partner, shipment, order, ledger)
    return found


def _acknowledgment(partner: TradingPartner, order: ReceivedOrder, ledger: Ledger) -> Obligation:
    settings = _settings(partner)
    rule = settings.acknowledgment
    assert rule is not None
    return _obligation(
        partner,
        DocumentKind.ACKNOWLEDGMENT,
        order.po_number,
        order.po_number,
        order.received_at + timedelta(hours=rule.hours_after_order),
        f"{rule.hours_after_order} hours after the order arrived ({order.received_at:%Y-%m-%d %H:%M %Z})",
        sent(ledger, "OrderAck", partner.trading_partner_id, order.po_number),
        rule.chargeback,
        amount=order.total,
        cartons=None,
    )


def _shipment_obligations(
    partner: TradingPartner, shipment: Shipped, order: ReceivedOrder | None, ledger: Ledger
) -> list[Obligation]:
    settings = _settings(partner)
    zone = settings.zone
    shipped_at = _start_of(shipment.ship_date, zone)
    amount = shipment.amount if shipment.amount is not None else (order.total if order else None)
    tp = partner.trading_partner_id
    found = []
    if settings.ship_notice is not None:
        rule = settings.ship_notice
        due = shipped_at + timedelta(hours=rule.hours_after_ship)
        why = f"{rule.hours_after_ship} hours after ship date {shipment.ship_date}"
        if rule.before_delivery and order is not None and order.deliver_by is not None:
            arrival = _start_of(order.deliver_by, zone)
            if arrival < due:
                due, why = arrival, f"before the order's delivery date {order.deliver_by}"
        # A ship notice not built yet has the builder's default packing: one carton per invoice.
        count = cartons(ledger, tp, shipment.shipment_id) or 1
        found.append(
            _obligation(
                partner,
                DocumentKind.SHIP_NOTICE,
                shipment.po_number,
                shipment.shipment_id,
                due,
                why,
                sent(ledger, "Shipment", tp, shipment.shipment_id),
                rule.chargeback,
                amount=amount,
                cartons=count,
            )
        )
    if settings.invoice is not None:
        rule = settings.invoice
        found.append(
            _obligation(
                partner,
                DocumentKind.INVOICE,
                shipment.po_number,
                shipment.invoice_number,
                shipped_at + timedelta(days=rule.days_after_shipment),
                f"{rule.days_after_shipment} days after ship date {shipment.ship_date}",
                sent(ledger, "Invoice", tp, shipment.invoice_number),
                rule.chargeback,
                amount=amount,
                cartons=None,
            )
        )
    return found


def _obligation(
    partner: TradingPartner,
    kind: DocumentKind,
    po_number: str,
    reference: str,
    due: datetime,
    why: str,
    is_sent: bool,
    rule: Chargeback | None,
    *,
    amount: Decimal | None,
    cartons: int | None,
) -> Obligation:
    settings = _settings(partner)
    return Obligation(
        trading_partner_id=partner.trading_partner_id,
        partner_name=partner.name,
        kind=kind,
        po_number=po_number,
        reference=reference,
        due=due,
        why=why,
        sent=is_sent,
        near_window=timedelta(hours=settings.near_hours),
        chargeback=estimate(rule, amount=amount, cartons=cartons),
        chargeback_rule=describe(rule) if rule is not None else None,
    )


def _settings(partner: TradingPartner) -> DeadlineSettings:
    assert partner.deadlines is not None
    return partner.deadlines


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of `day` in the partner's time zone (aware)."""
    return datetime.combine(day, time(0), tzinfo=zone)
