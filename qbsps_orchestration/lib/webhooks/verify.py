"""The ``intuit-signature`` check: base64(HMAC-SHA256(key=verifier token, message=raw body)).

Always over the exact bytes received: re-serialised JSON no longer matches (qbo.md §4.5).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

SIGNATURE_HEADER = "intuit-signature"


def signature_of(body: bytes, verifier_token: str) -> str:
    """The header value Intuit sends for ``body``."""
    digest = hmac.new(verifier_token.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def is_valid_signature(body: bytes, signature: str | None, verifier_token: str) -> bool:
    """True only for the right signature; compared in constant time so timing leaks nothing."""
    if not signature or not verifier_token:
        return False
    expected = signature_of(body, verifier_token).encode("ascii")
    # Bytes, not str: compare_digest refuses non-ASCII str, and a header can carry any byte.
    return hmac.compare_digest(expected, signature.strip().encode("utf-8", "surrogateescape"))
