"""QBO DocNumber for a retailer PO number.

Retail PO numbers can be 22 characters and two retailers can use the same number, while QBO's
DocNumber holds 21 and may have to be unique. So the PO number itself is used when it fits, and a
deterministic fallback (PO prefix + digest of partner and PO) when it does not fit or is taken.
Either way the full PO number stays on the document (Memo) and a marker in PrivateNote says which
order the QBO document is, so a bookkeeper finds it by the retailer's number and qbsps can tell its
own document from someone else's that happens to carry the same DocNumber.
"""

from __future__ import annotations

import base64
import hashlib

DOC_NUMBER_MAX = 21
_DIGEST_CHARS = 6


def primary_doc_number(po_number: str) -> str | None:
    return po_number if len(po_number) <= DOC_NUMBER_MAX else None


def fallback_doc_number(trading_partner_id: str, po_number: str) -> str:
    digest = hashlib.sha256(f"{trading_partner_id}\x1f{po_number}".encode()).digest()
    code = base64.b32encode(digest).decode()[:_DIGEST_CHARS]
    keep = DOC_NUMBER_MAX - _DIGEST_CHARS - 1
    return f"{po_number[:keep]}-{code}"


def doc_number_candidates(trading_partner_id: str, po_number: str) -> list[str]:
    """In order of preference; the last is always available to qbsps alone."""
    primary = primary_doc_number(po_number)
    fallback = fallback_doc_number(trading_partner_id, po_number)
    return [primary, fallback] if primary else [fallback]


def order_marker(trading_partner_id: str, po_number: str) -> str:
    """The line in PrivateNote that identifies the order a QBO document was made from."""
    return f"qbsps order {trading_partner_id}/{po_number}"
