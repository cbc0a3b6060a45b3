"""What changed between two versions of one RSX document, field by field (`qbsps diff`, and the
metadata of a re-sent or held document).

Pure: two payloads in (RSX JSON, or XML read into the same element tree), one row per changed
leaf out, each named by its RSX path. List elements are matched by what identifies them, not by
position: lines by LineSequenceNumber (else the buyer's or vendor's part number, UPC, GTIN),
addresses, dates, references... by their qualifier, packs by their SSCC; so a removed first line
shows as that one line removed, not as every line changed. Numbers are Decimal, so 10.0 and 10.00
are the same price.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..rsx import read_rsx

# What identifies a list element, most telling first; looked for in the element and in the
# groups directly inside it (a LineItem's InvoiceLine, a PackLevel's Pack).
IDENTITY_FIELDS: tuple[str, ...] = (
    "LineSequenceNumber",
    "BuyerPartNumber",
    "VendorPartNumber",
    "ConsumerPackageCode",
    "GTIN",
    "UPCCaseCode",
    "EAN",
    "PurchaseOrderNumber",
    "ShippingSerialID",
    "AddressTypeCode",
    "DateTimeQualifier",
    "ReferenceQual",
    "NoteCode",
    "ContactTypeCode",
    "TermsType",
    "QuantityTotalsQualifier",
    "QuantityQualifier",
    "PriceTypeIDCode",
    "ProductCharacteristicCode",
    "PartNumberQual",
    "PackQualifier",
    "AllowChrgCode",
)
_LINE_FIELDS = frozenset(IDENTITY_FIELDS[:7])  # what names an item: shown first in a summary
_SUMMARY_LEAVES = 6  # an added or removed element is named by this many of its fields at most


@dataclass(frozen=True)
class FieldChange:
    """One difference. ``before`` None: added; ``after`` None: removed (for a whole element, a
    short summary of it, e.g. its line number and part numbers)."""

    path: str  # e.g. LineItem[LineSequenceNumber=2].InvoiceLine.ShipQty
    before: str | None
    after: str | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "changed"

    def text(self) -> str:
        if self.before is None:
            return f"{self.path}: added {self.after}"
        if self.after is None:
            return f"{self.path}: removed (was {self.before})"
        return f"{self.path}: {self.before} -> {self.after}"


def document_diff(before: bytes, after: bytes) -> list[FieldChange]:
    """Every field that differs between two payloads of one document, in document order.
    Raises ValueError (RsxError) when either payload is not an RSX document."""
    return list(_diff(_tree(before), _tree(after), ""))


def render_lines(changes: Sequence[FieldChange], limit: int | None = None) -> list[str]:
    """One plain-text line per change (the first ``limit``), and a count of the rest."""
    shown = changes if limit is None else changes[:limit]
    lines = [change.text() for change in shown]
    if len(changes) > len(shown):
        lines.append(f"... and {len(changes) - len(shown)} more")
    return lines


def change_rows(changes: Sequence[FieldChange]) -> list[dict[str, str]]:
    """Rows for a table (field, change, before, after), "-" for a missing side."""
    return [
        {"field": c.path, "change": c.kind, "before": c.before or "-", "after": c.after or "-"}
        for c in changes
    ]


def _tree(payload: bytes) -> Any:
    text = payload.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        documents = read_rsx(payload, source="document version")
        return documents[0].data if len(documents) == 1 else [d.data for d in documents]
    return json.loads(text.decode("utf-8"), parse_float=Decimal)


def _diff(old: Any, new: Any, path: str) -> Iterator[FieldChange]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            yield from _diff_present(old.get(key), new.get(key), f"{path}.{key}" if path else key)
    elif isinstance(old, list) and isinstance(new, list):
        yield from _diff_lists(old, new, path)
    elif not _same(old, new):
        yield FieldChange(path, _shown(old), _shown(new))


def _diff_present(old: Any, new: Any, path: str) -> Iterator[FieldChange]:
    if _absent(old) and _absent(new):
        return
    if _absent(old):
        yield FieldChange(path, None, _shown(new))
    elif _absent(new):
        yield FieldChange(path, _shown(old), None)
    else:
        yield from _diff(old, new, path)


def _diff_lists(old: list[Any], new: list[Any], path: str) -> Iterator[FieldChange]:
    field = _identity_field([*old, *new], old, new)
    if field is None:  # nothing identifies the elements: compared in place
        labels_old = [f"{path}[{i + 1}]" for i in range(len(old))]
        labels_new = [f"{path}[{i + 1}]" for i in range(len(new))]
    else:
        labels_old = [f"{path}[{field}={_identity(e, field)}]" for e in old]
        labels_new = [f"{path}[{field}={_identity(e, field)}]" for e in new]
    by_label = dict(zip(labels_new, new, strict=True))
    for label, element in zip(labels_old, old, strict=True):
        if label in by_label:
            yield from _diff(element, by_label[label], label)
        else:
            yield FieldChange(label, _summary(element), None)
    seen = set(labels_old)
    for label, element in zip(labels_new, new, strict=True):
        if label not in seen:
            yield FieldChange(label, None, _summary(element))


def _identity_field(elements: list[Any], old: list[Any], new: list[Any]) -> str | None:
    """The first identity field every element has, unique on each side."""
    for field in IDENTITY_FIELDS:
        values = [_identity(e, field) for e in elements]
        if all(v is not None for v in values) and all(
            len({_identity(e, field) for e in side}) == len(side) for side in (old, new)
        ):
            return field
    return None


def _identity(element: Any, field: str) -> str | None:
    if not isinstance(element, dict):
        return None
    groups = [element, *(v for v in element.values() if isinstance(v, dict))]
    for group in groups:
        value = group.get(field)
        if not _absent(value) and not isinstance(value, dict | list):
            return _shown(value)
    return None


def _summary(element: Any) -> str:
    """An added or removed element in a few words: its identifying fields first."""
    if not isinstance(element, dict | list):
        return _shown(element) or "-"
    leaves = list(_leaves(element))
    named = [(k, v) for k, v in leaves if k in _LINE_FIELDS]
    rest = [(k, v) for k, v in leaves if k not in _LINE_FIELDS]
    picked = [*named, *rest][:_SUMMARY_LEAVES]
    more = len(leaves) - len(picked)
    text = ", ".join(f"{k} {v}" for k, v in picked) or "empty"
    return text + (f" (+{more} more fields)" if more > 0 else "")


def _leaves(node: Any, depth: int = 0) -> Iterator[tuple[str, str]]:
    """Scalar fields of an element and of the groups directly inside it."""
    if isinstance(node, list):
        for item in node[:1] if depth else node:
            yield from _leaves(item, depth + 1)
        return
    if not isinstance(node, dict) or depth > 2:
        return
    for key, value in node.items():
        if isinstance(value, dict | list):
            if depth < 1:
                yield from _leaves(value, depth + 1)
        elif not _absent(value):
            yield key, _shown(value) or ""


def _same(old: Any, new: Any) -> bool:
    if _is_number(old) and _is_number(new):
        return Decimal(old) == Decimal(new)
    return bool(old == new) and type(old) is type(new)


def _is_number(value: Any) -> bool:
    return isinstance(value, Decimal | int) and not isinstance(value, bool)


def _absent(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _shown(value: Any) -> str | None:
    if _absent(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return _summary(value)
    return str(value)
