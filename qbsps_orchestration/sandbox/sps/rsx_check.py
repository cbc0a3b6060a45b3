"""What SPS checks when a supplier uploads a document to ``in/``.

RSX arrives as XML (namespace ``http://www.spscommerce.com/RSX`` or none, with or without the
plural wrapper such as ``<Invoices>``) or as JSON (one document object, or an array of them);
a UTF-8 byte-order mark is allowed. Each document must be of a type a supplier sends (OrderAck,
Invoice, Shipment, ItemRegistry) and carry the header fields SPS needs to route it; with
``QBSPS_RSX_SCHEMA_DIR`` set it must also match SPS's JSON Schema. JSON has no root name, so the
type is read from the header group (``InvoiceHeader`` -> Invoice; ``OrderHeader`` with
acknowledgement fields -> OrderAck, without -> Order).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from .rsx_schema import RsxSchemas, local_name

RSX_NAMESPACE = "http://www.spscommerce.com/RSX"
BOM = b"\xef\xbb\xbf"

# document type -> (header group, fields that must be present and non-empty)
REQUIRED_HEADER: dict[str, tuple[str, tuple[str, ...]]] = {
    "Order": ("OrderHeader", ("TradingPartnerId", "PurchaseOrderNumber")),
    "OrderChange": ("OrderHeader", ("TradingPartnerId", "PurchaseOrderNumber")),
    "OrderAck": ("OrderHeader", ("TradingPartnerId", "PurchaseOrderNumber", "AcknowledgementType")),
    "Invoice": ("InvoiceHeader", ("TradingPartnerId", "InvoiceNumber", "InvoiceDate")),
    "Shipment": ("ShipmentHeader", ("TradingPartnerId", "ShipmentIdentification", "ShipDate")),
    "ItemRegistry": ("HeaderReport", ("TradingPartnerId", "DocumentId")),
}
PLURALS = {
    "Orders": "Order",
    "OrderChanges": "OrderChange",
    "OrderAcks": "OrderAck",
    "Invoices": "Invoice",
    "Shipments": "Shipment",
    "ItemRegistries": "ItemRegistry",
}
# Documents only a retailer originates; a supplier's in/ folder cannot route them.
RETAILER_DOCUMENTS = {"Order": "850", "OrderChange": "860"}
_ACK_FIELDS = ("AcknowledgementType", "AcknowledgementDate", "AcknowledgementNumber")
_KEY_FIELD = {
    "OrderHeader": "PurchaseOrderNumber",
    "InvoiceHeader": "InvoiceNumber",
    "ShipmentHeader": "ShipmentIdentification",
    "HeaderReport": "DocumentId",
}


@dataclass
class RsxVerdict:
    document_types: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.reasons and bool(self.document_types)

    @property
    def document_type(self) -> str | None:
        return self.document_types[0] if self.document_types else None


def check_upload(content: bytes, schemas: RsxSchemas) -> RsxVerdict:
    """Never raises: whatever the bytes, the answer is a verdict (the mailbox holds any file)."""
    try:
        return _check(content, schemas)
    except RecursionError:
        return RsxVerdict(reasons=["the document is nested too deeply to be RSX"])
    except (ValueError, TypeError, LookupError, ArithmeticError) as exc:
        return RsxVerdict(reasons=[f"the file cannot be read as RSX ({type(exc).__name__})"])


def _check(content: bytes, schemas: RsxSchemas) -> RsxVerdict:
    body = content[len(BOM) :] if content.startswith(BOM) else content
    stripped = body.lstrip()
    if not stripped:
        return RsxVerdict(reasons=["the file is empty"])
    if stripped[:1] == b"<":
        return _check_xml(body, schemas)
    if stripped[:1] in (b"{", b"["):
        return _check_json(body, schemas)
    return RsxVerdict(reasons=["the file is neither RSX XML nor RSX JSON"])


# ---- XML ----------------------------------------------------------------------------------
def _check_xml(body: bytes, schemas: RsxSchemas) -> RsxVerdict:
    try:
        root = SafeET.fromstring(body)
    except ParseError as exc:
        return RsxVerdict(reasons=[f"the XML is not well-formed: {exc}"])
    except DefusedXmlException as exc:
        return RsxVerdict(reasons=[f"the XML uses a forbidden construct (DTD or entity): {exc}"])
    verdict = RsxVerdict()
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if namespace not in ("", RSX_NAMESPACE):
        verdict.reasons.append(
            f"root element is in namespace '{namespace}', expected '{RSX_NAMESPACE}' or none"
        )
        return verdict
    name = local_name(root.tag)
    if name in PLURALS:
        documents = list(root)
        if not documents:
            verdict.reasons.append(f"<{name}> holds no <{PLURALS[name]}> document")
        for index, doc in enumerate(documents, start=1):
            found = local_name(doc.tag)
            if found != PLURALS[name]:
                verdict.reasons.append(f"<{name}> may only hold <{PLURALS[name]}>, found <{found}>")
                continue
            _check_xml_document(doc, PLURALS[name], index, schemas, verdict)
    elif name in REQUIRED_HEADER:
        _check_xml_document(root, name, 1, schemas, verdict)
    else:
        verdict.reasons.append(f"<{name}> is not a known RSX document type")
    return verdict


def _xml_child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next((c for c in element if local_name(c.tag) == name), None)


def _check_xml_document(
    doc: Element, doc_type: str, index: int, schemas: RsxSchemas, verdict: RsxVerdict
) -> None:
    verdict.document_types.append(doc_type)
    group, required = REQUIRED_HEADER[doc_type]
    header = _xml_child(_xml_child(doc, "Header"), group)
    values = {
        f: (_xml_child(header, f).text or "").strip() if _xml_child(header, f) is not None else ""
        for f in (*required, _KEY_FIELD[group])
    }
    label = _label(doc_type, index, group, values.get(_KEY_FIELD[group], ""))
    if _refuse_retailer_document(doc_type, label, verdict):
        return
    if header is None:
        verdict.reasons.append(f"{label}: Header.{group} is missing")
        return
    for name in required:
        if not values[name]:
            verdict.reasons.append(f"{label}: Header.{group}.{name} is missing or empty")
    verdict.reasons.extend(f"{label}: {r}" for r in schemas.validate_xml(doc_type, doc))


# ---- JSON ---------------------------------------------------------------------------------
def _check_json(body: bytes, schemas: RsxSchemas) -> RsxVerdict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return RsxVerdict(reasons=[f"the JSON is not valid: {exc}"])
    documents = data if isinstance(data, list) else [data]
    verdict = RsxVerdict()
    if not documents:
        verdict.reasons.append("the JSON array holds no document")
    for index, doc in enumerate(documents, start=1):
        if not isinstance(doc, dict):
            verdict.reasons.append(f"document {index}: expected a JSON object, found {type(doc).__name__}")
            continue
        _check_json_document(doc, index, schemas, verdict)
    return verdict


def json_document_type(doc: dict[str, Any]) -> str | None:
    header = doc.get("Header")
    if not isinstance(header, dict):
        return None
    if "InvoiceHeader" in header:
        return "Invoice"
    if "ShipmentHeader" in header:
        return "Shipment"
    if "HeaderReport" in header:
        return "ItemRegistry"
    order_header = header.get("OrderHeader")
    if isinstance(order_header, dict):
        lines = doc.get("LineItem") if isinstance(doc.get("LineItem"), list) else []
        acked = any(f in order_header for f in _ACK_FIELDS) or any(
            isinstance(line, dict) and "LineItemAcknowledgement" in line for line in lines
        )
        return "OrderAck" if acked else "Order"
    return None


def _check_json_document(doc: dict[str, Any], index: int, schemas: RsxSchemas, verdict: RsxVerdict) -> None:
    doc_type = json_document_type(doc)
    if doc_type is None:
        verdict.reasons.append(
            f"document {index}: no known RSX header group (Header.InvoiceHeader, ShipmentHeader, "
            "OrderHeader or HeaderReport)"
        )
        return
    verdict.document_types.append(doc_type)
    group, required = REQUIRED_HEADER[doc_type]
    header = doc["Header"][group]
    key = header.get(_KEY_FIELD[group]) if isinstance(header, dict) else None
    label = _label(doc_type, index, group, str(key or ""))
    if _refuse_retailer_document(doc_type, label, verdict):
        return
    if not isinstance(header, dict):
        verdict.reasons.append(f"{label}: Header.{group} must be an object")
        return
    for name in required:
        if header.get(name) in (None, ""):
            verdict.reasons.append(f"{label}: Header.{group}.{name} is missing or empty")
    verdict.reasons.extend(f"{label}: {r}" for r in schemas.validate(doc_type, doc))


# ---- shared -------------------------------------------------------------------------------
def _label(doc_type: str, index: int, group: str, key: str) -> str:
    return f"{doc_type} {index}" + (f" ({_KEY_FIELD[group]} '{key}')" if key else "")


def _refuse_retailer_document(doc_type: str, label: str, verdict: RsxVerdict) -> bool:
    if doc_type not in RETAILER_DOCUMENTS:
        return False
    verdict.reasons.append(
        f"{label}: an {doc_type} ({RETAILER_DOCUMENTS[doc_type]}) is sent by the retailer; a supplier "
        "cannot upload one (an OrderHeader without acknowledgement fields reads as an Order)"
    )
    return True
