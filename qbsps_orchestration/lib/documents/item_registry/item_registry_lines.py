"""One QBO Item as a line of an RSX ItemRegistry: what the partner calls it, its price, its stock.

The partner's identifiers come from the item cross-reference (its rows for this partner first,
then the rows for all partners). A UPC/GTIN with a wrong GS1 check digit is never repeated to the
partner: it is left off the line with a warning, as the 810/855/856 builders do with retailer codes,
and the line is known by its part numbers (without any identifier left, the item is left out).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ...gs1 import is_valid_gtin
from ...items import ItemIdentifiers

RegistryKind = Literal["catalog", "inventory"]
# The identifier elements of an InventoryLine, in RSX order, from the cross-reference fields.
IDENTIFIERS = (
    ("BuyerPartNumber", "buyer_part_number"),
    ("VendorPartNumber", "vendor_part_number"),
    ("ConsumerPackageCode", "upc"),
    ("GTIN", "gtin"),
)
GS1_IDENTIFIERS = ("ConsumerPackageCode", "GTIN")
PRICE_PER_EACH = "PE"  # PurchasePriceBasis: QBO's UnitPrice is a price per unit sold
STOCK_QUANTITY = "33"  # QuantityQualifier: Quantity Available for Sale (Stock Quantity)
PRODUCT_DESCRIPTION = "08"  # ProductCharacteristicCode: Product
MAX_DESCRIPTION = 80  # X12 PID05, which SPS maps ProductDescription to for the retailer
MAINTENANCE_ADD, MAINTENANCE_CHANGE, MAINTENANCE_DELETE = "003", "001", "002"
# QBO Item types that are no product a retailer can order.
NOT_PRODUCTS = frozenset({"Category", "Discount", "Payment", "Subtotal", "Tax", "Tax Group"})


@dataclass(frozen=True)
class QboItem:
    """The fields of a QBO Item row that an ItemRegistry uses (money and quantities Decimal)."""

    id: str
    name: str
    type: str
    active: bool
    sku: str | None
    description: str | None
    unit_price: Decimal | None
    qty_on_hand: Decimal | None

    @property
    def label(self) -> str:
        return f"QBO Item {self.name!r} (Id {self.id})"

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> QboItem:
        """Raises ValueError naming the item and field when the row is not a QBO Item."""
        if not isinstance(row, Mapping):
            raise ValueError(f"a QBO Item row must be an object, got {type(row).__name__}")
        name, item_id = row.get("Name"), row.get("Id")
        label = f"QBO Item {name!r} (Id {item_id})"
        if not isinstance(item_id, str | int) or not str(item_id).strip():
            raise ValueError(f"{label}: Id is missing")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{label}: Name is missing")
        active = row.get("Active", True)
        if not isinstance(active, bool):
            raise ValueError(f"{label}: Active must be true or false, got {active!r}")
        return cls(
            id=str(item_id),
            name=name,
            type=str(row.get("Type") or "NonInventory"),
            active=active,
            sku=_text(row.get("Sku")),
            description=_text(row.get("Description")),
            unit_price=_number(row.get("UnitPrice"), f"{label}: UnitPrice"),
            qty_on_hand=_number(row.get("QtyOnHand"), f"{label}: QtyOnHand"),
        )


@dataclass
class LineNotes:
    """What building the lines found: ``(RSX path, reason)`` pairs, turned into document notes once
    the file name (which depends on the content) is known."""

    warnings: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


def registry_line(
    item: QboItem,
    identifiers: ItemIdentifiers,
    *,
    kind: RegistryKind,
    sent_before: Collection[str],
    notes: LineNotes,
    path: str,
) -> dict[str, Any] | None:
    """The LineItem for `item`, or None (with a warning saying why) when it cannot be listed."""
    inventory_line: dict[str, Any] = {}
    left_off: list[tuple[str, str]] = []  # said only if the item is listed at all
    for element, attribute in IDENTIFIERS:
        code = getattr(identifiers, attribute)
        if element == "VendorPartNumber" and not code:
            code = item.sku  # the supplier's own part number when the cross-reference gives none
        if not code:
            continue
        if element in GS1_IDENTIFIERS and not is_valid_gtin(code):
            reason = f"{item.label}: {code!r} has a wrong GS1 check digit; left off"
            left_off.append((f"{path}.InventoryLine.{element}", reason))
            continue
        inventory_line[element] = code
    if not inventory_line:
        if item.active:
            notes.warnings.append((path, f"{item.label}: no part number or valid UPC/GTIN remains; left out"))
        return None

    listed_before = line_key(inventory_line) in sent_before
    if not item.active and not (kind == "catalog" and listed_before):
        return None  # retired in QBO and never announced (or no stock to report): nothing to say

    notes.warnings.extend(left_off)
    line: dict[str, Any] = {"InventoryLine": inventory_line}
    if kind == "catalog":
        _price(inventory_line, item, notes, path)
        if not item.active:
            code = MAINTENANCE_DELETE  # made inactive in QBO after the partner was told of it
        else:
            code = MAINTENANCE_CHANGE if listed_before else MAINTENANCE_ADD
        inventory_line["MaintenanceTypeCode"] = code
    elif item.unit_price is not None and item.unit_price >= 0:
        inventory_line["PurchasePrice"] = item.unit_price  # as in SPS's 846 sample
        inventory_line["PurchasePriceBasis"] = PRICE_PER_EACH

    description = item.description or item.name
    if len(description) > MAX_DESCRIPTION:
        notes.warnings.append(
            (
                f"{path}.ProductOrItemDescription[0].ProductDescription",
                f"{item.label}: description cut to {MAX_DESCRIPTION} characters",
            )
        )
        description = description[:MAX_DESCRIPTION].rstrip()
    line["ProductOrItemDescription"] = [
        {"ProductCharacteristicCode": PRODUCT_DESCRIPTION, "ProductDescription": description}
    ]
    if kind == "inventory":
        line["QuantitiesSchedulesLocations"] = [
            {"QuantityQualifier": STOCK_QUANTITY, "TotalQty": _stock(item, notes, path)}
        ]
    return line


def line_key(inventory_line: Mapping[str, Any]) -> str:
    """How a listed item is recognised in a later registry: its identifiers, in RSX order."""
    return "|".join(str(inventory_line.get(element) or "") for element, _ in IDENTIFIERS)


def _price(inventory_line: dict[str, Any], item: QboItem, notes: LineNotes, path: str) -> None:
    where = f"{path}.InventoryLine.PurchasePrice"
    if item.unit_price is None:
        notes.warnings.append((where, f"{item.label} has no UnitPrice; listed without a price"))
        return
    if item.unit_price < 0:
        notes.problems.append((where, f"{item.label}: UnitPrice {item.unit_price} is negative"))
        return
    if item.unit_price == 0:
        notes.warnings.append((where, f"{item.label}: UnitPrice is 0; the partner will see a free item"))
    inventory_line["PurchasePrice"] = item.unit_price
    inventory_line["PurchasePriceBasis"] = PRICE_PER_EACH


def _stock(item: QboItem, notes: LineNotes, path: str) -> Decimal:
    quantity = item.qty_on_hand if item.qty_on_hand is not None else Decimal(0)
    if quantity < 0:  # QBO allows negative stock; nothing is available for sale then
        notes.warnings.append(
            (
                f"{path}.QuantitiesSchedulesLocations[0].TotalQty",
                f"{item.label}: QtyOnHand {quantity} is negative; 0 reported as available",
            )
        )
        return Decimal(0)
    return quantity


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())  # QBO descriptions carry line breaks; RSX text is one line
    return text or None


def _number(value: Any, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool | float):
        # A float cannot carry money exactly: the QBO client parses numbers as Decimal.
        raise ValueError(f"{where} must be a Decimal, got {type(value).__name__} {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            number = None
        if number is not None and number.is_finite():
            return number
    raise ValueError(f"{where} is not a number: {value!r}")
