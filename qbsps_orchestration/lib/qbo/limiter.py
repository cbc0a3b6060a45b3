"""Client-side throttle per company: stay under QBO's 10 requests/s and 500/min (and 40 batch/min)
instead of learning the limits from 429s. Thread-safe; one instance per realm per process."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


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
    # A margin under 10/s and 500/min: other apps of the same company share the per-realm budget.
    return _shared("requests", realm_id, [(8, 1.0), (450, 60.0)])


def qbo_batch_limiter(realm_id: str) -> SlidingWindowLimiter:
    return _shared("batch", realm_id, [(36, 60.0)])
