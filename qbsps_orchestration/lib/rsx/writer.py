"""Write RSX 7.7 documents as JSON or XML with the RSX element names.

Numbers are written exactly as their Decimal (20.0000 stays 20.0000, never 20.0000001); floats are
refused, because a float cannot carry money exactly. JSON is the bare document object SPS uses
(or an array of them), written by simplejson; XML repeats list elements and may carry the namespace
and plural wrapper. XML cannot say "empty list" or "null": such elements are left out of XML (and
read back as absent).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # building only; parsing untrusted input uses defusedxml
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import simplejson

from .element_kinds import DOC_TYPES, PLURAL_ROOTS, RSX_NAMESPACE
from .xml_tree import data_to_element, scalar_text, serialise

Documents = Mapping[str, Any] | Sequence[Mapping[str, Any]]


def to_json(doc_type: str, data: Documents, *, indent: int = 2) -> bytes:
    """UTF-8 JSON: one document as a bare object, several as an array (the RSX JSON shapes)."""
    _check_type(doc_type)
    text = simplejson.dumps(
        _json_ready(data, doc_type),
        indent=indent,
        separators=(",", ": "),
        ensure_ascii=False,
        use_decimal=False,  # Decimals arrive as exact raw text (see _json_ready); anything else fails
    )
    return (text + "\n").encode("utf-8")


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


def _json_ready(value: Any, path: str) -> Any:
    """The tree as simplejson should write it, checked on the way (each problem names its element).

    Every Decimal becomes its exact fixed-point text as raw JSON: simplejson's own Decimal support
    writes ``str(d)``, which is exponent form for values such as 1E+2 or 1E-7; RSX readers expect
    100 and 0.0000001. Dates and times become ISO text; floats, non-text keys and other types are
    refused (`scalar_text`)."""
    if isinstance(value, Mapping):
        ready = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path}: element names must be text, got {key!r}")
            ready[key] = _json_ready(item, f"{path}.{key}")
        return ready
    if isinstance(value, list | tuple):
        return [_json_ready(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, Decimal):
        return simplejson.RawJSON(scalar_text(value, path=path))
    return scalar_text(value, path=path)  # dates and times as text; floats and the rest refused
