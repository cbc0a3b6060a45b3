"""Configured QBO references (by Id or by name) turned into Ids, with one lookup per name per run."""

from __future__ import annotations

from ..config import QboRef
from ..ledger import Ledger
from .client import QboClient
from .query import select

NAME_FIELD = {"Vendor": "DisplayName", "Customer": "DisplayName", "Item": "Name", "Account": "Name"}


class UnknownReferenceError(LookupError):
    pass


class QboRefResolver:
    """Looks a name up in the ledger's reference snapshot when one is given (no QBO read), else in
    QBO itself; either way once per name per resolver."""

    def __init__(self, client: QboClient, ledger: Ledger | None = None) -> None:
        self._client = client
        self._ledger = ledger
        self._by_name: dict[tuple[str, str], str] = {}

    def __call__(self, entity: str, ref: QboRef) -> str:
        if ref.id is not None:
            return ref.id
        assert ref.name is not None  # a QboRef holds exactly one of id or name
        key = (entity, ref.name)
        if key not in self._by_name and self._ledger is not None:
            cached = self._ledger.reference.by_name(entity, ref.name, self._client.realm_id)
            if cached is not None and cached.get("Active", True):
                self._by_name[key] = str(cached["Id"])
        if key not in self._by_name:
            rows = self._client.query(select(entity, {NAME_FIELD[entity]: ref.name})).get(entity, [])
            if len(rows) != 1:
                found = "no" if not rows else f"{len(rows)}"
                raise UnknownReferenceError(f"{found} QBO {entity} named {ref.name!r}")
            self._by_name[key] = str(rows[0]["Id"])
        return self._by_name[key]
