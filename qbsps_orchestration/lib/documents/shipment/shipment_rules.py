"""Reasons not to send a ship notice: the RSX 7.7.7 Shipment constraints (when the derived file
is at hand) and the rules a retailer's receiving dock relies on — every carton carries a valid,
unique SSCC-18, nothing ships beyond the ordered quantity, the document goes to the order's
trading partner, and the carrier is named. Each message reads ``<file name>: <RSX path>: <reason>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from ... import gs1
from ...rsx import Order
from ..document import OutboundDocument, located
from .ship_constraints import constraint_problems, load_shipment_classes
from .ship_notice import ASN_STRUCTURE_SOPI


def check_shipment(document: OutboundDocument, *, order: Order, constraints_file: Path | None) -> list[str]:
    """Every problem of `document` (an RSX Shipment) against `order`, the PO it ships.

    `constraints_file` is the derived v7.7.7 constraints JSON; None skips those checks (the
    structural rules below still apply). A path that names no file is a configuration error.
    """
    if document.doc_type != "Shipment":
        raise ValueError(f"{document.file_name}: check_shipment checks Shipments, not {document.doc_type}")
    if constraints_file is not None and not constraints_file.is_file():
        raise ValueError(f"RSX Shipment constraints file {constraints_file} does not exist")
    data = document.data
    found: list[tuple[str, str]] = []
    if constraints_file is not None:
        found += constraint_problems(data, load_shipment_classes(constraints_file))
    header = (data.get("Header") or {}).get("ShipmentHeader") or {}
    found += _routing(document, header, order)
    found += _carrier(data)
    found += _structure(data)
    found += _quantities(data, order)
    return [located(document.file_name, path, reason) for path, reason in found]


def _routing(document: OutboundDocument, header: dict[str, Any], order: Order) -> list[tuple[str, str]]:
    path = "Header.ShipmentHeader.TradingPartnerId"
    sent_to = header.get("TradingPartnerId")
    problems = []
    if sent_to != document.trading_partner_id:
        problems.append(
            (
                path,
                f"{sent_to!r} is not the partner this document is routed to "
                f"({document.trading_partner_id!r})",
            )
        )
    if order.header.TradingPartnerId != document.trading_partner_id:
        problems.append(
            (
                path,
                f"order {order.header.PurchaseOrderNumber} belongs to trading partner "
                f"{order.header.TradingPartnerId!r}, not {document.trading_partner_id!r}",
            )
        )
    if header.get("ShipmentIdentification") != document.business_key:
        problems.append(
            (
                "Header.ShipmentHeader.ShipmentIdentification",
                f"{header.get('ShipmentIdentification')!r} differs from the document key "
                f"{document.business_key!r}",
            )
        )
    return problems


def _carrier(data: dict[str, Any]) -> list[tuple[str, str]]:
    carriers = (data.get("Header") or {}).get("CarrierInformation") or []
    codes = [c.get("CarrierAlphaCode") for c in carriers if isinstance(c, dict)]
    if any(isinstance(code, str) and code.strip() for code in codes):
        return []
    return [
        (
            "Header.CarrierInformation[0].CarrierAlphaCode",
            "no carrier code (SCAC): set Ship via (ShipMethodRef) on the QBO Invoice and map it under "
            "`carriers` in the config",
        )
    ]


def _packs(levels: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every PackLevel, nested tare → pack levels included, with its RSX path."""
    for index, level in enumerate(levels if isinstance(levels, list) else []):
        if isinstance(level, dict):
            here = f"{path}[{index}]"
            yield here, level
            yield from _packs(level.get("PackLevel"), f"{here}.PackLevel")


def _order_levels(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    levels = data.get("OrderLevel")
    return [(f"OrderLevel[{i}]", lv) for i, lv in enumerate(levels or []) if isinstance(lv, dict)]


def _structure(data: dict[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    header = (data.get("Header") or {}).get("ShipmentHeader") or {}
    if header.get("ASNStructureCode") != ASN_STRUCTURE_SOPI:
        problems.append(
            (
                "Header.ShipmentHeader.ASNStructureCode",
                f"expected {ASN_STRUCTURE_SOPI} (Shipment/Order/Pack/Item), got "
                f"{header.get('ASNStructureCode')!r}",
            )
        )
    orders = _order_levels(data)
    if not orders:
        problems.append(("OrderLevel", "a ship notice needs the order it ships (no OrderLevel)"))
    seen: dict[str, str] = {}
    for order_path, level in orders:
        packs = list(_packs(level.get("PackLevel"), f"{order_path}.PackLevel"))
        if not packs:
            problems.append((f"{order_path}.PackLevel", "no cartons (PackLevel) in this order"))
        for pack_path, pack_level in packs:
            problems += _pack_problems(pack_path, pack_level, seen)
    return problems


def _pack_problems(path: str, level: dict[str, Any], seen: dict[str, str]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    pack = level.get("Pack") if isinstance(level.get("Pack"), dict) else {}
    where = f"{path}.Pack.ShippingSerialID"
    serial = pack.get("ShippingSerialID")
    if not isinstance(serial, str) or not serial.strip():
        problems.append((where, "missing: every carton needs its SSCC-18"))
    else:
        try:
            sscc = gs1.normalize_sscc18(serial)
        except ValueError as exc:
            problems.append((where, f"not a valid SSCC-18: {exc}"))
        else:
            if sscc in seen:
                problems.append((where, f"SSCC {sscc} is used twice (also at {seen[sscc]})"))
            else:
                seen[sscc] = where
    if pack.get("PackLevelType") == "P" and not level.get("ItemLevel"):
        problems.append((f"{path}.ItemLevel", "an empty carton: a pack (P) must hold items"))
    return problems


def _order_keys(order: Order) -> dict[str, Decimal | None]:
    """Order line key (LineSequenceNumber, else 1-based position) → ordered quantity."""
    keys: dict[str, Decimal | None] = {}
    for position, item in enumerate(order.LineItem, start=1):
        line = item.OrderLine
        keys[(line.LineSequenceNumber or "").strip() or str(position)] = line.OrderQty
    return keys


def _quantities(data: dict[str, Any], order: Order) -> list[tuple[str, str]]:
    ordered = _order_keys(order)
    shipped: dict[str, Decimal] = {}
    first_path: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for order_path, level in _order_levels(data):
        number = (level.get("OrderHeader") or {}).get("PurchaseOrderNumber")
        if number != order.header.PurchaseOrderNumber:
            problems.append(
                (
                    f"{order_path}.OrderHeader.PurchaseOrderNumber",
                    f"{number!r} is not the order {order.header.PurchaseOrderNumber!r}",
                )
            )
        for pack_path, pack in _packs(level.get("PackLevel"), f"{order_path}.PackLevel"):
            for index, item in enumerate(pack.get("ItemLevel") or []):
                line = (item or {}).get("ShipmentLine") or {}
                path = f"{pack_path}.ItemLevel[{index}].ShipmentLine"
                key, quantity = line.get("LineSequenceNumber"), line.get("ShipQty")
                if key not in ordered:
                    problems.append(
                        (
                            f"{path}.LineSequenceNumber",
                            f"{key!r} is no line of order {order.header.PurchaseOrderNumber}",
                        )
                    )
                    continue
                if isinstance(quantity, bool) or not isinstance(quantity, int | Decimal) or quantity <= 0:
                    problems.append((f"{path}.ShipQty", f"must be a positive quantity, got {quantity!r}"))
                    continue
                shipped[key] = shipped.get(key, Decimal(0)) + quantity
                first_path.setdefault(key, path)
    for key, quantity in shipped.items():
        limit = ordered[key]
        if limit is not None and quantity > limit:
            problems.append(
                (
                    f"{first_path[key]}.ShipQty",
                    f"line {key} ships {_qty(quantity)} but order {order.header.PurchaseOrderNumber} "
                    f"ordered {_qty(limit)}",
                )
            )
    return problems


def _qty(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"  # 5.0 and 5 read the same in a message
