"""Wire details shared by the sandbox's OAuth endpoints: client authentication, bodies, errors."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import uuid
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...settings import QboSandboxSettings

# Token responses must never be cached (RFC 6749 §5.1); Intuit sends the same headers.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def intuit_tid() -> str:
    """A fresh transaction id; Intuit puts one on every response and support asks for it."""
    return f"1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}"


def oauth_json(body: dict, status_code: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        body, status_code=status_code, headers={**NO_STORE, "intuit_tid": intuit_tid(), **(headers or {})}
    )


def oauth_error(error: str, status_code: int, description: str | None = None) -> JSONResponse:
    body = {"error": error}
    if description:
        body["error_description"] = description
    extra = {"WWW-Authenticate": 'Basic realm="Intuit"'} if error == "invalid_client" else None
    return oauth_json(body, status_code, extra)


def empty_ok() -> Response:
    return Response(status_code=200, headers={"intuit_tid": intuit_tid()})


async def form_fields(request: Request) -> dict[str, str]:
    """The x-www-form-urlencoded body as a dict (parsed by hand: no python-multipart needed)."""
    raw = (await request.body()).decode("utf-8", errors="replace")
    return dict(parse_qsl(raw, keep_blank_values=True))


async def json_object(request: Request) -> dict:
    """A JSON object body; raises ValueError naming what is wrong."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"body is not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    return data


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """(client_id, client_secret) from an HTTP Basic header, or None when absent or malformed."""
    if not authorization:
        return None
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def authenticate_client(request: Request, fields: dict[str, str], settings: QboSandboxSettings) -> str | None:
    """The client_id when the app authenticated by client_secret_basic or client_secret_post."""
    credentials = basic_credentials(request.headers.get("authorization"))
    if credentials is None and "client_id" in fields:
        credentials = (fields["client_id"], fields.get("client_secret", ""))
    if credentials is None:
        return None
    client_id, secret = credentials
    # Compare both parts in constant time so a timing probe learns nothing about either.
    id_ok = hmac.compare_digest(client_id.encode(), settings.client_id.encode())
    secret_ok = hmac.compare_digest(secret.encode(), settings.client_secret.encode())
    return client_id if id_ok and secret_ok else None


def wants_hard_expiry(request: Request) -> bool:
    return request.headers.get("x-include-refresh-token-hard-expires-in", "").strip().lower() == "true"
