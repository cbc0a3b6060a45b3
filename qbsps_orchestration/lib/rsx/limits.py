"""Limits that keep hostile RSX from reaching code that cannot cope with it.

Nesting is measured before anything recursive touches the document (json.loads and the XML-to-dict
conversion recurse per level), so a 20,000-deep file is refused with a reason instead of a
RecursionError. Numbers are bounded so that quantity x price, summed over the lines and rounded
to the cent, always fits Decimal's default 28 digits: an order with a 1E+30 price is bad data, not
a crash.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element

from .errors import RsxError

# RSX documents are about 8 levels deep; the plural wrapper and JSON arrays add a few.
DEFAULT_MAX_DEPTH = 64
# 10^12 for any quantity, price or amount: products stay under 10^24, cents under 28 digits.
MAX_MAGNITUDE = Decimal(10) ** 12

# A JSON string (skipped whole, so brackets inside it do not count) or one bracket.
_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def check_json_depth(body: bytes, *, max_depth: int, source: str) -> None:
    """Refuse JSON nested deeper than `max_depth`, scanning the bytes (no recursion)."""
    depth = 0
    for token in _JSON_TOKEN.finditer(body):
        mark = token.group()
        if mark in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                raise RsxError(
                    _too_deep(max_depth), source=source, line=body.count(b"\n", 0, token.start()) + 1
                )
        elif mark in (b"]", b"}"):
            depth -= 1


def check_xml_depth(root: Element, *, max_depth: int, source: str) -> None:
    """Refuse an element tree nested deeper than `max_depth` (walked with a stack, not recursion)."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > max_depth:
            raise RsxError(_too_deep(max_depth), source=source)
        stack.extend((child, depth + 1) for child in element)


def check_numbers(data: Any, *, source: str) -> None:
    """Every number in a document's element tree is finite and below MAX_MAGNITUDE; the error
    names the element, e.g. LineItem[0].OrderLine.PurchasePrice."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
        elif isinstance(value, Decimal | int) and not isinstance(value, bool):
            number = Decimal(value)
            if not number.is_finite():
                raise RsxError(f"expected a finite number, got {number}", source=source, field=path)
            if abs(number) >= MAX_MAGNITUDE:
                shown = f"{number:.3E}" if abs(number) >= Decimal(10) ** 20 else str(number)
                raise RsxError(
                    f"number out of range ({shown}): must be below 1,000,000,000,000 in magnitude",
                    source=source,
                    field=path,
                )


def _too_deep(max_depth: int) -> str:
    return f"nested more than {max_depth} levels deep (refused: RSX documents are far shallower)"
