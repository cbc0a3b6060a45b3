"""Compare the three records (QBO, SPS history, the ledger that links them) into findings."""

from __future__ import annotations

import re
from datetime import datetime

from ..config import QbspsConfig
from ..documents.shipment.ship_notice import has_shipping_data, shipment_identification
from ..ledger import Direction, DocumentState, Ledger
from ..qbo import QboClient
from ..sps import SpsClient
from .findings import Finding
from .ledger_side import LedgerSent, ledger_orders, ledger_sent
from .qbo_side import QboSide, amount, read_qbo
from .sps_side import accepted, upload_history

_MARKER = re.compile(r"qbsps order (\S+)/(\S+)")
_IN_QBO = frozenset({DocumentState.SYNCED, DocumentState.CLOSED})


def reconcile(
    config: QbspsConfig, ledger: Ledger, qbo: QboClient, sps: SpsClient, *, since: datetime
) -> list[Finding]:
    """Every disagreement between QBO and SPS; ``since``: how far back SPS history is read."""
    qbo_side = read_qbo(config, ledger, qbo)
    history = upload_history(sps, config.sps.folders.outbound, since)
    sent = ledger_sent(config, ledger)
    return [
        *_orders(config, ledger, qbo_side),
        *_invoices(config, qbo_side, sent, history),
        *_acks(config, ledger, sent, history),
        *_orphans_in_sps(sent, history),
    ]


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


def _invoices(config: QbspsConfig, qbo_side: QboSide, sent: list[LedgerSent], history: dict) -> list[Finding]:
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
            elif not accepted(history.get(invoice.path or "", [])):
                items = history.get(invoice.path or "", [])
                seen = ", ".join(items[-1].statuses) if items else "no entry at all"
                found.append(
                    Finding(
                        "invoice_not_accepted",
                        tp,
                        number,
                        total,
                        None,
                        f"{invoice.path}: SPS history shows {seen}",
                        "read SPS's reason for the file, fix the invoice in QuickBooks and resend it "
                        f"(qbsps replay {invoice.record.id} --resend --reason ...)",
                    )
                )
            if has_shipping_data(row):
                notice = by_source.get(("Shipment", str(row["Id"])))
                ok = notice is not None and notice.record.state is DocumentState.SYNCED
                if not (ok and accepted(history.get(notice.path or "", []))):
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


def _acks(config: QbspsConfig, ledger: Ledger, sent: list[LedgerSent], history: dict) -> list[Finding]:
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
        if (
            ack is None
            or ack.record.state is not DocumentState.SYNCED
            or not accepted(history.get(ack.path or "", []))
        ):
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


def _orphans_in_sps(sent: list[LedgerSent], history: dict) -> list[Finding]:
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
