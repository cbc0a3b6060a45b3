"""The Transaction API calls the account made, by kind: ``GET /_sandbox/sps/usage`` ->
``{lists, downloads, uploads, deletes, history, tokens, total}``. Only calls with a live bearer
token are counted (``tokens``: tokens issued); a new sandbox (or its reset) starts at zero."""

from __future__ import annotations

import threading
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

CONTROL_PATH = "/_sandbox/sps/usage"
KINDS = ("lists", "downloads", "uploads", "deletes", "history")


class SpsUsage:
    def __init__(self, tokens_issued: Callable[[], int]) -> None:
        self._tokens_issued = tokens_issued
        self._counts = dict.fromkeys(KINDS, 0)
        self._lock = threading.Lock()

    def count(self, kind: str) -> None:
        with self._lock:
            self._counts[kind] += 1

    def report(self) -> dict[str, int]:
        with self._lock:
            counts = dict(self._counts)
        counts["tokens"] = self._tokens_issued()
        return {**counts, "total": sum(counts.values())}

    def routes(self) -> list[Route]:
        async def usage(_: Request) -> Response:
            return JSONResponse(self.report())

        return [Route(CONTROL_PATH, usage, methods=["GET"])]


def data_call_kind(method: str, is_folder: bool) -> str | None:
    """The kind of a ``/transactions/v5/data/...`` call (None: one the API refuses outright)."""
    if method in ("GET", "HEAD"):
        return "lists" if is_folder else "downloads"
    return {"POST": "uploads", "DELETE": "deletes"}.get(method)
