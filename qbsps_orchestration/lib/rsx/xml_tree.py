"""RSX XML <-> element-tree dicts with the same shape and types as the JSON form.

Parsing uses defusedxml (inbound files are untrusted: no DTDs, entities or external references).
Element kinds come from `element_kinds`, so a repeating group that occurs once still becomes a
list, and quantities become Decimal, exactly as `json.loads(..., parse_float=Decimal)` gives them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # building and serialising only; parsing goes through defusedxml
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from .element_kinds import RSX_NAMESPACE, element_kind
from .errors import RsxError

_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def parse_xml(raw: bytes, *, source: str) -> ET.Element:
    """Parse untrusted bytes into an element tree, or raise RsxError with line and column."""
    try:
        return defused_fromstring(raw, forbid_dtd=True)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        reason = str(exc).split(": line ")[0]
        raise RsxError(
            f"malformed XML ({reason})",
            source=source,
            line=line,
            column=None if column is None else column + 1,
        ) from None
    except DefusedXmlException as exc:
        raise RsxError(f"XML refused for safety ({type(exc).__name__})", source=source) from None


def split_tag(tag: str) -> tuple[str, str]:
    """'{ns}Local' -> ('ns', 'Local'); 'Local' -> ('', 'Local')."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def element_to_data(element: ET.Element, *, doc_type: str, source: str, path: str = "") -> dict[str, Any]:
    """Convert a document element (e.g. <Order>) into its RSX dict."""
    return _group(element, doc_type=doc_type, source=source, path=path)


def _group(element: ET.Element, *, doc_type: str, source: str, path: str) -> dict[str, Any]:
    if element.text and element.text.strip():
        raise RsxError(
            f"unexpected text {element.text.strip()[:40]!r} beside child elements", source=source, field=path
        )
    names: list[str] = []
    children: dict[str, list[ET.Element]] = {}
    for child in element:
        if not isinstance(child.tag, str):  # comments and processing instructions carry no data
            continue
        _, name = split_tag(child.tag)
        if name not in children:
            names.append(name)
            children[name] = []
        children[name].append(child)
    result: dict[str, Any] = {}
    for name in names:
        occurrences = children[name]
        child_path = f"{path}.{name}" if path else name
        if element_kind(name, doc_type) == "array" or len(occurrences) > 1:
            result[name] = [
                _value(name, child, doc_type=doc_type, source=source, path=f"{child_path}[{i}]")
                for i, child in enumerate(occurrences)
            ]
        else:
            result[name] = _value(name, occurrences[0], doc_type=doc_type, source=source, path=child_path)
    return result


def _value(name: str, element: ET.Element, *, doc_type: str, source: str, path: str) -> Any:
    kind = element_kind(name, doc_type)
    has_children = any(isinstance(child.tag, str) for child in element)
    if has_children or kind in ("array", "object"):
        return _group(element, doc_type=doc_type, source=source, path=path)
    text = element.text or ""
    if kind == "string":
        return text
    stripped = text.strip()
    if kind == "boolean":
        if stripped.lower() in ("true", "1"):
            return True
        if stripped.lower() in ("false", "0"):
            return False
        raise RsxError(f"expected true or false, got {stripped[:40]!r}", source=source, field=path)
    try:
        number = Decimal(stripped)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise RsxError(f"expected a number, got {stripped[:40]!r}", source=source, field=path)
    if kind == "integer":
        if number != number.to_integral_value():
            raise RsxError(f"expected a whole number, got {stripped[:40]!r}", source=source, field=path)
        return int(number)
    return number


def data_to_element(name: str, data: Mapping[str, Any], *, namespace: str | None) -> ET.Element:
    """Build the element `name` from an RSX dict; list values become repeated elements."""
    element = ET.Element(_qualified(name, namespace))
    _fill(element, data, namespace=namespace, path=name)
    return element


def _fill(element: ET.Element, data: Mapping[str, Any], *, namespace: str | None, path: str) -> None:
    for key, value in data.items():
        if not isinstance(key, str) or not _XML_NAME.match(key):
            raise ValueError(f"{path}: {key!r} is not a valid RSX element name")
        items = value if isinstance(value, list | tuple) else [value]
        for i, item in enumerate(items):
            if item is None:
                continue
            child_path = f"{path}.{key}[{i}]" if isinstance(value, list | tuple) else f"{path}.{key}"
            child = ET.SubElement(element, _qualified(key, namespace))
            if isinstance(item, Mapping):
                _fill(child, item, namespace=namespace, path=child_path)
            else:
                child.text = scalar_text(item, path=child_path)


def _qualified(name: str, namespace: str | None) -> str:
    return f"{{{namespace}}}{name}" if namespace else name


def scalar_text(value: object, *, path: str) -> str:
    """The exact RSX text of a scalar. Floats are refused: they cannot carry money exactly."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{path}: {value} is not a finite number")
        return format(value, "f")
    if isinstance(value, float):
        raise ValueError(f"{path}: float {value!r} refused; use Decimal for RSX numbers")
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    raise ValueError(f"{path}: cannot write a {type(value).__name__} as RSX")


def serialise(element: ET.Element, *, namespace: str | None) -> bytes:
    """UTF-8 XML with a declaration; the RSX namespace (if any) as the default namespace."""
    ET.indent(element, space="  ")
    if namespace:
        body = ET.tostring(element, encoding="unicode", default_namespace=namespace)
    else:
        body = ET.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


__all__ = [
    "RSX_NAMESPACE",
    "data_to_element",
    "element_to_data",
    "parse_xml",
    "scalar_text",
    "serialise",
    "split_tag",
]
