"""OrderAck (855) rules: required elements, line statuses and quantities against the PO."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...rsx import Order
from ..codes import REJECTING_ACK_TYPES
from ..findings import Findings
from ..invoice.rules_invoice import order_line_index
from ..totals import as_decimal, shown

HEADER = "Header.OrderHeader"
_HEADER_REQUIRED = ("TradingPartnerId", "PurchaseOrderNumber", "AcknowledgementType", "AcknowledgementDate")
_ACCEPTING = ("IA", "AC")  # accepted as ordered (AC: accepted and shipped)
# Accepted with a change: quantity, price, rescheduled date, several changes.
_ACCEPTING_CHANGED = ("IQ", "IP", "DR", "IC")


def check_order_ack(findings: Findings, data: dict[str, Any], order: Order | None) -> None:
    header = (data.get("Header") or {}).get("OrderHeader") or {}
    findings.require(header, HEADER, *_HEADER_REQUIRED)
    items = data.get("LineItem") or []
    statuses: list[str] = []
    for index, item in enumerate(items):
        statuses += _check_line(findings, index, item, order)
    _check_type(findings, header.get("AcknowledgementType"), statuses)
    if order is None:
        return
    po = order.header
    if header.get("PurchaseOrderNumber") and header["PurchaseOrderNumber"] != po.PurchaseOrderNumber:
        findings.problem(
            f"{HEADER}.PurchaseOrderNumber",
            f"is {header['PurchaseOrderNumber']!r} but the order is {po.PurchaseOrderNumber!r}",
        )
    detailed = header.get("AcknowledgementType") not in ("AK", "RJ")  # the "no detail" types
    if detailed and len(items) != len(order.LineItem):
        findings.problem(
            "LineItem",
            f"acknowledges {len(items)} lines but order {po.PurchaseOrderNumber} has {len(order.LineItem)}",
        )


def _check_line(findings: Findings, position: int, item: dict[str, Any], order: Order | None) -> list[str]:
    path = f"LineItem[{position}]"
    line = item.get("OrderLine")
    acks = item.get("LineItemAcknowledgement") or []
    if not isinstance(line, dict):
        findings.problem(f"{path}.OrderLine", "required element is missing")
        line = {}
    if not acks:
        findings.problem(f"{path}.LineItemAcknowledgement", "required: the line's ItemStatusCode")
    ordered = as_decimal(line.get("OrderQty"))
    if order is not None and line:
        index = order_line_index(line, order, prefer=[position])  # an 855 answers line by line
        if index is None:
            findings.problem(
                f"{path}.OrderLine", f"is not a line of order {order.header.PurchaseOrderNumber}"
            )
        else:
            original = order.LineItem[index].OrderLine.OrderQty
            if original is not None and ordered is not None and ordered != original:
                findings.problem(
                    f"{path}.OrderLine.OrderQty",
                    f"is {shown(ordered)} but the order line says {shown(original)}",
                )
    statuses = []
    for number, ack in enumerate(acks):
        where = f"{path}.LineItemAcknowledgement[{number}]"
        code = ack.get("ItemStatusCode")
        if not code:
            findings.problem(f"{where}.ItemStatusCode", "required element is missing")
            continue
        statuses.append(code)
        _check_quantity(findings, where, code, as_decimal(ack.get("ItemScheduleQty")), ordered)
    return statuses


def _check_quantity(
    findings: Findings, where: str, code: str, quantity: Decimal | None, ordered: Decimal | None
) -> None:
    path = f"{where}.ItemScheduleQty"
    if quantity is None:
        if code != "IR":
            findings.problem(path, f"status {code} needs the quantity it applies to")
        return
    if quantity < 0:
        findings.problem(path, f"must not be negative, got {shown(quantity)}")
    if ordered is None:
        return
    if code in _ACCEPTING and quantity != ordered:
        findings.problem(
            path, f"status {code} (accepted) but {shown(quantity)} ≠ ordered {shown(ordered)}; use IQ"
        )
    elif code == "IQ" and quantity == ordered:
        findings.problem(path, f"status IQ (quantity changed) but {shown(quantity)} is as ordered; use IA")
    elif code == "IR" and quantity not in (0, ordered):
        findings.problem(
            path, f"status IR (rejected) with quantity {shown(quantity)}: expected 0 or {shown(ordered)}"
        )


def _check_type(findings: Findings, ack_type: str | None, statuses: list[str]) -> None:
    path = f"{HEADER}.AcknowledgementType"
    if ack_type == "AD" and any(code not in _ACCEPTING for code in statuses):
        changed = sorted(set(statuses) - set(_ACCEPTING))
        findings.problem(path, f"AD (no change) but lines carry {', '.join(changed)}; use AC")
    elif ack_type in REJECTING_ACK_TYPES and any(c in _ACCEPTING + _ACCEPTING_CHANGED for c in statuses):
        findings.problem(path, f"{ack_type} rejects the order but some lines are accepted")
