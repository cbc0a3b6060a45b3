"""The QBO webhook endpoint: verify, parse, store in the ledger inbox, answer — nothing more.

Intuit wants a 200 within 3 seconds or it re-sends (qbo.md §4.6), so the request path makes no
QBO call: it verifies the signature over the raw body, stores every event in ONE short ledger
transaction per company and answers. Sensors turn the inbox into runs later. A 5xx (a ledger
unavailable) makes Intuit retry the batch, which is what we want: what was not stored arrives
again, and what was is not stored twice (the inbox dedups by event).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from time import perf_counter

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..changes import ChangeParseError
from ..ledger import Ledger
from .events import parse_webhook_body
from .verify import SIGNATURE_HEADER, is_valid_signature

WEBHOOK_PATH = "/webhooks/qbo"
HEALTH_PATH = "/health"
MAX_BODY_BYTES = 4 * 1024 * 1024  # Intuit sends at most ~1 MB (100 CloudEvents) per POST

log = logging.getLogger(__name__)


@dataclass
class ReceiverStats:
    """Counters for /health and the operator: what arrived and what was refused."""

    accepted_posts: int = 0
    rejected_signatures: int = 0
    unreadable_bodies: int = 0
    events_received: int = 0
    events_new: int = 0
    events_ignored: int = 0  # events of companies this receiver does not serve
    last_store_ms: float | None = None

    def as_dict(self) -> dict[str, int | float | None]:
        return {
            "accepted_posts": self.accepted_posts,
            "rejected_signatures": self.rejected_signatures,
            "unreadable_bodies": self.unreadable_bodies,
            "events_received": self.events_received,
            "events_new": self.events_new,
            "events_ignored": self.events_ignored,
            "last_store_ms": self.last_store_ms,
        }


@dataclass(frozen=True)
class WebhookRoute:
    """Where one company's events go: the ledger of the company with these realm ids."""

    realm_ids: frozenset[str]
    ledger_factory: Callable[[], Ledger]


def webhook_app(
    ledger_factory: Callable[[], Ledger], verifier_token: str, realm_ids: Iterable[str]
) -> Starlette:
    """The receiver of one company as an ASGI app (see `routed_webhook_app`)."""
    return routed_webhook_app([WebhookRoute(frozenset(realm_ids), ledger_factory)], verifier_token)


def routed_webhook_app(routes: Sequence[WebhookRoute], verifier_token: str) -> Starlette:
    """The receiver as an ASGI app, for every company one Intuit app serves: Intuit posts the events
    of all its companies to one endpoint, so each event is stored in the ledger of the company whose
    realm it names. The ledgers are opened at startup and closed at shutdown; events of realms no
    route names are acknowledged but not stored."""
    if not verifier_token:
        raise ValueError("the QBO webhook verifier token is empty (config qbo.webhook_verifier_token)")
    if not routes or not all(route.realm_ids for route in routes):
        raise ValueError("the webhook receiver needs at least one QBO realm id to accept events for")
    realms = [realm for route in routes for realm in route.realm_ids]
    if shared := sorted({realm for realm in realms if realms.count(realm) > 1}):
        raise ValueError(f"QBO realm {', '.join(shared)} is routed to two ledgers: its events would cross")
    stats = ReceiverStats()
    ledgers: dict[int, Ledger] = {}  # route index -> its open ledger

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            for index, route in enumerate(routes):
                ledgers[index] = await run_in_threadpool(route.ledger_factory)
            yield
        finally:
            for ledger in ledgers.values():
                ledger.close()
            ledgers.clear()

    async def receive(request: Request) -> Response:
        body = await _read_body(request)
        if body is None:
            return _error(413, f"webhook body larger than {MAX_BODY_BYTES} bytes")
        # Verify the exact bytes received, before any parsing: a forged body is never even read.
        if not is_valid_signature(body, request.headers.get(SIGNATURE_HEADER), verifier_token):
            stats.rejected_signatures += 1
            log.warning("QBO webhook refused: missing or wrong %s header", SIGNATURE_HEADER)
            return _error(401, f"missing or invalid {SIGNATURE_HEADER}")
        try:
            events = parse_webhook_body(body)
        except ChangeParseError as exc:
            stats.unreadable_bodies += 1
            log.error("QBO webhook body not readable: %s", exc)
            return _error(400, str(exc))
        routed = [[event for event in events if event.realm_id in route.realm_ids] for route in routes]
        started = perf_counter()
        new = 0
        try:
            for index, ours in enumerate(routed):
                if ours:
                    new += await run_in_threadpool(ledgers[index].record_changes, ours)
        except Exception as exc:  # a 5xx makes Intuit deliver the batch again; the inbox dedups it
            log.error(
                "QBO webhook events not stored (%s); answering 503 so Intuit retries", type(exc).__name__
            )
            return _error(503, "a ledger is unavailable; nothing was stored for its company")
        stored = sum(len(ours) for ours in routed)
        stats.last_store_ms = round((perf_counter() - started) * 1000, 3)
        stats.accepted_posts += 1
        stats.events_received += len(events)
        stats.events_new += new
        stats.events_ignored += len(events) - stored
        return JSONResponse({"received": len(events), "new": new, "ignored": len(events) - stored})

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", **stats.as_dict()})

    app = Starlette(
        routes=[
            Route(WEBHOOK_PATH, receive, methods=["POST"]),
            Route(HEALTH_PATH, health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.stats = stats
    return app


async def _read_body(request: Request) -> bytes | None:
    """The raw body, or None once it passes MAX_BODY_BYTES (checked while streaming, so a huge or
    chunked body is refused without being held in memory)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)
