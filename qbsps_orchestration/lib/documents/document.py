"""One outbound RSX document, ready to be checked and uploaded to SPS `in/`.

The file name is deterministic (the same QBO transaction always gives the same name), so an upload
that is retried after a crash overwrites itself instead of sending the document twice.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from ..rsx import to_json, to_xml

RsxFormat = Literal["json", "xml"]
RSX_VERSION = "7.7"
# SPS mailbox paths are case-sensitive URLs; anything beyond these characters is replaced.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")

# File name prefixes SPS uses for each document family (IN123456-1-v7.7-...json in its samples).
FILE_PREFIXES = {"Invoice": "IN", "OrderAck": "PR", "Shipment": "SH", "ItemRegistry": "IB"}


@dataclass
class OutboundDocument:
    """An RSX document built from QBO data. `data` is the element tree with RSX names (Decimal
    money); `build_problems` are what the builder found wrong with its input; `problems` (set by
    `rules.validate`) are every reason not to send it, each ``<file name>: <RSX path>: <reason>``."""

    doc_type: str
    trading_partner_id: str
    business_key: str  # InvoiceNumber, PurchaseOrderNumber or ShipmentIdentification
    data: dict[str, Any]
    file_name: str
    format: RsxFormat
    build_problems: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    validated: bool = False

    def content(self) -> bytes:
        """The bytes to upload, in the partner's format (XML in the RSX namespace, singular root)."""
        if self.format == "xml":
            return to_xml(self.doc_type, self.data)
        return to_json(self.doc_type, self.data)

    @property
    def ready(self) -> bool:
        """True once validated without a single problem: only then may it be sent."""
        return self.validated and not self.problems

    def problem(self, path: str, reason: str) -> None:
        """Record a build problem at an RSX path, in the operator-facing form."""
        self.build_problems.append(located(self.file_name, path, reason))

    def warn(self, path: str, reason: str) -> None:
        self.warnings.append(located(self.file_name, path, reason))


def located(file_name: str, path: str, reason: str) -> str:
    return f"{file_name}: {path}: {reason}"


def outbound_file_name(doc_type: str, key: str, trading_partner_id: str, fmt: RsxFormat) -> str:
    """``IN{key}-{TradingPartnerId}-v7.7.json`` and the like. Characters SPS paths dislike become
    ``_``; when that changes the key, a short hash of the original keeps two keys that differ
    only there (``A/1`` and ``A 1``) from sharing a file."""
    if fmt not in ("json", "xml"):
        raise ValueError(f"RSX format must be 'json' or 'xml', got {fmt!r}")
    safe_key, safe_partner = _UNSAFE.sub("_", key), _UNSAFE.sub("_", trading_partner_id)
    if (safe_key, safe_partner) != (key, trading_partner_id):
        digest = hashlib.sha256(f"{key}\x00{trading_partner_id}".encode()).hexdigest()[:8]
        safe_key = f"{safe_key}_{digest}"
    return f"{FILE_PREFIXES[doc_type]}{safe_key}-{safe_partner}-v{RSX_VERSION}.{fmt}"


def revision_file_name(file_name: str, revision: int) -> str:
    """The name one version (1-based revision) of a document is uploaded under. The first keeps
    the plain name; later ones add ``-r<n>``, so each version has its own path: a later upload never
    overwrites an earlier one still waiting in `in/`, and SPS's history of a path can only show
    that version's uploads (the landing check relies on it)."""
    if revision <= 1:
        return file_name
    stem, _, extension = file_name.rpartition(".")
    return f"{stem}-r{revision}.{extension}"
