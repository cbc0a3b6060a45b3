"""Writers for RSX Order files, JSON and XML, of our own so a test can write what a careless or
hostile sender writes: NaN and 1E+30 as JSON numbers, duplicate keys, CDATA, entity references,
illegal characters, stray bytes; and the file shapes (wrappers, namespace, BOM) SPS delivers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from qbsps_orchestration.lib.rsx import RSX_NAMESPACE


@dataclass(frozen=True)
class Raw:
    """Text written verbatim: `json` into JSON (a number token, NaN, ...), `xml` as element content."""

    json: str
    xml: str


@dataclass(frozen=True)
class Pairs:
    """An object whose members may repeat a key: duplicate JSON keys, repeated XML elements."""

    items: tuple[tuple[str, Any], ...]


# ---- ---------------------------------------------------------------------------------


def json_string(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or 0xD800 <= code <= 0xDFFF:  # lone surrogates only exist as escapes
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def json_text(value: Any) -> str:
    if isinstance(value, Raw):
        return value.json
    if isinstance(value, Pairs):
        return "{" + ",".join(f"{json_string(k)}:{json_text(v)}" for k, v in value.items) + "}"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json_string(str(k))}:{json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(json_text(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)  # NaN/Infinity: invalid JSON
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return json_string(str(value))


def json_document(tree: Any, wrapper: str) -> Any:
    """The shapes SPS delivers: a bare document, {"Order": doc}, {"Orders": [doc]} or [doc]."""
    return {"bare": tree, "single": {"Order": tree}, "plural": {"Orders": [tree]}, "array": [tree]}[wrapper]


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_members(value: Any, indent: str) -> str:
    pairs = value.items if isinstance(value, Pairs) else tuple(value.items())
    out = []
    for key, child in pairs:
        for item in child if isinstance(child, list | tuple) else [child]:
            out.append(_xml_element(str(key), item, indent))
    return "".join(out)


def _xml_element(name: str, value: Any, indent: str) -> str:
    if value is None:
        return f"{indent}<{name}/>"
    if isinstance(value, dict | Pairs):
        inner = _xml_members(value, indent + "  " if indent else "")
        return f"{indent}<{name}>{inner}{indent}</{name}>"
    if isinstance(value, Raw):
        text = value.xml
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Decimal):
        text = format(value, "f") if value.is_finite() else str(value)
    else:
        text = _xml_escape(str(value))
    return f"{indent}<{name}>{text}</{name}>"


def xml_text(documents: list[Any], *, namespace: bool, plural: bool, pretty: bool) -> str:
    indent = "\n  " if pretty else ""
    xmlns = f' xmlns="{RSX_NAMESPACE}"' if namespace else ""
    if not plural and len(documents) == 1:
        body = _xml_element("Order", documents[0], indent).strip()
        return body.replace("<Order>", f"<Order{xmlns}>", 1)
    inner = "".join(_xml_element("Order", doc, indent) for doc in documents)
    return f"<Orders{xmlns}>{inner}\n</Orders>"


def encode(text: str) -> bytes:
    # surrogatepass: a lone surrogate becomes the invalid UTF-8 a broken sender writes
    return text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class FileShape:
    fmt: str  # json | xml
    wrapper: str  # json: bare, single, plural, array; xml: singular, plural
    namespace: bool = True
    pretty: bool = False
    declaration: bool = True
    bom: bool = False

    def render(self, documents: list[Any]) -> bytes:
        if self.fmt == "json":
            if len(documents) > 1:
                value: Any = {"Orders": documents} if self.wrapper != "array" else documents
            else:
                value = json_document(documents[0], self.wrapper)
            text = json_text(value)
        else:
            text = xml_text(
                documents, namespace=self.namespace, plural=self.wrapper == "plural", pretty=self.pretty
            )
            if self.declaration:
                text = '<?xml version="1.0" encoding="UTF-8"?>\n' + text
        return (b"\xef\xbb\xbf" if self.bom else b"") + encode(text)

    @property
    def ext(self) -> str:
        return self.fmt


def shapes(fmt: str | None = None) -> st.SearchStrategy[FileShape]:
    json_shapes = st.builds(
        FileShape,
        fmt=st.just("json"),
        wrapper=st.sampled_from(["bare", "single", "plural", "array"]),
        bom=st.booleans(),
    )
    xml_shapes = st.builds(
        FileShape,
        fmt=st.just("xml"),
        wrapper=st.sampled_from(["singular", "plural"]),
        namespace=st.booleans(),
        pretty=st.booleans(),
        declaration=st.booleans(),
        bom=st.booleans(),
    )
    if fmt == "json":
        return json_shapes
    if fmt == "xml":
        return xml_shapes
    return st.one_of(json_shapes, xml_shapes)
