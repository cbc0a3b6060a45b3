"""Transaction API v5 over HTTP: ``/transactions/v5/data/{path}`` and ``/transactions/v5/history``.

A path ending in ``/`` (or the empty root) is a folder and GET lists it, cursor-paged; any other
path is a file: GET downloads its bytes exactly as stored, POST uploads
(``application/octet-stream`` only, 201 ``{path, url}``, the same path overwrites), DELETE
removes it (204). Every call needs a live bearer token.
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import urlencode

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .auth import TokenService
from .errors import ErrorShape
from .history import DATA_PREFIX, parse_bound
from .mailbox import Entry, MailboxError
from .service import SpsMailboxService
from .usage import SpsUsage, data_call_kind

MAX_LIMIT = 1000
HISTORY_DEFAULT_LIMIT = 100
META_PREFIX = "sps-meta-"


class BadRequest(ValueError):
    pass


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def encode_cursor(folder: str, after: str) -> str:
    raw = json.dumps({"d": folder, "a": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, folder: str) -> str:
    """The last name of the previous page; refuses cursors of another folder."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("d") != folder or not isinstance(data.get("a"), str):
            raise BadRequest
        return data["a"]
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"The cursor '{cursor}' is not valid for '/{folder}'.") from exc


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"'{name}' must be an integer, got '{raw}'.") from exc
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadRequest(f"'{name}' must be {bound}, got {value}.")
    return value


class TransactionRoutes:
    def __init__(
        self, service: SpsMailboxService, tokens: TokenService, shape: ErrorShape, usage: SpsUsage
    ) -> None:
        self.service = service
        self.tokens = tokens
        self.shape = shape
        self.usage = usage

    def routes(self) -> list[Route]:
        return [
            Route("/transactions/v5/history", self.history, methods=["GET"]),
            Route(DATA_PREFIX + "{path:path}", self.data, methods=["GET", "POST", "DELETE", "PUT", "PATCH"]),
        ]

    async def data(self, request: Request) -> Response:
        if not self.tokens.bearer_ok(request):
            return self.shape.invalid_token(request)
        path: str = request.path_params["path"]
        is_folder = path == "" or path.endswith("/")
        if kind := data_call_kind(request.method, is_folder):
            self.usage.count(kind)
        try:
            if request.method in ("GET", "HEAD"):
                return self._list(request, path) if is_folder else self._download(path)
            if request.method == "POST":
                return await self._upload(request, path, is_folder)
            if request.method == "DELETE":
                if is_folder:
                    raise BadRequest(f"'/{path}' is a directory; only files can be deleted.")
                self.service.delete(path)
                return Response(status_code=204)
            return self.shape.respond(request, 405, f"Method {request.method} is not allowed on '/{path}'.")
        except BadRequest as exc:
            return self.shape.respond(request, 400, str(exc))
        except MailboxError as exc:
            return self.shape.respond(request, exc.status, exc.detail)

    def _entry(self, request: Request, entry: Entry) -> dict:
        return {
            "path": "/" + entry.path,
            "type": "directory" if entry.is_dir else "file",
            "url": base_url(request) + DATA_PREFIX + entry.path,
        }

    def _list(self, request: Request, folder: str) -> Response:
        limit = _int_param(request, "limit", MAX_LIMIT, 1, MAX_LIMIT)
        prefix = request.query_params.get("entryNamePrefix", "")
        cursor = request.query_params.get("cursor")
        after = decode_cursor(cursor, folder) if cursor else None
        entries, more = self.service.mailbox.page(folder, limit, after=after, prefix=prefix)
        paging: dict = {"limit": limit}
        if more and entries:
            stuck = cursor if cursor and self.service.repeat_cursor else None
            next_cursor = stuck or encode_cursor(folder, entries[-1].name)
            query = {"limit": limit, "cursor": next_cursor}
            if prefix:
                query["entryNamePrefix"] = prefix
            paging["next"] = {
                "cursor": next_cursor,
                "url": base_url(request) + DATA_PREFIX + folder + "?" + urlencode(query),
            }
        return JSONResponse({"results": [self._entry(request, e) for e in entries], "paging": paging})

    def _download(self, path: str) -> Response:
        stored = self.service.mailbox.get(path)
        headers = {META_PREFIX + key: value for key, value in stored.meta.items()}
        return Response(stored.content, media_type="application/octet-stream", headers=headers)

    async def _upload(self, request: Request, path: str, is_folder: bool) -> Response:
        if is_folder:
            raise BadRequest(f"'/{path}' is a directory path; uploads need a file path.")
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/octet-stream":
            return self.shape.respond(
                request,
                415,
                f"Content-Type '{content_type or '(none)'}' is not supported; "
                "the only allowed value is application/octet-stream.",
            )
        try:
            content = await request.body()
        except ClientDisconnect:  # the client died mid-upload (a SIGKILL): nothing is stored, as on SPS
            return Response(status_code=400)
        meta = {
            key[len(META_PREFIX) :]: value
            for key, value in request.headers.items()
            if key.lower().startswith(META_PREFIX)
        }
        stored_path, _ = self.service.upload(path, content, meta)
        url = base_url(request) + DATA_PREFIX + stored_path
        return JSONResponse({"path": "/" + stored_path, "url": url}, status_code=201)

    async def history(self, request: Request) -> Response:
        if not self.tokens.bearer_ok(request):
            return self.shape.invalid_token(request)
        self.usage.count("history")
        try:
            limit = _int_param(request, "limit", HISTORY_DEFAULT_LIMIT, 1, MAX_LIMIT)
            offset = _int_param(request, "offset", 0, 0, None)
            bounds = {}
            for name in ("after", "until"):
                raw = request.query_params.get(name)
                bounds[name] = parse_bound(raw) if raw else None
        except ValueError as exc:  # BadRequest or an unparseable date-time
            return self.shape.respond(request, 400, str(exc))
        entries = self.service.history.published(after=bounds["after"], until=bounds["until"])
        page = entries[offset : offset + limit]
        paging: dict = {"offset": offset, "limit": limit, "total_count": len(entries)}
        if offset + limit < len(entries):
            query = {k: v for k, v in request.query_params.items() if k not in ("offset", "limit")}
            query.update({"limit": str(limit), "offset": str(offset + limit)})
            paging["next"] = {
                "offset": offset + limit,
                "url": base_url(request) + "/transactions/v5/history?" + urlencode(query),
            }
        return JSONResponse({"results": [e.as_item(base_url(request)) for e in page], "paging": paging})
