"""Latency and error injection shared by both sandbox servers.

Faults are either scripted (the next N matching calls fail) or a rate (each matching call fails
with probability p). A fault answers an error status or drops the connection mid-answer, either
before the call reaches the server or after it was applied (``after_apply``: the write landed but
its answer is lost, which is what a client must survive without writing twice). Two more kinds
let the call through: a slow answer (``delay_ms``: applied at once, answered late, so a client
that gives up first has lost the answer of a write that landed) and a concurrent edit (the server
changes the object the call names just before the call reaches it, as a person saving the same
record in between: QBO answers the stale SyncToken with its real 5010).

Each server supplies how a fault body looks on its own wire (QBO answers 429
with an XML ThrottleExceeded body, SPS with problem+json), so clients meet the real shapes.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTROL_PREFIX = "/_sandbox"

FaultBody = Callable[[Request, int, int | None], Response]
# Edits the object a call names (path, request body) before the call goes on; servers without
# editable objects supply none and refuse the fault kind.
ConcurrentEdit = Callable[[str, bytes], None]


@dataclass
class FaultRule:
    status: int = 0  # the error answered; unused when the connection is dropped
    count: int | None = 1  # scripted: how many more calls fail; None with a rate = unlimited
    rate: float | None = None  # probability per matching call; None = scripted
    path_prefix: str = ""
    method: str | None = None
    retry_after: int | None = None
    drop: bool = False  # cut the connection instead of answering
    after_apply: bool = False  # let the server apply the call first, then lose or fail its answer
    delay_ms: int = 0  # a slow answer: the call is applied, its answer held this long
    concurrent_edit: bool = False  # someone else saves the named object just before the call
    hits: int = 0

    @property
    def lets_through(self) -> bool:
        """Slow answers and concurrent edits reach the server and answer as it does."""
        return self.delay_ms > 0 or self.concurrent_edit

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return path.startswith(self.path_prefix)


@dataclass
class FaultInjector:
    latency_ms: int = 0
    rules: list[FaultRule] = field(default_factory=list)
    edits_objects: bool = False  # set by a server that can play a concurrent edit
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def add(self, rule: FaultRule) -> FaultRule:
        if not (rule.drop or rule.status >= 400 or rule.lets_through):
            raise ValueError("an injected fault needs an error status (>= 400), a drop, a delay or an edit")
        if rule.delay_ms < 0:
            raise ValueError("delay_ms must not be negative")
        if rule.concurrent_edit and not self.edits_objects:
            raise ValueError("this server has no objects another person could edit")
        if rule.rate is not None and not 0.0 <= rule.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def seed(self, value: int) -> None:
        self._random.seed(value)

    def pick(self, method: str, path: str) -> FaultRule | None:
        """The rule that fails this call, consuming one scripted use; None lets the call through."""
        with self._lock:
            for rule in list(self.rules):
                if not rule.matches(method, path):
                    continue
                if rule.rate is not None:
                    if self._random.random() >= rule.rate:
                        continue
                elif rule.count is not None:
                    rule.count -= 1
                    if rule.count <= 0:
                        self.rules.remove(rule)
                rule.hits += 1
                return rule
        return None

    def describe(self) -> dict:
        with self._lock:
            return {"latency_ms": self.latency_ms, "rules": [_public(r) for r in self.rules]}


def _public(rule: FaultRule) -> dict:
    return asdict(rule)


class FaultMiddleware:
    """Pure ASGI middleware: adds latency and answers injected faults before the app sees a call.

    The control API under ``/_sandbox/`` is never delayed or failed, so tests can always reach it.
    """

    def __init__(
        self,
        app: ASGIApp,
        faults: FaultInjector,
        fault_body: FaultBody,
        concurrent_edit: ConcurrentEdit | None = None,
    ) -> None:
        self.app = app
        self.faults = faults
        self.fault_body = fault_body
        self.concurrent_edit = concurrent_edit
        faults.edits_objects = concurrent_edit is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        if self.faults.latency_ms > 0:
            await asyncio.sleep(self.faults.latency_ms / 1000)
        rule = self.faults.pick(scope["method"], scope["path"])
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule.lets_through:
            await self._let_through(rule, scope, receive, send)
            return
        if rule.after_apply:
            await self.app(scope, receive, _discard)  # applied; its answer never reaches the client
        if rule.drop:
            await _drop(send)
            return
        request = Request(scope, receive)
        response = self.fault_body(request, rule.status, rule.retry_after)
        if rule.retry_after is not None:
            response.headers["Retry-After"] = str(rule.retry_after)
        await response(scope, receive, send)

    async def _let_through(self, rule: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
        if rule.concurrent_edit:
            body = await _read_body(receive)
            if self.concurrent_edit is not None:
                await asyncio.to_thread(self.concurrent_edit, scope["path"], body)
            receive = _replay(body, receive)
        if rule.delay_ms <= 0:
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)  # applied now; the client hears of it only later
        await asyncio.sleep(rule.delay_ms / 1000)
        for message in held:
            await send(message)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, then: Receive) -> Receive:
    """The body already read, once; afterwards whatever the connection says (e.g. a disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await then()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _discard(message: Message) -> None:
    return None


async def _drop(send: Send) -> None:
    """Promise a body, send a byte of it and stop: the server closes the connection, so the client
    sees the answer cut off (httpx: RemoteProtocolError), as when a connection dies mid-answer."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1024")]})
    await send({"type": "http.response.body", "body": b"{", "more_body": True})
