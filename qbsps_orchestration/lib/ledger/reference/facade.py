"""`Ledger.reference`: the snapshots of QBO reference data and the Items qbsps created."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..audit import AuditContext
from ..storage.store import Store
from . import item_links
from . import rows as reference
from .diff import ReferenceDiff


class ReferenceLedger:
    """Snapshots of QBO Vendors, Customers, Items and Accounts: lookups during syncs cost no QBO read."""

    def __init__(self, store: Store, context: AuditContext) -> None:
        self._store = store
        self.context = context

    def upsert(
        self, entity: str, rows: Iterable[dict[str, Any]], realm_id: str, *, complete: bool = False
    ) -> ReferenceDiff:
        """Store QBO rows of `entity` (query or CDC rows, "Deleted" stubs included) and say what
        changed; `complete=True` for a full refresh, which marks rows QBO no longer has deleted."""
        batch = list(rows)
        return self._store.write_retrying(
            lambda s: reference.upsert_reference(s, entity, batch, realm_id, complete=complete)
        )

    def rows(self, entity: str, realm_id: str, active_only: bool = True) -> list[dict[str, Any]]:
        with self._store.read() as session:
            return reference.reference_rows(session, entity, realm_id, active_only)

    def by_id(self, entity: str, qbo_id: str, realm_id: str) -> dict[str, Any] | None:
        with self._store.read() as session:
            return reference.reference_by_id(session, entity, qbo_id, realm_id)

    def by_name(self, entity: str, name: str, realm_id: str | None = None) -> dict[str, Any] | None:
        with self._store.read() as session:
            return reference.reference_by_name(session, entity, name, realm_id)

    def find_item_link(self, trading_partner_id: str, identifiers: list[tuple[str, str]]) -> str | None:
        """The QBO Item qbsps created for any of these (kind, value) identifiers of the partner."""
        with self._store.read() as session:
            return item_links.find_item_link(session, trading_partner_id, identifiers)

    def add_item_links(
        self, trading_partner_id: str, identifiers: list[tuple[str, str]], qbo_item_id: str
    ) -> None:
        context = self.context
        self._store.write_retrying(
            lambda s: item_links.add_item_links(s, context, trading_partner_id, identifiers, qbo_item_id)
        )
