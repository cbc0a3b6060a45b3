"""The item cross-reference: a partner's line identifiers → the QBO Item they mean. Pure; no I/O.

Precedence (first identifier that pins down one item wins):

1. UPC / GTIN (`upc`, then `gtin`), compared as GTIN-14, so a 12-digit ConsumerPackageCode, a
   13-digit EAN and a 14-digit GTIN of the same product meet;
2. `buyer_part_number`;
3. `vendor_part_number`.

For each identifier, rows for this trading partner are used when any match; only otherwise the
rows without a `trading_partner_id` (so a partner-specific row overrides a global one).

An identifier that maps to several items never silently picks one. A lower-precedence identifier
may narrow the candidates (SPS's own samples give two items the VendorPartNumber
``SPSSupplierHD-40``; their UPCs and buyer part numbers tell them apart). If nothing narrows them
to one item, `resolve` raises `AmbiguousItemError` naming the candidates. Part numbers compare
exactly (case-sensitive, surrounding blanks ignored), as SPS paths and identifiers do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from .. import gs1
from ..values import QboRef
from .rows import ItemRow

MatchedOn = Literal["upc", "gtin", "buyer_part_number", "vendor_part_number"]
_Kind = Literal["gtin", "buyer_part_number", "vendor_part_number"]


@dataclass(frozen=True)
class ItemMatch:
    qbo_item: QboRef
    matched_on: MatchedOn  # which argument of `resolve` decided
    value: str  # that identifier as compared (GTIN-14 for upc/gtin)
    source: str  # the row that matched: "items[3]" or "items.csv line 5"
    trading_partner_id: str | None  # the row's partner; None for a row that applies to all


@dataclass(frozen=True)
class ItemIdentifiers:
    """What a partner calls a QBO Item: the codes to print on an outbound line (None: not known)."""

    buyer_part_number: str | None = None
    vendor_part_number: str | None = None
    upc: str | None = None
    gtin: str | None = None

    def __bool__(self) -> bool:
        return any((self.buyer_part_number, self.vendor_part_number, self.upc, self.gtin))


class AmbiguousItemError(LookupError):
    """An identifier maps to several QBO items and nothing else on the line narrows them to one."""

    def __init__(
        self, trading_partner_id: str, matched_on: MatchedOn, value: str, candidates: dict[QboRef, str]
    ) -> None:
        self.trading_partner_id = trading_partner_id
        self.matched_on = matched_on
        self.value = value
        self.candidates = tuple(candidates)
        listed = ", ".join(f"{ref} ({source})" for ref, source in candidates.items())
        super().__init__(
            f"ambiguous: {matched_on} {value!r} for trading partner {trading_partner_id!r} maps to items "
            f"{listed}; add a UPC or buyer part number to the order line, or a partner-specific row"
        )

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class _Entry:
    qbo_item: QboRef
    source: str
    trading_partner_id: str | None


_IndexKey = tuple[str | None, _Kind, str]  # (trading partner or None, identifier kind, value)


class ItemCrossReference:
    """Built from ``(source, row)`` pairs: inline rows first, then CSV rows."""

    def __init__(self, rows: Iterable[tuple[str, ItemRow]]) -> None:
        self._index: dict[_IndexKey, dict[QboRef, _Entry]] = {}
        self._rows: list[ItemRow] = []  # in order, for the reverse lookup (QBO item -> identifiers)
        self._sources: list[str] = []  # where each row was configured (items[3], items.csv line 5)
        self._count = 0
        for source, row in rows:
            self._count += 1
            self._rows.append(row)
            self._sources.append(source)
            entry = _Entry(row.qbo_item, source, row.trading_partner_id)
            for kind, value in _row_identifiers(row):
                # One entry per distinct item: the same mapping listed twice is not an ambiguity.
                self._index.setdefault((row.trading_partner_id, kind, value), {}).setdefault(
                    row.qbo_item, entry
                )

    def __len__(self) -> int:
        return self._count

    def resolve(
        self,
        trading_partner_id: str,
        *,
        buyer_part_number: str | None = None,
        vendor_part_number: str | None = None,
        upc: str | None = None,
        gtin: str | None = None,
    ) -> ItemMatch | None:
        """The QBO Item for an order line, None when no row matches; see the module doc for the rules.

        Raises `AmbiguousItemError` when the line's identifiers leave more than one candidate.
        """
        lookups: list[tuple[MatchedOn, _Kind, str]] = []
        if upc_key := _code_key(upc):
            lookups.append(("upc", "gtin", upc_key))
        if gtin_key := _code_key(gtin):
            lookups.append(("gtin", "gtin", gtin_key))
        if buyer_part_number and buyer_part_number.strip():
            lookups.append(("buyer_part_number", "buyer_part_number", buyer_part_number.strip()))
        if vendor_part_number and vendor_part_number.strip():
            lookups.append(("vendor_part_number", "vendor_part_number", vendor_part_number.strip()))

        candidates: dict[QboRef, _Entry] | None = None
        first: tuple[MatchedOn, str] | None = None
        for matched_on, kind, value in lookups:
            hits = self._hits(trading_partner_id, kind, value)
            if not hits:
                continue
            if candidates is None:
                candidates, first = hits, (matched_on, value)
            else:
                narrowed = {ref: entry for ref, entry in hits.items() if ref in candidates}
                if not narrowed:
                    continue  # a lower-precedence identifier that disagrees does not override
                candidates = narrowed
            if len(candidates) == 1:
                entry = next(iter(candidates.values()))
                return ItemMatch(entry.qbo_item, matched_on, value, entry.source, entry.trading_partner_id)
        if candidates is None or first is None:
            return None
        raise AmbiguousItemError(
            trading_partner_id, first[0], first[1], {ref: e.source for ref, e in candidates.items()}
        )

    def all_rows(self) -> list[tuple[str, ItemRow]]:
        """``(source, row)`` of every row, in the order they were given."""
        return list(zip(self._sources, self._rows, strict=True))

    def items_for_partner(self, trading_partner_id: str) -> list[tuple[str, QboRef]]:
        """``(source, QBO item)`` of every row that applies to the partner (its own and global ones)."""
        return [
            (source, row.qbo_item)
            for source, row in zip(self._sources, self._rows, strict=True)
            if row.trading_partner_id in (None, trading_partner_id)
        ]

    def rows_for_item(
        self, trading_partner_id: str, *, item_id: str | None = None, item_name: str | None = None
    ) -> list[ItemRow]:
        """The rows that map to a QBO Item (by its Id or its Name, as the row names it): this
        partner's rows first, then the rows for all partners, each in file order. For outbound
        documents, which must print the partner's identifiers for a QBO line item."""

        def names_item(row: ItemRow) -> bool:
            ref = row.qbo_item
            return (item_id is not None and ref.id == item_id) or (
                item_name is not None and ref.name == item_name
            )

        matching = [row for row in self._rows if names_item(row)]
        own = [row for row in matching if row.trading_partner_id == trading_partner_id]
        return own + [row for row in matching if row.trading_partner_id is None]

    def identifiers_for(
        self, trading_partner_id: str, *, item_id: str | None = None, item_name: str | None = None
    ) -> ItemIdentifiers:
        """Each identifier of a QBO Item from the first of `rows_for_item` that gives it."""
        rows = self.rows_for_item(trading_partner_id, item_id=item_id, item_name=item_name)

        def first(field: str) -> str | None:
            return next((getattr(row, field) for row in rows if getattr(row, field)), None)

        return ItemIdentifiers(
            buyer_part_number=first("buyer_part_number"),
            vendor_part_number=first("vendor_part_number"),
            upc=first("upc"),
            gtin=first("gtin"),
        )

    def _hits(self, trading_partner_id: str, kind: _Kind, value: str) -> dict[QboRef, _Entry]:
        specific = self._index.get((trading_partner_id, kind, value))
        if specific:
            return specific
        return self._index.get((None, kind, value), {})


def _row_identifiers(row: ItemRow) -> list[tuple[_Kind, str]]:
    found: list[tuple[_Kind, str]] = []
    for code in (row.upc, row.gtin):
        if code:
            found.append(("gtin", gs1.pad_gtin14(code)))
    if row.buyer_part_number:
        found.append(("buyer_part_number", row.buyer_part_number))
    if row.vendor_part_number:
        found.append(("vendor_part_number", row.vendor_part_number))
    return found


def _code_key(code: str | None) -> str | None:
    """A line's UPC/EAN/GTIN as GTIN-14, or None when it cannot be one (then it simply never matches)."""
    if code is None:
        return None
    code = code.strip()
    if not code.isdigit() or len(code) > 14:
        return None
    return gs1.pad_gtin14(code)


def link_identifiers(
    *,
    buyer_part_number: str | None = None,
    vendor_part_number: str | None = None,
    upc: str | None = None,
    gtin: str | None = None,
) -> list[tuple[str, str]]:
    """A line's identifiers as ``(kind, value)`` keys, most specific first, in the form the
    cross-reference compares them (GTIN-14, stripped part numbers): what qbsps links to an Item it
    created for an unknown line (ledger item_links). Unlike `resolve`, a UPC/GTIN with a wrong
    check digit is dropped: a link is learned, not configured, and must not rest on a typo."""
    found: list[tuple[str, str]] = []
    for code in (upc, gtin):
        if code and gs1.is_valid_gtin(code):
            found.append(("gtin", gs1.normalize_gtin14(code)))
    for kind, value in (("buyer_part_number", buyer_part_number), ("vendor_part_number", vendor_part_number)):
        if value and value.strip():
            found.append((kind, value.strip()))
    return list(dict.fromkeys(found))
