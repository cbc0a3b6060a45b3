"""The partner profile used for routing: a trading partner's QBO Vendor and Customer as QBO has
them now (ids, names, the vendor number in AcctNum, the address), kept from the reference snapshots.

The config names a partner's Vendor and Customer by id or by name; the profile pins them by id, so
a rename in QBO does not break routing, and the vendor number a bookkeeper records in QBO (Vendor
AcctNum) is the one outbound documents carry.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from ..config import QboRef, QbspsConfig, TradingPartner
from ..ledger import Ledger


@dataclass(frozen=True)
class PartnerProfile:
    trading_partner_id: str
    vendor_id: str | None
    vendor_name: str | None
    vendor_number: str
    vendor_address: dict[str, Any] | None
    customer_id: str | None
    customer_name: str | None


def _cursor(trading_partner_id: str) -> str:
    return f"partner_profile.{trading_partner_id}"


def load_profile(ledger: Ledger, trading_partner_id: str) -> PartnerProfile | None:
    stored = ledger.get_cursor(_cursor(trading_partner_id))
    return PartnerProfile(**json.loads(stored)) if stored else None


def refresh_profiles(config: QbspsConfig, ledger: Ledger) -> list[str]:
    """Bring every partner's profile up to date from the ledger's snapshots; returns what changed,
    one sentence per change (e.g. ``SPSALLTESTID: vendor name 'A' -> 'B'``)."""
    changes = []
    for partner in config.trading_partners:
        old = load_profile(ledger, partner.trading_partner_id)
        vendor = _row(ledger, config, "Vendor", partner.qbo_vendor, old.vendor_id if old else None)
        customer = _row(ledger, config, "Customer", partner.qbo_customer, old.customer_id if old else None)
        profile = PartnerProfile(
            trading_partner_id=partner.trading_partner_id,
            vendor_id=str(vendor["Id"]) if vendor else None,
            vendor_name=vendor.get("DisplayName") if vendor else None,
            vendor_number=(vendor or {}).get("AcctNum") or partner.vendor_number,
            vendor_address=(vendor or {}).get("BillAddr"),
            customer_id=str(customer["Id"]) if customer else None,
            customer_name=customer.get("DisplayName") if customer else None,
        )
        if old != profile:
            ledger.set_cursor(_cursor(partner.trading_partner_id), json.dumps(asdict(profile)))
            changes += _describe(old, profile)
    return changes


def with_profile(ledger: Ledger, partner: TradingPartner) -> TradingPartner:
    """The partner as routing and outbound documents see it: the vendor number from QBO if set."""
    profile = load_profile(ledger, partner.trading_partner_id)
    if profile is None or profile.vendor_number == partner.vendor_number:
        return partner
    return partner.model_copy(update={"vendor_number": profile.vendor_number})


def _row(
    ledger: Ledger, config: QbspsConfig, entity: str, ref: QboRef, pinned_id: str | None
) -> dict[str, Any] | None:
    """By the configured id; by the configured name; or, once QBO renamed it, by the id pinned
    when the name still matched."""
    realm = config.qbo.realm_id
    if ref.id is not None:
        return ledger.reference.by_id(entity, ref.id, realm)
    found = ledger.reference.by_name(entity, ref.name or "", realm)
    if found is None and pinned_id is not None:
        found = ledger.reference.by_id(entity, pinned_id, realm)
    return found


def _describe(old: PartnerProfile | None, new: PartnerProfile) -> list[str]:
    tp = new.trading_partner_id
    if old is None:
        return [f"{tp}: profile recorded (vendor {new.vendor_name!r}, vendor number {new.vendor_number})"]
    labels = {
        "vendor_name": "vendor name",
        "vendor_number": "vendor number",
        "vendor_address": "vendor address",
        "customer_name": "customer name",
        "vendor_id": "vendor",
        "customer_id": "customer",
    }
    return [
        f"{tp}: {label} {getattr(old, field)!r} -> {getattr(new, field)!r}"
        for field, label in labels.items()
        if getattr(old, field) != getattr(new, field)
    ]
