"""A QBO Invoice (JSON as the API returns it, money as Decimal) read into the parts an 810 needs.

Nothing is guessed: a value that is missing or malformed becomes a problem naming the QBO field
(``Line[2].SalesItemLineDetail.Qty``), and the caller decides whether the document can go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ..totals import cents

SHIPPING_ITEM = "SHIPPING_ITEM_ID"  # QBO's special ItemRef for the shipping charge line


@dataclass(frozen=True)
class SalesLine:
    """One SalesItemLineDetail line: a product (or service) sold."""

    where: str  # the QBO field path, e.g. "Line[0]"
    item_id: str | None
    item_name: str | None
    qty: Decimal
    unit_price: Decimal
    amount: Decimal
    description: str | None


@dataclass
class QboInvoiceView:
    doc_number: str | None
    qbo_id: str | None
    txn_date: str | None
    due_date: str | None
    po_number: str | None
    customer_id: str | None
    customer_name: str | None
    currency: str | None
    sales_term: str | None  # SalesTermRef name, e.g. "Net 30" or "2% 10 Net 30"
    ship_date: str | None
    ship_addr: dict[str, Any] | None
    bill_addr: dict[str, Any] | None
    total_amt: Decimal | None  # QBO's own total, checked against ours, never copied
    total_tax: Decimal
    lines: list[SalesLine] = field(default_factory=list)
    discounts: list[tuple[str, Decimal]] = field(default_factory=list)  # (where, amount > 0)
    shipping: list[tuple[str, Decimal]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (QBO field, reason)

    @property
    def label(self) -> str:
        """How an operator finds it in QuickBooks."""
        if self.doc_number:
            return f"QBO Invoice {self.doc_number}"
        return f"QBO Invoice Id {self.qbo_id}" if self.qbo_id else "QBO Invoice (no DocNumber, no Id)"


def read_qbo_invoice(invoice: dict[str, Any]) -> QboInvoiceView:
    if not isinstance(invoice, dict):
        raise TypeError(f"a QBO Invoice is a JSON object, got {type(invoice).__name__}")
    problems: list[tuple[str, str]] = []
    customer = _ref(invoice.get("CustomerRef"))
    currency = _ref(invoice.get("CurrencyRef"))
    term = _ref(invoice.get("SalesTermRef"))
    tax_detail = invoice.get("TxnTaxDetail") if isinstance(invoice.get("TxnTaxDetail"), dict) else {}
    view = QboInvoiceView(
        doc_number=_text(invoice.get("DocNumber")),
        qbo_id=_text(invoice.get("Id")),
        txn_date=_date(invoice, "TxnDate", problems),
        due_date=_date(invoice, "DueDate", problems),
        po_number=_text(invoice.get("PONumber")),
        customer_id=customer[0],
        customer_name=customer[1],
        currency=currency[0],
        sales_term=term[1] or term[0],
        ship_date=_date(invoice, "ShipDate", problems),
        ship_addr=invoice.get("ShipAddr") if isinstance(invoice.get("ShipAddr"), dict) else None,
        bill_addr=invoice.get("BillAddr") if isinstance(invoice.get("BillAddr"), dict) else None,
        total_amt=_money(invoice.get("TotalAmt"), "TotalAmt", problems, optional=True),
        total_tax=_money(tax_detail.get("TotalTax"), "TxnTaxDetail.TotalTax", problems, optional=True)
        or Decimal(0),
        problems=problems,
    )
    lines = invoice.get("Line")
    if not isinstance(lines, list) or not lines:
        problems.append(("Line", "the invoice has no lines"))
        return view
    for index, line in enumerate(lines):
        _read_line(view, line, f"Line[{index}]")
    return view


def _read_line(view: QboInvoiceView, line: Any, where: str) -> None:
    problems = view.problems
    if not isinstance(line, dict):
        problems.append((where, "expected a line object"))
        return
    kind = line.get("DetailType")
    if kind == "SalesItemLineDetail":
        detail = line.get("SalesItemLineDetail") or {}
        item_id, item_name = _ref(detail.get("ItemRef"))
        amount = _money(line.get("Amount"), f"{where}.Amount", problems)
        if item_id == SHIPPING_ITEM:
            if amount:
                view.shipping.append((where, amount))
            return
        qty = _number(detail.get("Qty"), f"{where}.SalesItemLineDetail.Qty", problems)
        price = _number(detail.get("UnitPrice"), f"{where}.SalesItemLineDetail.UnitPrice", problems)
        if qty is None or price is None or amount is None:
            return
        if item_id is None and item_name is None:
            problems.append((f"{where}.SalesItemLineDetail.ItemRef", "missing: the line names no item"))
            return
        view.lines.append(
            SalesLine(where, item_id, item_name, qty, price, amount, _text(line.get("Description")))
        )
    elif kind == "DiscountLineDetail":
        amount = _money(line.get("Amount"), f"{where}.Amount", problems)
        if amount:
            view.discounts.append((where, abs(amount)))
    elif kind in ("SubTotalLineDetail", "DescriptionOnly"):
        return  # QBO's own arithmetic and free text: nothing to bill
    else:
        problems.append((f"{where}.DetailType", f"{kind!r} lines cannot be invoiced over EDI"))


def _ref(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, dict):
        return None, None
    return _text(value.get("value")), _text(value.get("name"))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _date(invoice: dict[str, Any], key: str, problems: list[tuple[str, str]]) -> str | None:
    value = _text(invoice.get(key))
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        problems.append((key, f"expected a date YYYY-MM-DD, got {value!r:.40}"))
        return None


Problems = list[tuple[str, str]]


def _number(value: Any, where: str, problems: Problems, *, optional: bool = False) -> Decimal | None:
    if value is None:
        if not optional:
            problems.append((where, "missing"))
        return None
    if isinstance(value, bool | float):
        # A float has already lost the exact amount; the QBO client parses numbers as Decimal.
        problems.append((where, f"got a {type(value).__name__} {value!r}; money must arrive as Decimal"))
        return None
    try:
        number = Decimal(value) if isinstance(value, int | str) else value
    except InvalidOperation:
        problems.append((where, f"expected a number, got {value!r:.40}"))
        return None
    if not isinstance(number, Decimal) or not number.is_finite():
        problems.append((where, f"expected a number, got {value!r:.40}"))
        return None
    return number


def _money(value: Any, where: str, problems: Problems, *, optional: bool = False) -> Decimal | None:
    number = _number(value, where, problems, optional=optional)
    return None if number is None else cents(number)
