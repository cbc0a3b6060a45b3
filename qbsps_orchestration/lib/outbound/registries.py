"""Items out to SPS: each partner's ItemRegistry (832 catalog; 846 inventory advice with QtyOnHand),
built from QBO's items, checked, and sent only when its content changed.

The catalog is dated by the newest change among the items it lists, so an unchanged catalog is the
same document and the ledger never sends it again; the 846 is dated today (inventory is a daily
report). The items a partner's last catalog listed are remembered, so the next catalog marks them
as changes (001) and removed ones as deletions (002) rather than additions (003).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date

from ..changes import parse_qbo_time
from ..config import QbspsConfig, TradingPartner
from ..documents.item_registry.item_registry import build_item_registry, listed_items
from ..documents.rules import validate
from ..documents.schemas import RsxSchemas
from ..ledger import Ledger
from ..qbo import QboClient
from ..reference.profiles import with_profile
from ..sps import SpsClient
from .send import SendResult, send_document
from .version_diff import diff_against_hash

ALL_ITEMS = "SELECT * FROM Item WHERE Active IN (true, false)"


def send_item_registries(
    config: QbspsConfig,
    ledger: Ledger,
    qbo: QboClient,
    sps: SpsClient,
    schemas: RsxSchemas,
    *,
    today: date,
    partners: list[TradingPartner] | None = None,
) -> list[SendResult]:
    """Every partner's registries (or only `partners`'), each sent only when its content changed."""
    items = list(qbo.query_all("Item", ALL_ITEMS))
    results = []
    for partner in config.trading_partners if partners is None else partners:
        for kind in partner.item_registries:
            results.append(
                _send(config, ledger, sps, schemas, with_profile(ledger, partner), kind, items, today)
            )
    return results


def _send(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient,
    schemas: RsxSchemas,
    partner: TradingPartner,
    kind: str,
    items: list[dict],
    today: date,
) -> SendResult:
    cursor = f"item_registry.{partner.trading_partner_id}.{kind}"
    last = json.loads(ledger.get_cursor(cursor) or "{}")
    report_date = _newest_change(items, today) if kind == "catalog" else today
    document = build_item_registry(
        items,
        partner=partner,
        config=config,
        kind=kind,  # type: ignore[arg-type]
        report_date=report_date,
        sent_before=frozenset(last.get("listed", [])),
    )
    validate(document, schemas=schemas, order=None)
    signature = _signature(document.data)
    if kind == "catalog" and signature == last.get("signature") and not document.problems:
        # The same items and prices as the last catalog sent: only the maintenance codes would differ.
        path = config.sps.folders.outbound + document.file_name
        return SendResult(
            document.doc_type,
            partner.trading_partner_id,
            document.business_key,
            "unchanged",
            path,
            content_hash=last.get("content_hash", ""),  # the catalog it still is: the last one sent
        )
    result = send_document(config, ledger, sps, document, qbo_entity="Item", qbo_id="*")
    if result.outcome in ("sent", "resent"):
        result = _with_diff(ledger, result, last.get("content_hash"))
        listed = sorted(listed_items(document.content(), source=document.file_name))
        sent = {"listed": listed, "signature": signature, "content_hash": result.content_hash}
        ledger.set_cursor(cursor, json.dumps(sent))
    return result


def _with_diff(ledger: Ledger, result: SendResult, sent_hash: str | None) -> SendResult:
    """A changed registry is a new document (a new DocumentId): its diff is against the last one sent."""
    if result.diff is not None or not sent_hash or result.version_id is None:
        return result
    try:
        diff = diff_against_hash(
            ledger, result.doc_type, result.trading_partner_id, sent_hash, result.version_id
        )
    except ValueError:  # a stored registry that is no RSX: the send stands, only the diff is missing
        return result
    return dataclasses.replace(result, diff=diff) if diff is not None else result


def _signature(data: dict) -> str:
    """The catalog's items and prices, without what changes from one send to the next (document id,
    dates, maintenance codes)."""
    lines = [
        {
            key: value
            for key, value in (line.get("InventoryLine") or {}).items()
            if key != "MaintenanceTypeCode"
        }
        for structure in data.get("Structure") or []
        for line in structure.get("LineItem") or []
        if (line.get("InventoryLine") or {}).get("MaintenanceTypeCode") != "002"
    ]
    canonical = sorted(json.dumps(line, sort_keys=True, default=str) for line in lines)
    return hashlib.sha256("\n".join(canonical).encode()).hexdigest()


def _newest_change(items: list[dict], fallback: date) -> date:
    times = [
        parse_qbo_time(item["MetaData"]["LastUpdatedTime"], "Item.MetaData.LastUpdatedTime")
        for item in items
        if (item.get("MetaData") or {}).get("LastUpdatedTime")
    ]
    return max(times).date() if times else fallback
