"""SPS-specific sandbox controls under ``/_sandbox/sps/`` (beside the common clock/fault routes).

- ``GET  /_sandbox/sps/files?prefix=out/PO/``  every stored file with size, time and metadata
- ``GET  /_sandbox/sps/file?path=in/x.xml``    one file's bytes
- ``POST /_sandbox/sps/deliver`` ``{"path", "content_base64"}``  SPS delivers a document
- ``POST /_sandbox/sps/mkdir`` ``{"path"}``     create a folder (SPS provisions folders)
- ``GET  /_sandbox/sps/history``               the whole history, unpaged (never lagged)
- ``GET|POST /_sandbox/sps/history-lag`` ``{"seconds": N}``  the public history lags N seconds
- ``GET|POST /_sandbox/sps/error-shape`` ``{"shape": "problem"|"legacy"}``
- ``GET|POST /_sandbox/sps/listing`` ``{"repeat_cursor": true}``  listings hand back the cursor they got
- ``GET|POST /_sandbox/sps/auth`` ``{"token_lifetime", "token_requests_per_minute", "revoke_tokens"}``
"""

from __future__ import annotations

import base64
import binascii

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .auth import TokenService
from .errors import ErrorShape
from .history import DATA_PREFIX, format_timestamp
from .mailbox import MailboxError
from .service import SpsMailboxService
from .transactions import base_url


def _bad(reason: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)


async def _body(request: Request) -> dict:
    raw = await request.body()
    data = await request.json() if raw else {}
    if not isinstance(data, dict):
        raise ValueError("control body must be a JSON object")
    return data


def sps_control_routes(service: SpsMailboxService, tokens: TokenService, shape: ErrorShape) -> list[Route]:
    async def files(request: Request) -> Response:
        prefix = request.query_params.get("prefix", "").lstrip("/")
        listed = [
            {
                "path": "/" + path,
                "size": len(stored.content),
                "modified": format_timestamp(stored.modified),
                "meta": stored.meta,
            }
            for path, stored in service.mailbox.snapshot("")
            if path.startswith(prefix)
        ]
        return JSONResponse({"files": listed})

    async def file(request: Request) -> Response:
        try:
            stored = service.mailbox.get(request.query_params.get("path", ""))
        except MailboxError as exc:
            return _bad(exc.detail, exc.status)
        return Response(stored.content, media_type="application/octet-stream")

    async def deliver(request: Request) -> Response:
        try:
            data = await _body(request)
            content = base64.b64decode(data["content_base64"], validate=True)
            path = service.deliver(str(data["path"]), content)
        except (KeyError, ValueError, TypeError, binascii.Error) as exc:
            return _bad(f"give path and content_base64: {exc}")
        except MailboxError as exc:
            return _bad(exc.detail, exc.status)
        url = base_url(request) + DATA_PREFIX + path
        return JSONResponse({"path": "/" + path, "url": url}, status_code=201)

    async def mkdir(request: Request) -> Response:
        try:
            service.mailbox.mkdir(str((await _body(request))["path"]))
        except (KeyError, ValueError, TypeError) as exc:
            return _bad(f"give path: {exc}")
        except MailboxError as exc:
            return _bad(exc.detail, exc.status)
        return Response(status_code=201)

    async def history(request: Request) -> Response:
        return JSONResponse({"results": [e.as_item(base_url(request)) for e in service.history.query()]})

    async def history_lag(request: Request) -> Response:
        if request.method == "POST":
            try:
                seconds = float((await _body(request))["seconds"])
                if seconds < 0:
                    raise ValueError("seconds must be >= 0")
            except (KeyError, ValueError, TypeError) as exc:
                return _bad(f"give seconds (>= 0): {exc}")
            service.history.lag_seconds = seconds
        return JSONResponse({"seconds": service.history.lag_seconds})

    async def error_shape(request: Request) -> Response:
        if request.method == "POST":
            try:
                shape.set(str((await _body(request))["shape"]))
            except (KeyError, ValueError, TypeError) as exc:
                return _bad(f"give shape 'problem' or 'legacy': {exc}")
        return JSONResponse({"shape": shape.shape})

    async def auth(request: Request) -> Response:
        if request.method == "POST":
            try:
                data = await _body(request)
                lifetime = data.get("token_lifetime")
                per_minute = data.get("token_requests_per_minute")
                tokens.configure(
                    token_lifetime=None if lifetime is None else int(lifetime),
                    requests_per_minute=None if per_minute is None else int(per_minute),
                )
                if data.get("revoke_tokens"):
                    tokens.revoke_all()
            except (ValueError, TypeError) as exc:
                return _bad(f"bad auth settings: {exc}")
        return JSONResponse(tokens.describe())

    async def listing(request: Request) -> Response:
        if request.method == "POST":
            try:
                service.repeat_cursor = bool((await _body(request))["repeat_cursor"])
            except (KeyError, ValueError, TypeError) as exc:
                return _bad(f"give repeat_cursor true or false: {exc}")
        return JSONResponse({"repeat_cursor": service.repeat_cursor})

    return [
        Route("/_sandbox/sps/listing", listing, methods=["GET", "POST"]),
        Route("/_sandbox/sps/files", files, methods=["GET"]),
        Route("/_sandbox/sps/file", file, methods=["GET"]),
        Route("/_sandbox/sps/deliver", deliver, methods=["POST"]),
        Route("/_sandbox/sps/mkdir", mkdir, methods=["POST"]),
        Route("/_sandbox/sps/history", history, methods=["GET"]),
        Route("/_sandbox/sps/history-lag", history_lag, methods=["GET", "POST"]),
        Route("/_sandbox/sps/error-shape", error_shape, methods=["GET", "POST"]),
        Route("/_sandbox/sps/auth", auth, methods=["GET", "POST"]),
    ]
