"""What QuickBooks holds now: each partner's orders (PurchaseOrder or Estimate, per partner) and
invoices, read by query from QBO itself."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..config import QbspsConfig, TradingPartner
from ..ledger import Ledger
from ..qbo import QboClient
from ..qbo.query import select
from ..qbo.refs import QboRefResolver
from ..reference.profiles import load_profile


@dataclass(frozen=True)
class QboSide:
    orders: dict[tuple[str, str], dict[str, Any]]  # (entity, Id) -> row, every partner's
    invoices: dict[str, list[dict[str, Any]]]  # TradingPartnerId -> its Customer's invoices


def amount(row: dict[str, Any]) -> Decimal | None:
    value = row.get("TotalAmt")
    return None if value is None else Decimal(str(value))


def read_qbo(config: QbspsConfig, ledger: Ledger, qbo: QboClient) -> QboSide:
    resolve = QboRefResolver(qbo, ledger)
    orders: dict[tuple[str, str], dict[str, Any]] = {}
    for entity in sorted({p.inbound_target for p in config.trading_partners}):
        for row in qbo.query_all(entity, select(entity)):
            orders[(entity, str(row["Id"]))] = row
    invoices: dict[str, list[dict[str, Any]]] = {}
    for partner in config.trading_partners:
        customer = _customer_id(ledger, resolve, partner)
        statement = select("Invoice", {"CustomerRef": customer})
        invoices[partner.trading_partner_id] = list(qbo.query_all("Invoice", statement))
    return QboSide(orders, invoices)


def _customer_id(ledger: Ledger, resolve: QboRefResolver, partner: TradingPartner) -> str:
    profile = load_profile(ledger, partner.trading_partner_id)  # pinned by id: a rename changes nothing
    if profile is not None and profile.customer_id:
        return profile.customer_id
    return resolve("Customer", partner.qbo_customer)
