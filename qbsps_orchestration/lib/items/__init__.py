"""The item cross-reference, in one place: which QBO Item a trading partner's line identifiers
(buyer / vendor part number, UPC, EAN, GTIN) mean, and what a partner calls a QBO Item. Pure; no I/O
beyond reading the CSV the config names. The GS1 arithmetic is `lib.gs1`'s.

rows      the model of one row (inline `items` in the config, or `items_csv`) and the CSV reader
crossref  the index: resolve identifiers -> QBO Item (precedence, per-partner overrides, ambiguity),
          QBO Item -> the partner's identifiers, the keys qbsps links to Items it created
lines     an RSX order line -> its match; the GS1 codes on a line with their check
unknown   order lines that map to no (active) QBO Item, for the cross-reference check

crossref = config.item_crossref  # built from the config's rows
match = resolve_order_line(crossref, "SPSALLTESTID", order_line)  # ItemMatch or None
"""

from .crossref import (
    AmbiguousItemError,
    ItemCrossReference,
    ItemIdentifiers,
    ItemMatch,
    MatchedOn,
    link_identifiers,
)
from .lines import GS1_LINE_CODES, LineCode, line_codes, resolve_order_line
from .rows import CSV_COLUMNS, ItemCsvError, ItemRow, read_item_csv
from .unknown import UnknownItem, describe_unknown, unknown_order_items

__all__ = [
    "CSV_COLUMNS",
    "GS1_LINE_CODES",
    "AmbiguousItemError",
    "ItemCrossReference",
    "ItemCsvError",
    "ItemIdentifiers",
    "ItemMatch",
    "ItemRow",
    "LineCode",
    "MatchedOn",
    "UnknownItem",
    "describe_unknown",
    "line_codes",
    "link_identifiers",
    "read_item_csv",
    "resolve_order_line",
    "unknown_order_items",
]
