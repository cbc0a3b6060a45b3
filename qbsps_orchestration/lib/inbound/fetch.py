"""Step 1 (asset ``sps_purchase_orders``): fetch files, validate them, store them, then delete them.

The file leaves the mailbox only after the ledger committed its raw payload, so a crash at any
point loses nothing: the next fetch finds the file again and dedup makes the repeat harmless.
A broken file is quarantined with its bytes kept, and fails only its own partition.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from decimal import Decimal

from ..config import QbspsConfig, UnknownTradingPartnerError
from ..ledger import Direction, DocumentRecord, Ledger
from ..ledger.dedup import KNOWN_CODES
from ..rsx import RsxDocument, RsxError, UnreadableDocument, order_totals, read_rsx_each, to_json, to_xml
from ..sps import SpsClient, SpsError
from .results import DocumentResult, InboundDocumentError, outcome_of

PARALLEL = 4  # SPS calls in flight at once, per group of files
Downloads = Mapping[str, Future[bytes]]  # file name -> its download, begun


def content_hash(document: RsxDocument) -> str:
    """Of the document's content, not its bytes: the same order re-sent with other whitespace or
    key order is the same content."""
    canonical = json.dumps(document.data, sort_keys=True, default=_exact, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _exact(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value.normalize())
    return str(value)


def fetch_order_file(config: QbspsConfig, ledger: Ledger, sps: SpsClient, name: str) -> list[DocumentResult]:
    return outcome_of(fetch_order_files(config, ledger, sps, [name]), name)


def fetch_order_files(
    config: QbspsConfig,
    ledger: Ledger,
    sps: SpsClient,
    names: list[str],
    downloads: Downloads | None = None,
) -> dict[str, list[DocumentResult] | Exception]:
    """Per file: its results, or what it raised (an InboundDocumentError with the results when a
    document failed). Up to PARALLEL SPS calls at once: downloads run ahead (``downloads``: begun
    earlier by start_downloads), the ledger records the files one after the other in the order of
    ``names``, and a file's delete is sent only once its bytes are committed (broken ones included)."""
    folder = config.sps.folders.orders
    outcomes: dict[str, list[DocumentResult] | Exception] = {}
    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="sps-fetch") as pool:
        downloads = dict(downloads or start_downloads(pool, sps, folder, names))
        deletes: dict[str, tuple[Future[None], list[DocumentResult]]] = {}
        for name in names:
            try:
                raw = downloads.pop(name).result()
            except SpsError as exc:
                outcomes[name] = _replay_or(config, ledger, folder + name, name, exc)
                continue
            except Exception as exc:  # an outage on one file must not stop the others
                outcomes[name] = exc
                continue
            try:
                results = _process(config, ledger, folder + name, name, raw)
                _note(ledger, folder + name, raw, results)
            except Exception as exc:
                outcomes[name] = exc
                continue
            deletes[name] = (pool.submit(sps.delete, folder + name), results)
        for name, (deleted, results) in deletes.items():
            try:
                deleted.result()
            except Exception as exc:  # stored: the next fetch finds the file again, dedup keeps it once
                outcomes[name] = exc
            else:
                outcomes[name] = _failure(results) or results
    return {name: outcomes[name] for name in names}


def start_downloads(pool: Executor, sps: SpsClient, folder: str, names: Iterable[str]) -> Downloads:
    """Each file's download, begun on ``pool``: nothing is written until fetch_order_files takes
    them, so downloads begun ahead and never taken (the run stopped) cost nothing but the call."""
    return {name: pool.submit(sps.download, folder + name) for name in names}


def _replay_or(
    config: QbspsConfig, ledger: Ledger, path: str, name: str, exc: SpsError
) -> list[DocumentResult] | Exception:
    if exc.status != 404:
        return exc
    try:
        return _replay(config, ledger, path, name)
    except Exception as failure:
        return failure


def _process(config: QbspsConfig, ledger: Ledger, path: str, name: str, raw: bytes) -> list[DocumentResult]:
    try:
        items = _read(config, name, raw)
    except Exception as exc:  # any failure to read a file is bad input, kept with its reason
        reason = (
            str(exc) if isinstance(exc, RsxError) else f"{name}: unreadable ({type(exc).__name__}: {exc})"
        )
        return [_quarantined(ledger, path, name, raw, reason, _guess_format(raw))]
    if not items:  # e.g. `[]` or `<Orders/>`: kept and named, never silently deleted
        reason = f"{name}: holds no order document"
        return [_quarantined(ledger, path, name, raw, reason, _guess_format(raw))]
    single = raw if len(items) == 1 else None
    results = []
    for item in items:  # one bad document of a plural file never holds back the others
        if isinstance(item, UnreadableDocument):
            results.append(_quarantined(ledger, path, name, item.payload, str(item.error), item.format))
        else:
            results.append(_record(config, ledger, path, name, single, item))
    return results


def _read(config: QbspsConfig, name: str, raw: bytes) -> list[RsxDocument | UnreadableDocument]:
    limit = config.sps.max_file_bytes
    if len(raw) > limit:
        reason = f"file is {len(raw):,} bytes, over the limit of {limit:,} (sps.max_file_bytes)"
        raise RsxError(reason, source=name)
    return read_rsx_each(raw, source=name, doc_type="Order", max_depth=config.sps.max_nesting_depth)


def _quarantined(
    ledger: Ledger,
    path: str,
    name: str,
    payload: bytes,
    reason: str,
    file_format: str,
    trading_partner_id: str = "",
    po_number: str | None = None,
) -> DocumentResult:
    outcome = ledger.quarantine_unreadable(
        Direction.INBOUND,
        "Order",
        payload,
        reason,
        source_path=path,
        trading_partner_id=trading_partner_id,
        file_format=file_format,
    )
    return DocumentResult(
        name,
        "quarantined",
        trading_partner_id or None,
        po_number,
        outcome.document_id,
        outcome.version_id,
        reason=reason,
    )


def _replay(config: QbspsConfig, ledger: Ledger, path: str, name: str) -> list[DocumentResult]:
    """Re-running a partition whose file already left the mailbox: its documents are in the ledger.
    Documents that were unreadable are read again (the cause, e.g. an unknown partner, may be fixed)."""
    known = ledger.file_documents(path)
    if not known:
        raise InboundDocumentError(f"{name}: not in the SPS mailbox and never fetched", [])
    results: list[DocumentResult] = []
    versions = {v: ledger.version(v) for _, v in known}
    for document_id, version_id in known:
        doc = ledger.document(document_id)
        if doc.business_key.startswith("unreadable:"):
            results += _reread(config, ledger, path, name, doc, version_id)
        else:
            results.append(
                DocumentResult(
                    name,
                    "stored",
                    doc.trading_partner_id,
                    doc.business_key,
                    document_id,
                    version_id,
                    content_hash=versions[version_id].content_hash,
                )
            )
    _note(ledger, path, b"".join(versions[v].payload for _, v in known), results)
    if failure := _failure(results):
        raise failure
    return results


def _reread(
    config: QbspsConfig, ledger: Ledger, path: str, name: str, doc: DocumentRecord, version_id: int
) -> list[DocumentResult]:
    """A quarantined payload read again. One that reads as several documents (or none) is a piece
    of a plural file, not a file of its own: it stays the one quarantine it was."""
    payload = ledger.version(version_id).payload
    try:
        items = _read(config, name, payload)
    except Exception:  # still unreadable: _process quarantines it again (the same row, by hash)
        items = None
    if items is not None and len(items) != 1:
        return [DocumentResult(name, "quarantined", None, None, doc.id, version_id, reason=doc.reason)]
    return _process(config, ledger, path, name, payload)


def _note(ledger: Ledger, path: str, raw: bytes, results: list[DocumentResult]) -> None:
    pairs = [(r.document_id, r.version_id) for r in results if r.document_id is not None and r.version_id]
    ledger.note_file(path, hashlib.sha256(raw).hexdigest(), pairs)


def _failure(results: list[DocumentResult]) -> InboundDocumentError | None:
    problems = [r.reason or f"{r.source}: {r.outcome}" for r in results if r.failed]
    return InboundDocumentError("; ".join(problems), results) if problems else None


def _record(
    config: QbspsConfig, ledger: Ledger, path: str, name: str, raw: bytes | None, document: RsxDocument
) -> DocumentResult:
    order = document.order
    assert order is not None  # read_rsx(doc_type="Order") guarantees it
    header = order.header
    # One file may hold several orders (plural wrapper): each version keeps its own document.
    payload = raw if raw is not None else _serialize(document)

    def hold(reason: str) -> DocumentResult:
        return _quarantined(
            ledger,
            path,
            name,
            payload,
            reason,
            document.format,
            header.TradingPartnerId,
            header.PurchaseOrderNumber,
        )

    if header.TsetPurposeCode not in KNOWN_CODES:
        return hold(
            f"{name}: Header.OrderHeader.TsetPurposeCode: {header.TsetPurposeCode!r} is not supported "
            "(expected 00, 01, 05 or 07)"
        )
    try:
        config.partner(header.TradingPartnerId)
    except UnknownTradingPartnerError as exc:
        return hold(f"{name}: Header.OrderHeader.TradingPartnerId: {exc}")
    try:
        warnings = tuple(w for w in [order_totals(order, document=name).warning] if w)
    except ArithmeticError as exc:  # numbers the reader let through but the totals cannot hold
        return hold(f"{name}: the order's totals cannot be computed ({type(exc).__name__})")
    version = content_hash(document)
    outcome = ledger.record_inbound(
        "Order",
        header.TradingPartnerId,
        header.PurchaseOrderNumber,
        payload,
        tset_purpose_code=header.TsetPurposeCode,
        format=document.format,
        source_path=path,
        content_hash=version,
        warnings=warnings,
    )
    label = "duplicate" if outcome.duplicate else "stored"
    return DocumentResult(
        name,
        label,
        header.TradingPartnerId,
        header.PurchaseOrderNumber,
        outcome.document_id,
        outcome.version_id,
        content_hash=version,
        reason=outcome.reason,
    )


def _serialize(document: RsxDocument) -> bytes:
    if document.format == "xml":
        return to_xml(document.doc_type, document.data)
    return to_json(document.doc_type, document.data)


def _guess_format(raw: bytes) -> str:
    text = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "xml" if text == b"<" else "json" if text in (b"{", b"[") else "unknown"
