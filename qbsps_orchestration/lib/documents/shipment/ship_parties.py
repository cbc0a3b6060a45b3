"""Who and how of a ship notice: ship-from / ship-to addresses and the carrier. Pure functions."""

from __future__ import annotations

from typing import Any

from ...config import QbspsConfig, Supplier
from ...rsx import Order
from ...rsx.segments import Address
from ..addresses import supplier_address

# Scalar Address elements a Shipment accepts (its Address groups are closed: no unknown keys).
_ADDRESS_FIELDS = (
    "AddressTypeCode",
    "LocationCodeQualifier",
    "AddressLocationNumber",
    "AddressName",
    "AddressAlternateName",
    "Address1",
    "Address2",
    "Address3",
    "Address4",
    "City",
    "State",
    "PostalCode",
    "Country",
)


def order_address(address: Address) -> dict[str, Any]:
    """An order's address as the ship notice repeats it (the retailer's location number included:
    receiving matches the ASN to its DC by it)."""
    data = address.to_data()
    return {key: data[key] for key in _ADDRESS_FIELDS if data.get(key) not in (None, "")}


def ship_from(supplier: Supplier) -> dict[str, Any]:
    return supplier_address(supplier, "SF")


def ship_to(order: Order, invoice: dict[str, Any]) -> dict[str, Any] | None:
    """The order's ST address when it has one (it carries the retailer's location number), else
    the QBO Invoice ShipAddr; None when neither exists."""
    ordered = order.address("ST")
    if ordered is not None:
        return order_address(ordered)
    qbo = invoice.get("ShipAddr")
    if not isinstance(qbo, dict) or not any(qbo.get(k) for k in ("Line1", "City", "PostalCode")):
        return None
    customer = invoice.get("CustomerRef") or {}
    address = {
        "AddressTypeCode": "ST",
        "AddressName": customer.get("name") if isinstance(customer, dict) else None,
        "Address1": qbo.get("Line1"),
        "Address2": qbo.get("Line2"),
        "Address3": qbo.get("Line3"),
        "Address4": qbo.get("Line4"),
        "City": qbo.get("City"),
        "State": qbo.get("CountrySubDivisionCode"),
        "PostalCode": qbo.get("PostalCode"),
        "Country": qbo.get("Country"),
    }
    return {key: str(value) for key, value in address.items() if value not in (None, "")}


def mark_for(order: Order) -> dict[str, Any] | None:
    """The order's Z7 mark-for party (the store behind a DC), repeated at order level."""
    address = order.address("Z7")
    return order_address(address) if address is not None else None


def ship_method(invoice: dict[str, Any]) -> str | None:
    """QBO ShipMethodRef: Intuit stores the shipping method as text in `value` (and `name`)."""
    ref = invoice.get("ShipMethodRef")
    if isinstance(ref, dict):
        value = ref.get("value") or ref.get("name")
        return str(value).strip() or None if value else None
    if isinstance(ref, str):
        return ref.strip() or None
    return None


def carrier(invoice: dict[str, Any], config: QbspsConfig) -> tuple[dict[str, Any] | None, str | None]:
    """(CarrierInformation entry, problem): the SCAC comes from config `carriers`, keyed by the
    QBO ship method; an unknown method is a problem, never a guessed carrier."""
    method = ship_method(invoice)
    if method is None:
        return None, None  # the shipment rules report the missing carrier code
    scac = config.carriers.get(method)
    entry: dict[str, Any] = {"CarrierRouting": method}
    if scac is None:
        configured = ", ".join(sorted(config.carriers)) or "none"
        return entry, (
            f"QBO ShipMethodRef {method!r} has no carrier code (SCAC); add it under `carriers` in the "
            f"config (configured: {configured})"
        )
    return {"CarrierAlphaCode": scac, **entry}, None
