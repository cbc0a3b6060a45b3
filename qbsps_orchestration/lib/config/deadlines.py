"""A trading partner's optional `deadlines:` block: when its ship notice (856), invoice (810) and
order acknowledgment (855) are due, how long before that a warning goes out, and what the partner
charges back for a late one. Absent (or a document absent inside it): no deadline is watched."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field


def _decimal(value: Any) -> Any:
    # YAML reads 2.5 as a float: go through its text (never the binary value) to an exact Decimal.
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    if isinstance(value, int | float | str):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    return value


def _money(value: Decimal) -> Decimal:
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{value} must be a positive amount")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{value} has more than 2 decimal places")
    return value


def _percent(value: Decimal) -> Decimal:
    if not value.is_finite() or not 0 < value <= 100:
        raise ValueError(f"{value} must be a percentage above 0 and at most 100")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. America/Chicago, UTC)") from None
    return value


Money = Annotated[Decimal, BeforeValidator(_decimal), AfterValidator(_money)]
Percent = Annotated[Decimal, BeforeValidator(_decimal), AfterValidator(_percent)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FlatChargeback(_Strict):
    """A fixed amount per late document."""

    kind: Literal["flat"]
    amount: Money


class PercentChargeback(_Strict):
    """A share of the document's amount (the invoice total, else the order total), with an
    optional floor: retailers often charge "2%, at least $25"."""

    kind: Literal["percent"]
    percent: Percent
    minimum: Money | None = None


class PerCartonChargeback(_Strict):
    """An amount per carton of the shipment (Target's way for a late or wrong ship notice)."""

    kind: Literal["per_carton"]
    amount: Money


Chargeback = Annotated[FlatChargeback | PercentChargeback | PerCartonChargeback, Field(discriminator="kind")]


class ShipNoticeDeadline(_Strict):
    # Counted from the start of the ship date (a date in QBO): 24 means "by the end of the ship day".
    hours_after_ship: int = Field(ge=1, le=24 * 30)
    # Also before the order's requested delivery / must-arrive-by date (850 Dates 063, else 002).
    before_delivery: bool = True
    chargeback: Chargeback | None = None


class InvoiceDeadline(_Strict):
    days_after_shipment: int = Field(ge=1, le=365)
    chargeback: Chargeback | None = None


class AcknowledgmentDeadline(_Strict):
    # Counted from when the order arrived (qbsps received it from the SPS mailbox).
    hours_after_order: int = Field(ge=1, le=24 * 30)
    chargeback: Chargeback | None = None


class DeadlineSettings(_Strict):
    ship_notice: ShipNoticeDeadline | None = None
    invoice: InvoiceDeadline | None = None
    acknowledgment: AcknowledgmentDeadline | None = None
    # A deadline this close (and not met) raises a "near" alert; missing it raises a second one.
    near_hours: int = Field(default=4, ge=1, le=24 * 7)
    # The partner's calendar: ship and delivery dates (days, not instants) start at midnight here.
    timezone: Annotated[str, AfterValidator(_timezone)] = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
