"""Transaction lines: Line Id assignment, per-detail validation and amounts computed with Decimal."""

from __future__ import annotations

from decimal import Decimal

from .. import faults
from .schema import DETAIL_KEY, LINE_DETAIL_TYPES, LINE_FIELDS
from .store import RealmStore
from .values import cents, money, optional_money, resolve_ref

NO_EXPENSE_ACCOUNT = "You must select an account for this transaction."


def assign_line_ids(lines: list[dict], previous: list[dict] | None) -> None:
    """QBO's Line Id rule: an Id that exists on the stored transaction updates that line; a
    missing, non-positive or unknown Id creates a new line with the next free Id."""
    known = {str(line.get("Id")) for line in previous or []}
    highest = max((int(i) for i in known if i.isdigit()), default=0)
    for index, line in enumerate(lines):
        line_id = str(line.get("Id"))
        if line_id not in known or not line_id.isdigit() or int(line_id) <= 0:
            highest += 1
            line_id = str(highest)
        rest = {key: value for key, value in line.items() if key not in ("Id", "LineNum")}
        lines[index] = {"Id": line_id, "LineNum": index + 1, **rest}  # QBO lists Id and LineNum first


def normalize_lines(entity: str, record: dict, store: RealmStore) -> Decimal:
    """Validate every line of a transaction, fill computed amounts and return the total."""
    lines = record.get("Line")
    if not isinstance(lines, list) or not lines:
        raise faults.required_missing("Line")
    allowed = LINE_DETAIL_TYPES[entity]
    total = Decimal(0)
    running = Decimal(0)  # sales subtotal since the start, for SubTotal and percent discounts
    for index, line in enumerate(lines):
        where = f"Line[{index}]"
        if not isinstance(line, dict):
            raise faults.invalid_value(where, f"{where} must be an object")
        for key in line:
            if key not in LINE_FIELDS:
                raise faults.unrecognized_field(f"{entity}.Line", key)
        detail_type = line.get("DetailType")
        if not detail_type:
            raise faults.required_missing(f"{where}.DetailType")
        if detail_type not in allowed:
            raise faults.invalid_enumeration(f"{where}.DetailType", detail_type)
        detail_key = DETAIL_KEY.get(detail_type, detail_type)
        detail = line.get(detail_key)
        if detail is None:
            if detail_type != "DescriptionOnly":
                raise faults.required_missing(f"{where}.{detail_key}")
        elif not isinstance(detail, dict):
            raise faults.invalid_value(f"{where}.{detail_key}", f"{detail_key} must be an object")
        detail = detail or {}
        if detail_type == "ItemBasedExpenseLineDetail":
            item = resolve_ref(
                store, detail, "ItemRef", "Item", f"{where}.ItemBasedExpenseLineDetail.ItemRef", required=True
            )
            if not item.get("ExpenseAccountRef"):
                raise faults.business_rule(NO_EXPENSE_ACCOUNT, f"{where}.ItemBasedExpenseLineDetail.ItemRef")
            detail.setdefault("BillableStatus", "NotBillable")
            total += _priced_amount(line, detail, where)
        elif detail_type == "AccountBasedExpenseLineDetail":
            resolve_ref(
                store,
                detail,
                "AccountRef",
                "Account",
                f"{where}.AccountBasedExpenseLineDetail.AccountRef",
                required=True,
            )
            detail.setdefault("BillableStatus", "NotBillable")
            total += _stated_amount(line, where)
        elif detail_type == "SalesItemLineDetail":
            resolve_ref(
                store, detail, "ItemRef", "Item", f"{where}.SalesItemLineDetail.ItemRef", required=True
            )
            amount = _priced_amount(line, detail, where)
            total += amount
            running += amount
        elif detail_type == "SubTotalLineDetail":
            line["Amount"] = cents(running)  # computed by QBO, never counted twice
        elif detail_type == "DiscountLineDetail":
            discount = _discount(line, detail, running, where)
            total -= discount
            running -= discount
        elif detail_type == "GroupLineDetail":
            total += _stated_amount(line, where)
        else:  # DescriptionOnly: an Amount sent is ignored, as QBO ignores it
            line.pop("Amount", None)
    return cents(total)


def _stated_amount(line: dict, where: str) -> Decimal:
    amount = optional_money(line, "Amount", f"{where}.Amount")
    if amount is None:
        raise faults.required_missing(f"{where}.Amount")
    line["Amount"] = cents(amount)
    return line["Amount"]


def _priced_amount(line: dict, detail: dict, where: str) -> Decimal:
    """Amount of a Qty x UnitPrice line: computed when missing, checked when both are given."""
    qty = optional_money(detail, "Qty", f"{where}.Qty")
    price = optional_money(detail, "UnitPrice", f"{where}.UnitPrice")
    amount = optional_money(line, "Amount", f"{where}.Amount")
    if qty is not None:
        detail["Qty"] = qty
    if price is not None:
        detail["UnitPrice"] = price
    if qty is not None and price is not None and qty != 0 and price != 0:
        expected = cents(qty * price)
        if amount is None:
            amount = expected
        elif cents(amount) != expected:
            raise faults.business_rule(
                f"Amount is not equal to UnitPrice * Qty. Supplied value:{amount}", f"{where}.Amount"
            )
    if amount is None:
        raise faults.required_missing(f"{where}.Amount")
    line["Amount"] = cents(amount)
    return line["Amount"]


def _discount(line: dict, detail: dict, running: Decimal, where: str) -> Decimal:
    if detail.get("PercentBased") is True:
        percent = money(detail.get("DiscountPercent", 0), f"{where}.DiscountLineDetail.DiscountPercent")
        line["Amount"] = cents(running * percent / 100)
        return line["Amount"]
    return _stated_amount(line, where)
