"""Read RSX 7.7 documents from raw bytes, XML or JSON, in every shape SPS delivers them.

XML: with or without the RSX namespace, a singular root (<Order>) or the plural wrapper
(<Orders><Order>...</Order></Orders>). JSON: a bare document ({Header, LineItem, Summary}, the
family inferred from the header element), {"Order": {...}}, {"Orders": [...]}, or an array of
those. A UTF-8 BOM is accepted. Numbers are Decimal in both forms; nothing here does I/O.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # serialising one element of a plural file only
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import simplejson
from pydantic import ValidationError

from .element_kinds import DOC_TYPES, REQUIRED_HEADER_KEYS, RSX_NAMESPACE, SINGULAR_ROOTS
from .errors import RsxError
from .limits import DEFAULT_MAX_DEPTH, check_json_depth, check_numbers, check_xml_depth
from .order import Order
from .xml_tree import element_to_data, parse_xml, split_tag

RsxFormat = Literal["xml", "json"]
_BOM = b"\xef\xbb\xbf"
# Header element -> family; OrderHeader is shared by Order, OrderAck and OrderChange.
_HEADER_FAMILY = {"InvoiceHeader": "Invoice", "ShipmentHeader": "Shipment", "HeaderReport": "ItemRegistry"}
_ACK_HEADER_KEYS = ("AcknowledgementDate", "AcknowledgementNumber", "AcknowledgementTime")
_CHANGE_HEADER_KEYS = ("POChangeDate", "ChangeOrderSeqNumber")


@dataclass(frozen=True)
class RsxDocument:
    """One RSX document read from a file (a file may hold several)."""

    doc_type: str  # Order, Invoice, Shipment, OrderAck, OrderChange, ItemRegistry
    format: RsxFormat
    data: dict[str, Any]  # the element tree with RSX names; Decimal numbers, ISO date strings
    source: str
    index: int = 0  # position in the file
    order: Order | None = None  # set for doc_type "Order"

    @property
    def header(self) -> dict[str, Any]:
        header_element = REQUIRED_HEADER_KEYS[self.doc_type][0]
        return self.data["Header"][header_element]

    @property
    def trading_partner_id(self) -> str:
        return self.header["TradingPartnerId"]

    @property
    def document_number(self) -> str:
        """PurchaseOrderNumber, InvoiceNumber, ShipmentIdentification or DocumentId."""
        return self.header[REQUIRED_HEADER_KEYS[self.doc_type][1][1]]


@dataclass(frozen=True)
class UnreadableDocument:
    """One document of a file that could not be read; the file's other documents still can."""

    error: RsxError
    payload: bytes  # this document's own bytes (the whole file when it holds one document)
    format: RsxFormat
    index: int


def read_rsx(
    raw: bytes, *, source: str, doc_type: str | None = None, max_depth: int = DEFAULT_MAX_DEPTH
) -> list[RsxDocument]:
    """Every RSX document in `raw`. `doc_type` (e.g. "Order" for the PO folder) is optional: it
    settles a bare JSON document whose header is shared by several families, and a document of
    another family is then an error. Raises RsxError naming `source` and the offending element."""
    documents: list[RsxDocument] = []
    for item in read_rsx_each(raw, source=source, doc_type=doc_type, max_depth=max_depth):
        if isinstance(item, UnreadableDocument):
            raise item.error
        documents.append(item)
    return documents


def read_rsx_each(
    raw: bytes, *, source: str, doc_type: str | None = None, max_depth: int = DEFAULT_MAX_DEPTH
) -> list[RsxDocument | UnreadableDocument]:
    """Like read_rsx, but a document that cannot be read is returned as an UnreadableDocument
    beside the good ones. Raises RsxError only when the file as a whole is unreadable (syntax,
    nesting deeper than `max_depth`, an unknown root)."""
    if doc_type is not None and doc_type not in DOC_TYPES:
        raise ValueError(f"unknown RSX document type {doc_type!r}; expected one of {sorted(DOC_TYPES)}")
    if not isinstance(raw, bytes | bytearray):
        raise TypeError(f"read_rsx takes the raw bytes of a file, got {type(raw).__name__}")
    body = bytes(raw).removeprefix(_BOM)
    start = body.lstrip()[:1]
    if start == b"<":
        found = _xml_documents(body, source=source, max_depth=max_depth)
        fmt: RsxFormat = "xml"
    elif start in (b"{", b"["):
        found = _json_documents(body, source=source, max_depth=max_depth)
        fmt = "json"
    elif not start:
        raise RsxError("empty document", source=source)
    else:
        raise RsxError("neither XML nor JSON (first character is not '<', '{' or '[')", source=source)
    items: list[RsxDocument | UnreadableDocument] = []
    for index, (declared, data, own_bytes) in enumerate(found):
        at = index if len(found) > 1 else None
        payload = bytes(raw) if len(found) == 1 else own_bytes
        try:
            if isinstance(data, RsxError):
                raise data
            check_numbers(data, source=source)
            items.append(_document(declared, data, fmt=fmt, source=source, index=index, hint=doc_type))
        except RsxError as exc:
            items.append(UnreadableDocument(exc.at(index=at), payload, fmt, index))
    return items


# (declared family or None, element tree or the error reading it, the document's own bytes)
_Found = tuple[str | None, Any, bytes]


def _xml_documents(body: bytes, *, source: str, max_depth: int) -> list[_Found]:
    root = parse_xml(body, source=source)
    check_xml_depth(root, max_depth=max_depth, source=source)
    namespace, name = split_tag(root.tag)
    if namespace not in ("", RSX_NAMESPACE):
        raise RsxError(f"root element is in namespace {namespace!r}, not {RSX_NAMESPACE!r}", source=source)
    if name in DOC_TYPES:
        elements = [(name, root)]
    elif name in SINGULAR_ROOTS:
        singular = SINGULAR_ROOTS[name]
        elements = []
        for child in root:
            if not isinstance(child.tag, str):
                continue
            _, child_name = split_tag(child.tag)
            if child_name != singular:
                raise RsxError(f"<{name}> may only contain <{singular}>", source=source, field=child_name)
            elements.append((singular, child))
    else:
        raise RsxError(f"unknown root element <{name}>; expected one of {_root_names()}", source=source)
    found: list[_Found] = []
    for family, element in elements:
        try:
            data: Any = element_to_data(element, doc_type=family, source=source)
        except RsxError as exc:
            data = exc
        found.append((family, data, ET.tostring(element, encoding="utf-8")))
    return found


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid RSX number")


def _json_documents(body: bytes, *, source: str, max_depth: int) -> list[_Found]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RsxError(f"not UTF-8 (byte {exc.start})", source=source) from None
    check_json_depth(body, max_depth=max_depth, source=source)
    try:
        value = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        reason = f"malformed JSON ({exc.msg})"
        raise RsxError(reason, source=source, line=exc.lineno, column=exc.colno) from None
    except ValueError as exc:
        raise RsxError(f"malformed JSON ({exc})", source=source) from None
    items = value if isinstance(value, list) else [value]
    found: list[_Found] = []
    for item in items:
        found.extend((family, doc, _json_bytes(doc)) for family, doc in _unwrap_json(item))
    return found


def _json_bytes(doc: Any) -> bytes:
    # Numbers were parsed as Decimal: simplejson writes them back with their exact digits.
    return simplejson.dumps(doc, use_decimal=True, separators=(",", ":")).encode()


def _unwrap_json(item: Any) -> list[tuple[str | None, Any]]:
    """{"Order": doc} / {"Orders": [docs]} -> declared family; a bare document -> family unknown."""
    if isinstance(item, dict) and len(item) == 1:
        ((key, inner),) = item.items()
        if key in DOC_TYPES:
            inners = inner if isinstance(inner, list) else [inner]
            return [(key, doc) for doc in inners]
        if key in SINGULAR_ROOTS:
            inners = inner if isinstance(inner, list) else [inner]
            return [(SINGULAR_ROOTS[key], _single_wrapped(doc, SINGULAR_ROOTS[key])) for doc in inners]
    return [(None, item)]


def _single_wrapped(doc: Any, family: str) -> Any:
    # {"Orders": [{"Order": {...}}]} nests the singular name as well; accept both spellings.
    if isinstance(doc, dict) and len(doc) == 1 and family in doc:
        return doc[family]
    return doc


def _document(
    declared: str | None, data: Any, *, fmt: RsxFormat, source: str, index: int, hint: str | None
) -> RsxDocument:
    if not isinstance(data, dict):
        raise RsxError(f"expected a document object, got {type(data).__name__}", source=source)
    header = data.get("Header")
    if not isinstance(header, dict):
        raise RsxError(
            "required element is missing (every RSX document has a Header)", source=source, field="Header"
        )
    family = declared or _infer_family(header, data, hint=hint, source=source)
    if hint is not None and family != hint:
        raise RsxError(f"expected an RSX {hint} but this is an RSX {family}", source=source)
    header_element, required = REQUIRED_HEADER_KEYS[family]
    fields = header.get(header_element)
    if not isinstance(fields, dict):
        raise RsxError(
            f"required element is missing (an RSX {family} has Header.{header_element})",
            source=source,
            field=f"Header.{header_element}",
        )
    for key in required:
        value = fields.get(key)
        if not isinstance(value, str) or not value.strip():
            reason = (
                "required element is missing"
                if value is None
                else f"must be non-empty text, got {value!r:.60}"
            )
            raise RsxError(reason, source=source, field=f"Header.{header_element}.{key}")
    order = _validated_order(data, source=source) if family == "Order" else None
    return RsxDocument(doc_type=family, format=fmt, data=data, source=source, index=index, order=order)


def _infer_family(header: dict[str, Any], data: dict[str, Any], *, hint: str | None, source: str) -> str:
    for element, family in _HEADER_FAMILY.items():
        if element in header:
            return family
    if "OrderHeader" not in header:
        raise RsxError(
            f"cannot tell the document type: Header has none of {['OrderHeader', *_HEADER_FAMILY]}",
            source=source,
            field="Header",
        )
    if hint in ("Order", "OrderAck", "OrderChange"):
        return hint
    order_header = header["OrderHeader"] if isinstance(header["OrderHeader"], dict) else {}
    lines = data.get("LineItem")
    lines = lines if isinstance(lines, list) else [lines]
    if any(key in order_header for key in _ACK_HEADER_KEYS) or any(
        isinstance(line, dict) and "LineItemAcknowledgement" in line for line in lines
    ):
        return "OrderAck"
    if any(key in order_header for key in _CHANGE_HEADER_KEYS):
        return "OrderChange"
    return "Order"


def _validated_order(data: dict[str, Any], *, source: str) -> Order:
    try:
        return Order.model_validate(data)
    except ValidationError as exc:
        problems = [(_dotted(error["loc"]), _reason(error)) for error in exc.errors()]
        field, reason = problems[0]
        if len(problems) > 1:
            reason += f" (and {len(problems) - 1} more: " + "; ".join(f"{f}: {r}" for f, r in problems[1:4])
            reason += ", ..." if len(problems) > 4 else ""
            reason += ")"
        raise RsxError(reason, source=source, field=field) from None


def _dotted(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _reason(error: Any) -> str:
    kind, given = error["type"], error.get("input")
    shown = repr(given)[:60]
    if kind == "missing":
        return "required element is missing"
    if kind == "string_too_short":
        return "must not be empty"
    if kind.startswith("decimal"):
        return f"expected a number, got {shown}"
    if kind.startswith("int"):
        return f"expected a whole number, got {shown}"
    if kind.startswith("date"):
        return f"expected a date YYYY-MM-DD, got {shown}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a group of elements, got {shown}"
    return f"{error['msg']}, got {shown}"


def _root_names() -> str:
    return ", ".join(sorted(DOC_TYPES | set(SINGULAR_ROOTS)))


def element_values(node: Any, name: str) -> Iterator[Any]:
    """The value of every element called ``name``, at any depth of a read document's data (e.g. each
    carton's ShippingSerialID on a ship notice)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == name:
                yield value
            else:
                yield from element_values(value, name)
    elif isinstance(node, list):
        for item in node:
            yield from element_values(item, name)
