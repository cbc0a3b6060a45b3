"""The reference data as tables an operator reads (pandas): snapshot previews, the item
cross-reference, and the cross-reference as a CSV file qbsps reads back (`items_csv`).

Every cell is text: a UnitPrice or a quantity is shown as QBO wrote it, never through a float column.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import pandas as pd

from ..config import QbspsConfig
from ..items import CSV_COLUMNS, ItemRow
from .crossref import CrossReferenceRow

CROSSREF_COLUMNS = ("QBO item", "configured", "seen on orders", "bad check digits")


def preview_frame(rows: Sequence[dict], fields: Sequence[str], limit: int) -> pd.DataFrame:
    """The first ``limit`` snapshot rows, in these fields, as text ("" where QBO gave none)."""
    records = [{field: _text(row.get(field)) for field in fields} for row in rows[:limit]]
    return pd.DataFrame(records, columns=list(fields), dtype="object")


def cross_reference_frame(rows: Sequence[CrossReferenceRow]) -> pd.DataFrame:
    records = [
        (
            row.qbo_item,
            *(", ".join(sorted(codes)) or "-" for codes in (row.configured, row.seen, row.bad_check_digits)),
        )
        for row in rows
    ]
    return pd.DataFrame(records, columns=list(CROSSREF_COLUMNS), dtype="object")


def item_rows_frame(config: QbspsConfig) -> pd.DataFrame:
    """Every item cross-reference row the config holds (inline `items`, then `items_csv`), in the
    CSV columns qbsps reads."""
    records = [_csv_record(row) for _, row in config.item_crossref.all_rows()]
    return pd.DataFrame(records, columns=list(CSV_COLUMNS), dtype="object")


def export_item_csv(config: QbspsConfig, target: Path | TextIO) -> int:
    """Write the cross-reference as an `items_csv` file; returns how many rows."""
    frame = item_rows_frame(config)
    frame.to_csv(target, index=False)
    return len(frame)


def _csv_record(row: ItemRow) -> dict[str, str]:
    record = {
        "qbo_item_id": row.qbo_item.id or "",
        "qbo_item_name": "" if row.qbo_item.id else (row.qbo_item.name or ""),
        "vendor_part_number": row.vendor_part_number or "",
        "buyer_part_number": row.buyer_part_number or "",
        "upc": row.upc or "",
        "gtin": row.gtin or "",
        "trading_partner_id": row.trading_partner_id or "",
        "verify_check_digit": "" if row.verify_check_digit else "false",
    }
    return record


def _text(value: object) -> str:
    return "" if value is None else str(value)
