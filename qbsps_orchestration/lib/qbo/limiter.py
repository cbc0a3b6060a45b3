"""Client-side throttle per company: stay under QBO's 10 requests/s and 500/min (and 40 batch/min)
instead of learning the limits from 429s.

``SharedBudgetLimiter`` keeps the budget in the ledger's database, so every process and host of one
company draws from it together: what production wires (lib/connector.py). ``SlidingWindowLimiter``
keeps it in this process only (thread-safe; one per realm per process): for a client built
without a ledger, such as tests against the sandbox.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from ..ledger import Ledger

# A margin under 10/s and 500/min: other apps of the same company share the per-realm budget.
QBO_REQUEST_LIMITS: list[tuple[int, float]] = [(8, 1.0), (450, 60.0)]
QBO_BATCH_LIMITS: list[tuple[int, float]] = [(36, 60.0)]


class Limiter(Protocol):
    def acquire(self) -> float:
        """Block until a call is allowed, record it, and return how long it waited."""
        ...


class SlidingWindowLimiter:
    def __init__(
        self,
        limits: list[tuple[int, float]],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``limits``: (max calls, window seconds) pairs that must all hold."""
        self._limits = limits
        self._calls: deque[float] = deque()
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._horizon = max(window for _, window in limits)

    def acquire(self) -> float:
        """Block until a call is allowed, record it, and return how long it waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._calls and now - self._calls[0] >= self._horizon:
                    self._calls.popleft()
                delay = self._delay(now)
                if delay <= 0:
                    self._calls.append(now)
                    return waited
            self._sleep(delay)
            waited += delay

    def _delay(self, now: float) -> float:
        delay = 0.0
        for max_calls, window in self._limits:
            recent = [t for t in self._calls if now - t < window]
            if len(recent) >= max_calls:
                delay = max(delay, recent[-max_calls] + window - now)
        return delay


_SHARED: dict[tuple[str, str], SlidingWindowLimiter] = {}
_SHARED_LOCK = threading.Lock()


def _shared(kind: str, realm_id: str, limits: list[tuple[int, float]]) -> SlidingWindowLimiter:
    """One limiter per company per process: every client of that realm draws from the same budget."""
    with _SHARED_LOCK:
        if (kind, realm_id) not in _SHARED:
            _SHARED[(kind, realm_id)] = SlidingWindowLimiter(limits)
        return _SHARED[(kind, realm_id)]


def qbo_request_limiter(realm_id: str) -> SlidingWindowLimiter:
    return _shared("requests", realm_id, QBO_REQUEST_LIMITS)


def qbo_batch_limiter(realm_id: str) -> SlidingWindowLimiter:
    return _shared("batch", realm_id, QBO_BATCH_LIMITS)


class SharedBudgetLimiter:
    """The budget named ``budget`` in the ledger: each call is claimed in one short transaction, and
    the HTTP call itself runs outside it, so calls of several processes overlap while the budget
    has room and wait only when it has none."""

    def __init__(
        self,
        ledger: Ledger,
        budget: str,
        limits: list[tuple[int, float]],
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._budgets = ledger.request_budgets
        self.budget, self._limits, self._sleep = budget, limits, sleep

    def acquire(self) -> float:
        waited = 0.0
        while True:
            claim = self._budgets.claim(self.budget, self._limits)
            if claim.allowed:
                return waited
            self._sleep(claim.wait_seconds)
            waited += claim.wait_seconds


def shared_qbo_limiters(ledger: Ledger, realm_id: str) -> tuple[SharedBudgetLimiter, SharedBudgetLimiter]:
    """The company's request and batch budgets, shared through the ledger by all its processes."""
    return (
        SharedBudgetLimiter(ledger, f"qbo:requests:{realm_id}", QBO_REQUEST_LIMITS),
        SharedBudgetLimiter(ledger, f"qbo:batch:{realm_id}", QBO_BATCH_LIMITS),
    )
