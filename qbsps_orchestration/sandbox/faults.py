"""Latency and error injection shared by both sandbox servers.

Faults are either scripted (the next N matching calls fail) or a rate (each matching call fails
with probability p). Each server supplies how a fault body looks on its own wire (QBO answers 429
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
from starlette.types import ASGIApp, Receive, Scope, Send

CONTROL_PREFIX = "/_sandbox"

FaultBody = Callable[[Request, int, int | None], Response]


@dataclass
class FaultRule:
    status: int
    count: int | None = 1  # scripted: how many more calls fail; None with a rate = unlimited
    rate: float | None = None  # probability per matching call; None = scripted
    path_prefix: str = ""
    method: str | None = None
    retry_after: int | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return path.startswith(self.path_prefix)


@dataclass
class FaultInjector:
    latency_ms: int = 0
    rules: list[FaultRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def add(self, rule: FaultRule) -> FaultRule:
        if rule.status < 400:
            raise ValueError("an injected fault needs an error status (>= 400)")
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

    def __init__(self, app: ASGIApp, faults: FaultInjector, fault_body: FaultBody) -> None:
        self.app = app
        self.faults = faults
        self.fault_body = fault_body

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
        request = Request(scope, receive)
        response = self.fault_body(request, rule.status, rule.retry_after)
        if rule.retry_after is not None:
            response.headers["Retry-After"] = str(rule.retry_after)
        await response(scope, receive, send)
