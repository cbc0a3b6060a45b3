"""Cartons of a ship notice: which order lines, in which quantities, travel in which carton.

Each carton becomes one Pack (PackLevelType ``P``) with its own SSCC-18. Lines are named by the
original order's ``LineSequenceNumber`` (or, for an order line without one, its 1-based position),
because that is the key the retailer receives the ship notice against.

Default when the caller gives no cartons: everything shipped on the invoice goes into ONE carton.
QBO records no packing at all, so one pack per invoice is the only packing that claims nothing
we do not know; a warehouse that packs several cartons passes them explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .ship_lines import ShippedLine


@dataclass(frozen=True)
class Carton:
    """One carton: order line → quantity packed in it (in the line's order UOM)."""

    contents: Mapping[str, Decimal]
    tracking_number: str | None = None  # the parcel's own tracking number (CarrierPackageID)
    weight_lb: Decimal | None = None  # gross weight in pounds, when weighed

    def __post_init__(self) -> None:
        if not self.contents:
            raise ValueError("a carton needs at least one order line")
        for line, quantity in self.contents.items():
            if not isinstance(line, str) or not line.strip():
                raise ValueError(f"carton line must be an order LineSequenceNumber (text), got {line!r}")
            if not isinstance(quantity, Decimal | int) or isinstance(quantity, bool):
                # A float cannot state a quantity exactly; say Decimal("2.5").
                raise ValueError(f"carton quantity for line {line} must be a Decimal, got {quantity!r}")
            if quantity <= 0:
                raise ValueError(f"carton quantity for line {line} must be positive, got {quantity}")
        if self.weight_lb is not None and (not isinstance(self.weight_lb, Decimal) or self.weight_lb <= 0):
            raise ValueError(f"carton weight_lb must be a positive Decimal, got {self.weight_lb!r}")
        # A private copy: the caller's dict changing later must not change a built carton.
        object.__setattr__(self, "contents", {k.strip(): Decimal(v) for k, v in self.contents.items()})


def one_carton(lines: Sequence[ShippedLine]) -> list[Carton]:
    """The default packing: every shipped line in a single carton (none when nothing ships)."""
    shipped = {line.key: line.quantity for line in lines if line.quantity > 0}
    return [Carton(shipped)] if shipped else []


def carton_problems(cartons: Sequence[Carton], lines: Sequence[ShippedLine]) -> list[tuple[str, str]]:
    """``(path, reason)`` where the cartons do not hold exactly what the invoice ships."""
    shipped = {line.key: line.quantity for line in lines}
    packed: dict[str, Decimal] = {}
    problems: list[tuple[str, str]] = []
    for index, carton in enumerate(cartons):
        for key, quantity in carton.contents.items():
            if key not in shipped:
                known = ", ".join(shipped) or "none"
                problems.append(
                    (
                        f"cartons[{index}]",
                        f"line {key!r} is not shipped on this invoice (shipped lines: {known})",
                    )
                )
                continue
            packed[key] = packed.get(key, Decimal(0)) + quantity
    for key, quantity in shipped.items():
        in_cartons = packed.get(key, Decimal(0))
        if quantity > 0 and in_cartons != quantity:
            problems.append(
                (
                    "cartons",
                    f"line {key}: cartons hold {_qty(in_cartons)} but the invoice ships {_qty(quantity)}",
                )
            )
    return problems


def _qty(value: Decimal) -> str:
    return f"{value.normalize():f}"
