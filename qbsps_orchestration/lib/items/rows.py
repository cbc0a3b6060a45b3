"""Item cross-reference rows: inline in the config file (`items`), or read from the CSV file it names
(`items_csv`). Pure but for reading that one file.

CSV columns (header row required; any subset, in any order; empty cells mean "not given"):
``qbo_item_id`` or ``qbo_item_name`` (exactly one per row), ``vendor_part_number``,
``buyer_part_number``, ``upc``, ``gtin``, ``trading_partner_id``, ``verify_check_digit``
(true/false).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .. import gs1
from ..pydantic_errors import problems_from_validation_error
from ..values import PartNumber, QboRef, quoted_text


def _gtin_shape(value: str) -> str:
    value = value.strip()
    problem = gs1.gtin_shape_problem(value)
    if problem:
        raise ValueError(problem)
    return value


# A UPC/EAN/GTIN as the row gives it (digits, a GTIN length); its check digit: see ItemRow.
GtinCode = Annotated[str, BeforeValidator(quoted_text), AfterValidator(_gtin_shape)]

CSV_COLUMNS = (
    "qbo_item_id",
    "qbo_item_name",
    "vendor_part_number",
    "buyer_part_number",
    "upc",
    "gtin",
    "trading_partner_id",
    "verify_check_digit",
)


class ItemRow(BaseModel):
    """One mapping from the partner's identifiers to a QBO Item.

    `trading_partner_id` limits the row to one partner; without it the row applies to all.
    `verify_check_digit: false` accepts a UPC/GTIN whose GS1 check digit is wrong: retailers do
    send such codes (SPS's own sample order has ConsumerPackageCode 043000186706), and the row
    must then match them as sent.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    qbo_item: QboRef
    vendor_part_number: PartNumber | None = None
    buyer_part_number: PartNumber | None = None
    verify_check_digit: bool = True  # declared before upc/gtin so their validator can see it
    upc: GtinCode | None = None
    gtin: GtinCode | None = None
    trading_partner_id: PartNumber | None = None

    @field_validator("upc", "gtin")
    @classmethod
    def _check_digit(cls, code: str | None, info: ValidationInfo) -> str | None:
        if code is not None and info.data.get("verify_check_digit", True) and not gs1.is_valid(code):
            raise ValueError(
                f"{code!r} has a wrong check digit (if the retailer really sends this code, "
                "set verify_check_digit: false on the row)"
            )
        return code

    @model_validator(mode="after")
    def _has_identifier(self) -> ItemRow:
        if not (self.vendor_part_number or self.buyer_part_number or self.upc or self.gtin):
            raise ValueError(
                "an item row needs at least one of vendor_part_number, buyer_part_number, upc, gtin"
            )
        return self


class ItemCsvError(Exception):
    """The item CSV is unreadable or has bad rows; `problems` are ``(where, reason)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{where}: {reason}" for where, reason in problems))


def read_item_csv(path: Path) -> list[tuple[str, ItemRow]]:
    """Rows of the CSV as ``(source, row)``, source like ``items.csv line 3``; all problems at once."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:  # -sig: spreadsheets write a BOM
            return _parse(csv.DictReader(handle), path.name)
    except FileNotFoundError:
        raise ItemCsvError([(str(path), "file not found")]) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ItemCsvError([(str(path), f"cannot read: {exc}")]) from None


def _parse(reader: csv.DictReader[str], name: str) -> list[tuple[str, ItemRow]]:
    header = [column.strip() for column in (reader.fieldnames or [])]
    if not header:
        raise ItemCsvError([(name, "empty file; expected a header row")])
    unknown = [column for column in header if column not in CSV_COLUMNS]
    if unknown:
        allowed = ", ".join(CSV_COLUMNS)
        raise ItemCsvError([(f"{name} header", f"unknown column {unknown[0]!r}; allowed: {allowed}")])
    if "qbo_item_id" not in header and "qbo_item_name" not in header:
        raise ItemCsvError([(f"{name} header", "needs a qbo_item_id or a qbo_item_name column")])
    reader.fieldnames = header

    rows: list[tuple[str, ItemRow]] = []
    problems: list[tuple[str, str]] = []
    for record in reader:
        where = f"{name} line {reader.line_num}"
        if None in record:  # DictReader files surplus cells under the key None
            problems.append((where, f"more cells than the {len(header)} header columns"))
            continue
        cells = {key: value.strip() for key, value in record.items() if value and value.strip()}
        if not cells:
            continue
        item = {key: value for key, value in cells.items() if not key.startswith("qbo_item_")}
        item["qbo_item"] = {
            key.removeprefix("qbo_item_"): value
            for key, value in cells.items()
            if key.startswith("qbo_item_")
        }
        try:
            rows.append((where, ItemRow.model_validate(item)))
        except ValidationError as exc:
            for key, reason in problems_from_validation_error(exc, ItemRow):
                column = key.replace("qbo_item.", "qbo_item_") if key != "qbo_item" else "qbo_item_id/name"
                problems.append((where, f"{column}: {reason}" if column else reason))
    if problems:
        raise ItemCsvError(problems)
    return rows
