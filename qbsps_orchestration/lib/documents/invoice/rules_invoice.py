"""Invoice (810) rules: required elements, arithmetic to the cent, quantities against the PO."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ...gs1 import pad_gtin14
from ...rsx import Order, OrderLine
from ..findings import Findings
from ..order_lines import IDENTIFIER_ELEMENTS
from ..totals import ZERO, as_decimal, cents, extended_total, invoice_totals, shown

HEADER = "Header.InvoiceHeader"
_HEADER_REQUIRED = (
    "TradingPartnerId",
    "InvoiceNumber",
    "InvoiceDate",
    "PurchaseOrderNumber",
    "InvoiceTypeCode",
    "Vendor",
)
_LINE_REQUIRED = ("InvoiceQty", "InvoiceQtyUOM", "PurchasePrice", "ExtendedItemTotal")
_PER_UNIT_BASES = (None, "PE", "UM")  # price bases where ExtendedItemTotal = qty × price
_GS1 = ("ConsumerPackageCode", "EAN", "GTIN")


def check_invoice(findings: Findings, data: dict[str, Any], order: Order | None) -> None:
    header = (data.get("Header") or {}).get("InvoiceHeader") or {}
    findings.require(header, HEADER, *_HEADER_REQUIRED)
    items = data.get("LineItem") or []
    if not items:
        findings.problem("LineItem", "an invoice needs at least one line")
    lines = [(f"LineItem[{i}].InvoiceLine", item.get("InvoiceLine") or {}) for i, item in enumerate(items)]
    for path, line in lines:
        _check_line(findings, path, line)
    _check_summary(findings, data)
    if order is not None:
        _check_against_order(findings, header, lines, order)


def _check_line(findings: Findings, path: str, line: dict[str, Any]) -> None:
    findings.require(line, path, *_LINE_REQUIRED)
    if not any(line.get(name) for name in IDENTIFIER_ELEMENTS):
        findings.problem(path, f"no item identifier: needs one of {', '.join(IDENTIFIER_ELEMENTS)}")
    qty, price = as_decimal(line.get("InvoiceQty")), as_decimal(line.get("PurchasePrice"))
    if qty is not None and qty <= 0:
        findings.problem(f"{path}.InvoiceQty", f"must be more than 0, got {qty}")
    if price is not None and price < 0:
        findings.problem(f"{path}.PurchasePrice", f"must not be negative, got {price}")
    extended = as_decimal(line.get("ExtendedItemTotal"))
    if extended is None:
        return
    _check_cents(findings, f"{path}.ExtendedItemTotal", extended)
    if qty is not None and price is not None and line.get("PurchasePriceBasis") in _PER_UNIT_BASES:
        expected = extended_total(qty, price)
        if cents(extended) != expected:
            findings.problem(
                f"{path}.ExtendedItemTotal",
                f"is {extended} but InvoiceQty {shown(qty)} × PurchasePrice {shown(price)} is {expected}",
            )


def _check_summary(findings: Findings, data: dict[str, Any]) -> None:
    summary = data.get("Summary")
    if not isinstance(summary, dict):
        findings.problem("Summary", "required element is missing")
        return
    findings.require(summary, "Summary", "TotalAmount", "TotalLineItemNumber")
    totals = invoice_totals(data)
    expected = {
        "TotalSalesAmount": (totals.sales, "the sum of the lines' ExtendedItemTotal"),
        "TotalAmount": (
            totals.total,
            "TotalSalesAmount − allowances + charges + taxes "
            f"({totals.sales} − {totals.allowances} + {totals.charges} + {totals.taxes})",
        ),
    }
    for name, (want, how) in expected.items():
        given = as_decimal(summary.get(name))
        if given is None:
            continue
        _check_cents(findings, f"Summary.{name}", given)
        if cents(given) != want:
            findings.problem(f"Summary.{name}", f"is {given} but {how} is {want}")
    count = summary.get("TotalLineItemNumber")
    if count is not None and count != totals.line_count:
        findings.problem(
            "Summary.TotalLineItemNumber", f"is {count} but the invoice has {totals.line_count} lines"
        )
    due, total = as_decimal(summary.get("InvoiceAmtDueByTermsDate")), as_decimal(summary.get("TotalAmount"))
    discount = as_decimal(summary.get("TotalTermsDiscountAmount")) or ZERO
    if due is not None and total is not None and cents(due) != cents(total - discount):
        findings.problem(
            "Summary.InvoiceAmtDueByTermsDate",
            f"is {due} but TotalAmount {total} − TotalTermsDiscountAmount {discount} "
            f"is {cents(total - discount)}",
        )


def _check_against_order(
    findings: Findings, header: dict[str, Any], lines: list[tuple[str, dict[str, Any]]], order: Order
) -> None:
    po = order.header
    if header.get("PurchaseOrderNumber") and header["PurchaseOrderNumber"] != po.PurchaseOrderNumber:
        findings.problem(
            f"{HEADER}.PurchaseOrderNumber",
            f"is {header['PurchaseOrderNumber']!r} but the order is {po.PurchaseOrderNumber!r}",
        )
    ordered_on = po.PurchaseOrderDate.isoformat() if po.PurchaseOrderDate else None
    if header.get("PurchaseOrderDate") and ordered_on and header["PurchaseOrderDate"] != ordered_on:
        findings.problem(
            f"{HEADER}.PurchaseOrderDate",
            f"is {header['PurchaseOrderDate']} but the order is dated {ordered_on}",
        )
    invoiced: dict[int, Decimal] = {}
    first_path: dict[int, str] = {}
    for path, line in lines:
        unanswered = [i for i in range(len(order.LineItem)) if i not in invoiced]
        index = order_line_index(line, order, prefer=unanswered)
        if index is None:
            findings.problem(path, f"{_describe(line)} is not on purchase order {po.PurchaseOrderNumber}")
            continue
        ordered = order.LineItem[index].OrderLine
        uom, ordered_uom = line.get("InvoiceQtyUOM"), ordered.OrderQtyUOM
        if uom and ordered_uom and uom != ordered_uom:
            findings.problem(
                f"{path}.InvoiceQtyUOM", f"is {uom} but the order line {_seq(ordered)} is in {ordered_uom}"
            )
            continue
        invoiced[index] = invoiced.get(index, ZERO) + (as_decimal(line.get("InvoiceQty")) or ZERO)
        first_path.setdefault(index, path)
    for index, qty in invoiced.items():
        ordered = order.LineItem[index].OrderLine
        if ordered.OrderQty is not None and qty > ordered.OrderQty:
            findings.problem(
                f"{first_path[index]}.InvoiceQty",
                f"invoices {shown(qty)} {ordered.OrderQtyUOM or ''} of order line {_seq(ordered)} but "
                f"purchase order {po.PurchaseOrderNumber} ordered {shown(ordered.OrderQty)}",
            )


def order_line_index(line: dict[str, Any], order: Order, prefer: Iterable[int] = ()) -> int | None:
    """The order line an outbound line answers: by LineSequenceNumber, else by the first
    identifier (GS1 code, buyer part number, vendor part number) that finds one. An order may list
    one item on several lines: then the first of ``prefer`` among them (the line at the same
    position, the lines not yet answered), else the first."""
    found = order_line_candidates(line, order)
    return next((i for i in prefer if i in found), found[0] if found else None)


def order_line_candidates(line: dict[str, Any], order: Order) -> list[int]:
    sequence = line.get("LineSequenceNumber")
    ordered = [item.OrderLine for item in order.LineItem]
    if sequence:
        return [i for i, o in enumerate(ordered) if o.LineSequenceNumber == sequence][:1]
    codes = {_gtin(line.get(name)) for name in _GS1} - {None}
    for same in (
        lambda o: bool(codes & {_gtin(getattr(o, name)) for name in _GS1}),
        lambda o: bool(line.get("BuyerPartNumber")) and o.BuyerPartNumber == line.get("BuyerPartNumber"),
        lambda o: bool(line.get("VendorPartNumber")) and o.VendorPartNumber == line.get("VendorPartNumber"),
    ):
        found = [i for i, o in enumerate(ordered) if same(o)]
        if found:
            return found
    return []


def _gtin(code: Any) -> str | None:
    return pad_gtin14(code) if isinstance(code, str) and code.strip().isdigit() else None


def _seq(line: OrderLine) -> str:
    return line.LineSequenceNumber or line.BuyerPartNumber or line.VendorPartNumber or "?"


def _describe(line: dict[str, Any]) -> str:
    for name in IDENTIFIER_ELEMENTS:
        if line.get(name):
            return f"item {name} {line[name]}"
    return "the item"


def _check_cents(findings: Findings, path: str, amount: Decimal) -> None:
    if amount != cents(amount):
        findings.problem(path, f"{amount} has more than two decimals; money is sent to the cent")
