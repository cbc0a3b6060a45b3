"""QBO Items → RSX 7.7 ItemRegistry for one trading partner: the 832 price catalog or the 846
inventory advice.

Only items the item cross-reference maps for the partner are listed, under the partner's own part
numbers and UPC/GTIN; the rest are left out with a warning. The content is deterministic (items
sorted by Name, no clock read), so the same items give byte-identical documents and the ledger never
re-sends an unchanged registry. The DocumentId is the report type, the report date and a digest of
partner and lines: a registry that changes during a day gets a new DocumentId (and file) instead of
colliding with the one already sent, which the ledger would hold as a conflict.

Callers pick `report_date`: today for inventory advice; for the catalog, the date of the newest
item change, so that an unchanged catalog is not sent again on the next day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from datetime import date
from typing import Any

from ...config import QbspsConfig, TradingPartner
from ...gs1 import pad_gtin14
from ...rsx import read_rsx, to_json
from ..document import OutboundDocument, outbound_file_name
from .item_registry_lines import (
    IDENTIFIERS,
    MAINTENANCE_DELETE,
    NOT_PRODUCTS,
    LineNotes,
    QboItem,
    RegistryKind,
    line_key,
    registry_line,
)

DOC_TYPE = "ItemRegistry"
# kind -> (ReportTypeCode, Meta.OrderManagement) from the v7.7.7 ItemRegistries schema.
REPORT_TYPES: dict[str, tuple[str, str]] = {
    "catalog": ("PS", "SalesOrPriceCatalog"),  # PS: Price Sheet (832)
    "inventory": ("MB", "InventoryAdvice"),  # MB: Manufacturer/Distributor Inventory Report (846)
}
ORIGINAL = "00"  # TsetPurposeCode: each registry is a complete, new report
LINES = "Structure[0].LineItem"


def build_item_registry(
    items: Iterable[Mapping[str, Any]],
    *,
    partner: TradingPartner,
    config: QbspsConfig,
    kind: RegistryKind,
    report_date: date,
    sent_before: Collection[str] = frozenset(),
) -> OutboundDocument:
    """The partner's ItemRegistry from QBO Item rows (as the QBO API returns them, money Decimal).

    `sent_before` holds the `line_key`s the partner's last catalog listed (see `listed_items`):
    those lines are sent as changes (MaintenanceTypeCode 001) rather than additions (003), and an
    item made inactive in QBO since then is sent once as a deletion (002). Problems and warnings
    are on the returned document; run `rules.validate` before sending it.
    Raises ValueError for an unknown `kind` or a row that is no QBO Item (naming item and field).
    """
    if kind not in REPORT_TYPES:
        raise ValueError(f"ItemRegistry kind must be one of {sorted(REPORT_TYPES)}, got {kind!r}")
    if not isinstance(report_date, date):
        raise ValueError(f"ItemRegistry report_date must be a date, got {report_date!r}")
    report_type, order_management = REPORT_TYPES[kind]
    trading_partner_id = partner.trading_partner_id
    notes = LineNotes()
    lines = _lines(items, trading_partner_id, config, kind, sent_before, notes)
    _check_unique(lines, notes)

    document_id = _document_id(partner, report_type, report_date, lines)
    data: dict[str, Any] = {
        "Meta": {"OrderManagement": order_management},
        "Header": {
            "HeaderReport": {
                "TradingPartnerId": trading_partner_id,
                "DocumentId": document_id,
                "TsetPurposeCode": ORIGINAL,
                "ReportTypeCode": report_type,
                "InventoryDate": report_date.isoformat(),
                "Vendor": partner.vendor_number,
            }
        },
        "Structure": [{"LineItem": lines}],
        "Summary": {"TotalLineItemNumber": len(lines)},
    }
    fmt = partner.rsx_format
    document = OutboundDocument(
        doc_type=DOC_TYPE,
        trading_partner_id=trading_partner_id,
        business_key=document_id,
        data=data,
        file_name=outbound_file_name(DOC_TYPE, document_id, trading_partner_id, fmt),
        format=fmt,
    )
    if not lines:
        document.problem(
            LINES,
            f"no QBO Item can be listed for trading partner {trading_partner_id}: map items to it "
            "in the item cross-reference",
        )
    for path, reason in notes.problems:
        document.problem(path, reason)
    for path, reason in notes.warnings:
        document.warn(path, reason)
    return document


def listed_items(content: bytes, *, source: str) -> frozenset[str]:
    """The `line_key`s of the items an ItemRegistry file (as sent before) lists, deletions excluded:
    the `sent_before` of the next catalog for the same partner."""
    keys: set[str] = set()
    for document in read_rsx(content, source=source, doc_type=DOC_TYPE):
        for structure in document.data.get("Structure") or []:
            for line in structure.get("LineItem") or []:
                inventory_line = line.get("InventoryLine") or {}
                if inventory_line.get("MaintenanceTypeCode") != MAINTENANCE_DELETE:
                    keys.add(line_key(inventory_line))
    return frozenset(keys)


def _lines(
    rows: Iterable[Mapping[str, Any]],
    trading_partner_id: str,
    config: QbspsConfig,
    kind: RegistryKind,
    sent_before: Collection[str],
    notes: LineNotes,
) -> list[dict[str, Any]]:
    # Sorted so that the order QBO returns rows in never changes the bytes sent.
    items = sorted((QboItem.from_row(row) for row in rows), key=lambda i: (i.name.casefold(), i.name, i.id))
    crossref = config.item_crossref
    lines: list[dict[str, Any]] = []
    for item in items:
        if item.type in NOT_PRODUCTS:
            continue
        identifiers = crossref.identifiers_for(trading_partner_id, item_id=item.id, item_name=item.name)
        if not identifiers:
            if item.active:
                notes.warnings.append(
                    (
                        LINES,
                        f"{item.label} has no item cross-reference row for trading partner "
                        f"{trading_partner_id}; left out",
                    )
                )
            continue
        if kind == "inventory" and item.type != "Inventory":
            if item.active:
                notes.warnings.append(
                    (
                        LINES,
                        f"{item.label} is a {item.type} item: QBO keeps no quantity on hand for it; "
                        "left out of the inventory advice",
                    )
                )
            continue
        path = f"{LINES}[{len(lines)}]"
        line = registry_line(item, identifiers, kind=kind, sent_before=sent_before, notes=notes, path=path)
        if line is not None:
            lines.append(line)
    return lines


def _check_unique(lines: list[dict[str, Any]], notes: LineNotes) -> None:
    """Two lines the partner would know by the same code cannot be told apart by it."""
    seen: dict[tuple[str, str], int] = {}
    for index, line in enumerate(lines):
        inventory_line = line["InventoryLine"]
        for element, _ in IDENTIFIERS:
            code = inventory_line.get(element)
            if not code:
                continue
            # A UPC and a GTIN of the same product are the same code.
            key = ("GS1", pad_gtin14(code)) if element in ("ConsumerPackageCode", "GTIN") else (element, code)
            first = seen.setdefault(key, index)
            if first != index:
                notes.problems.append(
                    (
                        f"{LINES}[{index}].InventoryLine.{element}",
                        f"{code!r} also names the item of {LINES}[{first}]; the partner could not tell "
                        "them apart (fix the item cross-reference)",
                    )
                )


def _document_id(partner: TradingPartner, report_type: str, report_date: date, lines: list) -> str:
    """``PS20260115-1A2B3C4D``: 19 characters, within X12's 30 for the report's reference number."""
    body = to_json(DOC_TYPE, {"Structure": [{"LineItem": lines}]}, indent=0)
    digest = hashlib.sha256()
    for part in (partner.trading_partner_id, partner.vendor_number, report_type, report_date.isoformat()):
        digest.update(part.encode() + b"\x00")
    digest.update(body)
    return f"{report_type}{report_date:%Y%m%d}-{digest.hexdigest()[:8].upper()}"


__all__ = ["REPORT_TYPES", "build_item_registry", "line_key", "listed_items"]
