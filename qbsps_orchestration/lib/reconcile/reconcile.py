"""Compare the three records (QBO, SPS history, the ledger that links them) into findings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..config import QbspsConfig
from ..documents.shipment.ship_notice import has_shipping_data, shipment_identification
from ..ledger import Direction, DocumentState, Ledger
from ..qbo import QboClient
from ..sps import SpsClient
from ..sps.client import HistoryItem
from .findings import Finding
from .ledger_side import LedgerSent, ledger_orders, ledger_sent
from .qbo_side import QboSide, amount, read_qbo
from .sps_side import SpsHistory, accepted, read_history, rejected

_MARKER = re.compile(r"qbsps order (\S+)/(\S+)")
_IN_QBO = frozenset({DocumentState.SYNCED, DocumentState.CLOSED})


def reconcile(
    config: QbspsConfig,
    ledger: Ledger,
    qbo: QboClient,
    sps: SpsClient,
    *,
    since: datetime,
    now: datetime | None = None,
) -> list[Finding]:
    """Every disagreement between QBO and SPS; ``since``: how far back SPS history is read.

    SPS's history can lag a transfer by minutes (``sps.history_lag_seconds``): a document sent
    within that lag and not in the history yet is not a finding, nor is an order file delivered
    within two polls and that lag."""
    now = now or datetime.now(UTC)
    lag = timedelta(seconds=config.sps.history_lag_seconds)
    qbo_side = read_qbo(config, ledger, qbo)
    history = read_history(sps, config.sps.folders.outbound, config.sps.folders.orders, since)
    sent = ledger_sent(config, ledger)
    uploads = _Uploads(history.uploads, {s.path for s in sent if s.path and s.record.updated_at > now - lag})
    polls = 2 * timedelta(seconds=config.polling.seconds)
    return [
        *_orders(config, ledger, qbo_side),
        *_not_received(ledger, config.sps.folders.orders, history, now - lag - polls),
        *_invoices(config, qbo_side, sent, uploads),
        *_acks(config, ledger, sent, uploads),
        *_orphans_in_sps(sent, history.uploads),
    ]


@dataclass(frozen=True)
class _Uploads:
    history: dict[str, list[HistoryItem]]
    recent: set[str]  # paths sent within the history's lag

    def settled(self, path: str | None) -> bool:
        """Accepted in SPS history, or sent so lately that SPS may not have shown or finished it
        yet (only a rejection counts at once)."""
        items = self.history.get(path or "", [])
        return accepted(items) or (path in self.recent and not rejected(items))

    def last_seen(self, path: str | None) -> str:
        items = self.history.get(path or "", [])
        return ", ".join(items[-1].statuses) if items else "no entry at all"


def _not_received(ledger: Ledger, folder: str, history: SpsHistory, cut: datetime) -> list[Finding]:
    """Order files SPS delivered (before ``cut``) that the ledger never received."""
    received = {path.lstrip("/") for path in ledger.reports.received_paths(folder)}
    found = []
    for path, items in sorted(history.deliveries.items()):
        delivered = items[0].first_at
        if path in received or delivered is None or delivered > cut:
            continue
        taken = any("deleted" in item.statuses for item in items)
        found.append(
            Finding(
                "order_not_received",
                "",
                path.rsplit("/", 1)[-1],
                None,
                None,
                f"SPS delivered {path} at {delivered.isoformat(timespec='seconds')}"
                + (
                    " and it was deleted, but qbsps never received it"
                    if taken
                    else "; qbsps has not fetched it"
                ),
                "find the other tool that reads this mailbox, and ask the retailer to re-send the order"
                if taken
                else "qbsps sync inbound (is the order sensor on? qbsps doctor checks the SPS connection)",
            )
        )
    return found


def _orders(config: QbspsConfig, ledger: Ledger, qbo_side: QboSide) -> list[Finding]:
    found, known = [], set()
    for order in ledger_orders(config, ledger):
        doc = order.record
        tp, po = doc.trading_partner_id, doc.business_key
        if doc.state not in _IN_QBO:
            continue  # not written yet or waiting for a person: `qbsps status` lists those
        row = qbo_side.orders.get((doc.qbo_entity or "", doc.qbo_id or ""))
        known.add((doc.qbo_entity, doc.qbo_id))
        if row is None:
            found.append(
                Finding(
                    "missing_in_qbo",
                    tp,
                    po,
                    None,
                    order.amount,
                    f"the ledger wrote it as QBO {doc.qbo_entity} {doc.qbo_id}, "
                    "which QuickBooks no longer has "
                    "(deleted?)",
                    f"re-create it: qbsps replay {doc.id} --reason 'deleted in QBO'",
                )
            )
            continue
        total = amount(row)
        if doc.state is DocumentState.SYNCED and order.amount is not None and total != order.amount:
            found.append(
                Finding(
                    "amount_mismatch",
                    tp,
                    po,
                    total,
                    order.amount,
                    f"QBO {doc.qbo_entity} {row.get('DocNumber')} totals {total}, "
                    f"the SPS order {order.amount}",
                    "correct the QBO document, or ask the retailer for a changed order (TsetPurposeCode 05)",
                )
            )
    for (entity, qbo_id), row in sorted(qbo_side.orders.items()):
        marker = _MARKER.search(str(row.get("PrivateNote") or ""))
        if marker and (entity, qbo_id) not in known:
            tp, po = marker.groups()
            if ledger.find_document(Direction.INBOUND, "Order", tp, po) is None:
                found.append(
                    Finding(
                        "orphan_in_qbo",
                        tp,
                        po,
                        amount(row),
                        None,
                        f"QBO {entity} {row.get('DocNumber')} (Id {qbo_id}) says it came from SPS order "
                        f"{tp}/{po}, "
                        "which the ledger never received",
                        "check the order with the retailer; delete the QBO document if it is not real",
                    )
                )
    return found


def _invoices(
    config: QbspsConfig, qbo_side: QboSide, sent: list[LedgerSent], uploads: _Uploads
) -> list[Finding]:
    by_source = {(s.record.doc_type, s.record.qbo_id): s for s in sent}
    found = []
    for tp, invoices in sorted(qbo_side.invoices.items()):
        for row in invoices:
            number = str(row.get("DocNumber") or f"QBO-{row['Id']}")
            invoice = by_source.get(("Invoice", str(row["Id"])))
            total = amount(row)
            if invoice is None or invoice.record.state is not DocumentState.SYNCED:
                why = (
                    "qbsps never built its 810"
                    if invoice is None
                    else (
                        f"its 810 is {invoice.record.state.value}: {invoice.record.reason or 'not sent yet'}"
                    )
                )
                found.append(
                    Finding(
                        "invoice_not_sent",
                        tp,
                        number,
                        total,
                        None,
                        why,
                        f"qbsps sync outbound --invoice {row['Id']} (see qbsps status for a failure's cause)",
                    )
                )
            elif not uploads.settled(invoice.path):
                found.append(
                    Finding(
                        "invoice_not_accepted",
                        tp,
                        number,
                        total,
                        None,
                        f"{invoice.path}: SPS history shows {uploads.last_seen(invoice.path)}",
                        "read SPS's reason for the file, fix the invoice in QuickBooks and resend it "
                        f"(qbsps replay {invoice.record.id} --resend --reason ...)",
                    )
                )
            elif None not in (invoice.amount, total) and invoice.amount != total:
                found.append(
                    Finding(
                        "invoice_changed",
                        tp,
                        number,
                        total,
                        invoice.amount,
                        f"QBO invoice {number} totals {total}; the 810 SPS accepted ({invoice.path}) "
                        f"says {invoice.amount}",
                        f"send the change: qbsps sync outbound --invoice {row['Id']} (a changed invoice "
                        "goes out by itself through its QBO change: is the outbound sensor on?)",
                    )
                )
            if has_shipping_data(row):
                notice = by_source.get(("Shipment", str(row["Id"])))
                ok = notice is not None and notice.record.state is DocumentState.SYNCED
                if not (ok and uploads.settled(notice.path)):
                    found.append(
                        Finding(
                            "ship_notice_missing",
                            tp,
                            shipment_identification(row),
                            total,
                            None,
                            "the invoice has shipping data but SPS holds no accepted 856 for it"
                            + (f" (its 856 is {notice.record.state.value})" if notice else ""),
                            f"qbsps sync outbound --invoice {row['Id']}; "
                            "qbsps status names a failure's cause",
                        )
                    )
    return found


def _acks(config: QbspsConfig, ledger: Ledger, sent: list[LedgerSent], uploads: _Uploads) -> list[Finding]:
    wanting = {p.trading_partner_id for p in config.trading_partners if p.send_order_acks}
    acks = {
        (s.record.trading_partner_id, s.record.business_key): s
        for s in sent
        if s.record.doc_type == "OrderAck"
    }
    found = []
    for order in ledger_orders(config, ledger):
        doc = order.record
        if doc.trading_partner_id not in wanting or doc.state is not DocumentState.SYNCED:
            continue
        ack = acks.get((doc.trading_partner_id, doc.business_key))
        if ack is None or ack.record.state is not DocumentState.SYNCED or not uploads.settled(ack.path):
            found.append(
                Finding(
                    "ack_missing",
                    doc.trading_partner_id,
                    doc.business_key,
                    None,
                    order.amount,
                    "the partner wants an 855 for each order; SPS holds no accepted one for this order"
                    + (f" (its 855 is {ack.record.state.value})" if ack else ""),
                    "qbsps sync inbound (it sends the 855s owed)",
                )
            )
    return found


def _orphans_in_sps(sent: list[LedgerSent], history: dict[str, list[HistoryItem]]) -> list[Finding]:
    ours = {s.path for s in sent if s.path}
    return [
        Finding(
            "orphan_in_sps",
            "",
            path.rsplit("/", 1)[-1],
            None,
            None,
            f"SPS history shows an upload to {path} that no ledger document made",
            "find who uploaded it (another tool, or a ledger restored from an older backup)",
        )
        for path in sorted(history)
        if path not in ours
        and not path.rsplit("/", 1)[-1].startswith("IB")  # item registries: not tracked here
    ]
