"""RSX `Address` entries for outbound documents: from the retailer's order, the supplier profile,
or a QBO PhysicalAddress, in that order of preference (the retailer's own location numbers are
what its systems match on)."""

from __future__ import annotations

from typing import Any

from ..config import Supplier
from ..rsx import Order

# The Address elements every outbound family accepts; nested Contacts/Dates/References are dropped
# because an outbound document re-states addresses, it does not forward the buyer's contacts.
ADDRESS_ELEMENTS = (
    "AddressTypeCode",
    "LocationCodeQualifier",
    "AddressLocationNumber",
    "AddressName",
    "AddressAlternateName",
    "AddressAlternateName2",
    "Address1",
    "Address2",
    "Address3",
    "Address4",
    "City",
    "State",
    "PostalCode",
    "Country",
)


def order_address(order: Order | None, type_code: str) -> dict[str, Any] | None:
    if order is None:
        return None
    found = order.address(type_code)
    if found is None:
        return None
    data = found.to_data()
    return {key: data[key] for key in ADDRESS_ELEMENTS if isinstance(data.get(key), str) and data[key]}


def supplier_address(supplier: Supplier, type_code: str) -> dict[str, Any]:
    address: dict[str, Any] = {
        "AddressTypeCode": type_code,
        "AddressName": supplier.name,
        "Address1": supplier.address1,
        "Address2": supplier.address2,
        "City": supplier.city,
        "State": supplier.state,
        "PostalCode": supplier.postal_code,
        "Country": supplier.country,
    }
    return {key: value for key, value in address.items() if value}


def qbo_address(physical: dict[str, Any] | None, type_code: str, name: str | None) -> dict[str, Any] | None:
    """A QBO PhysicalAddress (Line1..Line5, City, CountrySubDivisionCode, PostalCode, Country)."""
    if not physical:
        return None
    keys = ("Line1", "Line2", "Line3", "Line4", "Line5")
    lines = [text for text in (str(physical.get(k) or "").strip() for k in keys) if text]
    address: dict[str, Any] = {"AddressTypeCode": type_code, "AddressName": name}
    for key, line in zip(("Address1", "Address2", "Address3", "Address4"), lines, strict=False):
        address[key] = line
    address.update(
        City=physical.get("City"),
        State=physical.get("CountrySubDivisionCode"),
        PostalCode=physical.get("PostalCode"),
        Country=physical.get("Country") or physical.get("CountryCode"),
    )
    cleaned = {key: str(value).strip() for key, value in address.items() if value and str(value).strip()}
    return cleaned if len(cleaned) > 1 else None
