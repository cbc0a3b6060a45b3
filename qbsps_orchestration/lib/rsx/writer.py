"""Write RSX 7.7 documents as JSON or XML with the RSX element names.

Numbers are written exactly as their Decimal (20.0000 stays 20.0000, never 20.0000001); floats are
refused, because a float cannot carry money exactly. JSON is the bare document object SPS uses
(or an array of them); XML repeats list elements and may carry the namespace and plural wrapper.
XML cannot say "empty list" or "null": such elements are left out of XML (and read back as absent).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # building only; parsing untrusted input uses defusedxml
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .element_kinds import DOC_TYPES, PLURAL_ROOTS, RSX_NAMESPACE
from .xml_tree import data_to_element, scalar_text, serialise

Documents = Mapping[str, Any] | Sequence[Mapping[str, Any]]


def to_json(doc_type: str, data: Documents, *, indent: int = 2) -> bytes:
    """UTF-8 JSON: one document as a bare object, several as an array (the RSX JSON shapes)."""
    _check_type(doc_type)
    parts: list[str] = []
    _emit(data, parts, level=0, indent=indent, path=doc_type)
    return ("".join(parts) + "\n").encode("utf-8")


def to_xml(doc_type: str, data: Documents, *, namespace: bool = True, plural: bool = False) -> bytes:
    """UTF-8 XML rooted at <doc_type> (or <Orders>-style wrapper when `plural`), in the RSX
    namespace unless `namespace=False`. Several documents need `plural=True`."""
    _check_type(doc_type)
    documents = [data] if isinstance(data, Mapping) else list(data)
    ns = RSX_NAMESPACE if namespace else None
    if not plural:
        if len(documents) != 1:
            raise ValueError(f"{len(documents)} {doc_type} documents need plural=True to share one file")
        return serialise(data_to_element(doc_type, documents[0], namespace=ns), namespace=ns)
    root = ET.Element(f"{{{ns}}}{PLURAL_ROOTS[doc_type]}" if ns else PLURAL_ROOTS[doc_type])
    for document in documents:
        root.append(data_to_element(doc_type, document, namespace=ns))
    return serialise(root, namespace=ns)


def _check_type(doc_type: str) -> None:
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown RSX document type {doc_type!r}; expected one of {sorted(DOC_TYPES)}")


def _emit(value: Any, out: list[str], *, level: int, indent: int, path: str) -> None:
    """A small JSON emitter: the standard encoder cannot write a Decimal as an exact number."""
    pad, inner = "\n" + " " * (indent * level), "\n" + " " * (indent * (level + 1))
    if isinstance(value, Mapping):
        if not value:
            out.append("{}")
            return
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise ValueError(f"{path}: element names must be text, got {key!r}")
            out.append(("," if i else "") + inner + json.dumps(key, ensure_ascii=False) + ": ")
            _emit(item, out, level=level + 1, indent=indent, path=f"{path}.{key}")
        out.append(pad + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        out.append("[")
        for i, item in enumerate(value):
            out.append(("," if i else "") + inner)
            _emit(item, out, level=level + 1, indent=indent, path=f"{path}[{i}]")
        out.append(pad + "]")
    elif value is None:
        out.append("null")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, bool | int | Decimal):
        out.append(scalar_text(value, path=path))  # bare JSON number or true/false, exact
    else:
        out.append(json.dumps(scalar_text(value, path=path), ensure_ascii=False))  # dates, times
