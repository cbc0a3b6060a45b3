"""The item cross-reference as inbound mapping sees it: configured rows first, then identifiers
qbsps linked to items it created; and, for partners whose policy is "create", a NonInventory QBO
Item made for an unknown line (linked, so the next order with the same code finds it)."""

from __future__ import annotations

from ..config import QboRef, QbspsConfig
from ..items import ItemCrossReference, ItemMatch, link_identifiers
from ..ledger import Ledger
from ..qbo import QboClient
from ..qbo.refs import QboRefResolver


class LearningCrossReference:
    """Duck-types ``ItemCrossReference.resolve`` for the mapping."""

    def __init__(self, config: QbspsConfig, ledger: Ledger, qbo: QboClient, resolve: QboRefResolver) -> None:
        self._crossref: ItemCrossReference = config.item_crossref
        self._config, self._ledger, self._qbo, self._resolve = config, ledger, qbo, resolve
        self.created: list[str] = []  # names of items created in this pass, for the operator

    def resolve(
        self,
        trading_partner_id: str,
        *,
        buyer_part_number: str | None = None,
        vendor_part_number: str | None = None,
        upc: str | None = None,
        gtin: str | None = None,
    ) -> ItemMatch | None:
        match = self._crossref.resolve(
            trading_partner_id,
            buyer_part_number=buyer_part_number,
            vendor_part_number=vendor_part_number,
            upc=upc,
            gtin=gtin,
        )
        if match is not None:
            return match
        identifiers = link_identifiers(
            buyer_part_number=buyer_part_number, vendor_part_number=vendor_part_number, upc=upc, gtin=gtin
        )
        if not identifiers:
            return None
        linked = self._ledger.reference.find_item_link(trading_partner_id, identifiers)
        if linked is None:
            if self._config.partner(trading_partner_id).unknown_items != "create":
                return None
            linked = self._create(trading_partner_id, identifiers, vendor_part_number)
        kind, value = identifiers[0]
        return ItemMatch(QboRef(id=linked), kind, value, "created by qbsps", trading_partner_id)  # type: ignore[arg-type]

    def _create(self, trading_partner_id: str, identifiers: list[tuple[str, str]], sku: str | None) -> str:
        kind, value = identifiers[0]
        accounts = self._config.accounts
        body = {
            "Name": f"{trading_partner_id} {value}"[:100],
            "Type": "NonInventory",
            "Description": f"Created by qbsps for {trading_partner_id} {kind.replace('_', ' ')} {value}",
            "IncomeAccountRef": {"value": self._resolve("Account", accounts.income_account)},
            "ExpenseAccountRef": {"value": self._resolve("Account", accounts.expense_account)},
        }
        if sku:
            body["Sku"] = sku
        item = self._qbo.create("Item", body, request_id=f"item-{trading_partner_id}-{kind}-{value}"[:50])
        self._ledger.reference.add_item_links(trading_partner_id, identifiers, str(item["Id"]))
        self.created.append(item["Name"])
        return str(item["Id"])
