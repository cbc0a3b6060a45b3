"""The checks that block sending: RSX rules qbsps knows, then SPS's schemas when configured.

`check` returns every problem as ``<file name>: <RSX path>: <reason>``; `validate` stores them
(and the warnings) on the document, which may be uploaded only when `document.ready`.
Rules that hold for every family live here (routing, dates, code lists, GS1 check digits); the
arithmetic and the quantities against the PO live in `rules_invoice` and `rules_ack`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .. import gs1
from ..rsx import Order
from .codes import (
    CODE_LISTS,
    COMMON_UOM_CODES,
    GS1_ELEMENTS,
    TSET_PURPOSE_CODES,
    UOM_ELEMENTS,
    UOM_SHAPE,
    is_rsx_date,
)
from .document import OutboundDocument
from .findings import MISSING, Findings
from .invoice.rules_invoice import check_invoice
from .order_ack.rules_ack import check_order_ack
from .schemas import RsxSchemas

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$")
_HEADER = {
    "Invoice": "InvoiceHeader",
    "OrderAck": "OrderHeader",
    "Shipment": "ShipmentHeader",
    "ItemRegistry": "HeaderReport",
}
_FAMILY_RULES = {"Invoice": check_invoice, "OrderAck": check_order_ack}


def check(document: OutboundDocument, *, schemas: RsxSchemas, order: Order | None) -> list[str]:
    """Every reason not to send `document`: the builder's, the RSX rules', then the schema's."""
    return _findings(document, schemas=schemas, order=order).problems


def validate(document: OutboundDocument, *, schemas: RsxSchemas, order: Order | None) -> OutboundDocument:
    """Run `check` and record its problems and warnings on the document (idempotent)."""
    findings = _findings(document, schemas=schemas, order=order)
    document.problems = findings.problems
    document.warnings = _unique([*document.warnings, *findings.warnings])
    document.validated = True
    return document


def _findings(document: OutboundDocument, *, schemas: RsxSchemas, order: Order | None) -> Findings:
    findings = Findings(document.file_name)
    data = document.data
    if document.doc_type not in _HEADER:
        raise ValueError(f"no outbound rules for RSX {document.doc_type!r}")
    _check_routing(findings, document, order)
    _check_tset(findings, document)
    for path, key, value in walk(data):
        _check_element(findings, path, key, value)
    family_rules = _FAMILY_RULES.get(document.doc_type)
    if family_rules is not None:
        family_rules(findings, data, order)
    for problem in schemas.problems(document.doc_type, data):
        findings.problems.append(f"{document.file_name}: {problem}")
    # The builder's problems come first: they name the QBO field to fix. "Missing" at a path the
    # builder already explained adds nothing for the operator.
    said = {_path_of(p, document.file_name) for p in document.build_problems}
    rest = [
        p for p in findings.problems if not (p.endswith(MISSING) and _path_of(p, document.file_name) in said)
    ]
    findings.problems = _unique([*document.build_problems, *rest])
    return findings


def _check_routing(findings: Findings, document: OutboundDocument, order: Order | None) -> None:
    header_name = _HEADER[document.doc_type]
    header = (document.data.get("Header") or {}).get(header_name) or {}
    path = f"Header.{header_name}.TradingPartnerId"
    sent_to = header.get("TradingPartnerId")
    if sent_to != document.trading_partner_id:
        findings.problem(path, f"is {sent_to!r}, but this document is for {document.trading_partner_id!r}")
    if order is not None and order.header.TradingPartnerId != document.trading_partner_id:
        findings.problem(
            path,
            f"order {order.header.PurchaseOrderNumber} came from trading partner "
            f"{order.header.TradingPartnerId!r}; its documents may only go back to that partner, "
            f"not {document.trading_partner_id!r}",
        )


def _check_tset(findings: Findings, document: OutboundDocument) -> None:
    header_name = _HEADER[document.doc_type]
    header = (document.data.get("Header") or {}).get(header_name) or {}
    code = header.get("TsetPurposeCode")
    allowed = TSET_PURPOSE_CODES[document.doc_type]
    if code is None:
        findings.problem(f"Header.{header_name}.TsetPurposeCode", MISSING)
    elif code not in allowed:
        findings.problem(
            f"Header.{header_name}.TsetPurposeCode",
            f"{code!r} is not a {document.doc_type} purpose code ({', '.join(sorted(allowed))})",
        )


def _check_element(findings: Findings, path: str, key: str, value: Any) -> None:
    if not isinstance(value, str):
        return
    if key.endswith("Date") and not is_rsx_date(value):
        findings.problem(path, f"{value!r} is not a date YYYY-MM-DD")
    elif key.endswith("Time") and not _TIME.match(value):
        findings.problem(path, f"{value!r} is not a time HH:MM:SS")
    elif key in CODE_LISTS and value not in CODE_LISTS[key]:
        findings.problem(path, f"{value!r} is not a valid {key}")
    elif key in UOM_ELEMENTS:
        if not UOM_SHAPE.match(value):
            findings.problem(path, f"{value!r} is not a unit-of-measure code (1-4 capitals/digits, e.g. EA)")
        elif value not in COMMON_UOM_CODES:
            findings.warning(path, f"unit of measure {value!r} is unusual; check it with the partner")
    elif key in GS1_ELEMENTS:
        _check_gs1(findings, path, key, value)


def _check_gs1(findings: Findings, path: str, key: str, code: str) -> None:
    kind = GS1_ELEMENTS[key]
    try:
        if key == "ShippingSerialID":
            gs1.normalize_sscc18(code)
        else:
            gs1.normalize_gtin14(code)
    except ValueError as exc:
        reason = str(exc)
        if code.isdigit() and "check digit" in reason:
            reason = (
                f"{kind} {code} has a wrong check digit {code[-1]} (expected {gs1.check_digit(code[:-1])})"
            )
        findings.problem(path, reason)


def walk(value: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """Every element below `value` as ``(path, name, value)``; list entries get ``[i]``."""
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            if isinstance(item, list):
                for index, entry in enumerate(item):
                    yield f"{child}[{index}]", key, entry
                    yield from walk(entry, f"{child}[{index}]")
            else:
                yield child, key, item
                yield from walk(item, child)


def _path_of(problem: str, file_name: str) -> str:
    return problem.removeprefix(f"{file_name}: ").split(": ")[0]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


__all__ = ["check", "validate", "walk"]
