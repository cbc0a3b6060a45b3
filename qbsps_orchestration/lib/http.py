"""One retry policy for both APIs: exponential backoff with full jitter, honouring Retry-After.

Retried: HTTP 429 and 5xx answers and connection-level errors. Bounded by attempts and by a cap on
each wait. Callers make writes safe to repeat (QBO ``requestid``, deterministic SPS upload paths)
before they go through here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RetryableResponse(Exception):
    """A 429/5xx answer, carried through tenacity so the last one is returned when retries run out."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(
            f"HTTP {response.status_code} from {response.request.method} {response.request.url.path}"
        )
        self.response = response


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_seconds: float = 0.5
    max_wait_seconds: float = 60.0
    sleep: Callable[[float], None] | None = None  # tests pass a recorder instead of time.sleep

    def send(self, call: Callable[[], httpx.Response]) -> httpx.Response:
        """Run ``call`` until it answers something other than 429/5xx, or attempts run out.

        Returns the final response (the caller turns error statuses into its own error type);
        re-raises the last connection error if every attempt failed to connect.
        """
        jitter = wait_random_exponential(multiplier=self.base_seconds, max=self.max_wait_seconds)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, RetryableResponse):
                hinted = retry_after_seconds(exc.response)
                if hinted is not None:
                    return min(hinted, self.max_wait_seconds)
            return jitter(state)

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning("retrying after %s (attempt %d of %d)", exc, state.attempt_number, self.max_attempts)

        def attempt() -> httpx.Response:
            response = call()
            if response.status_code in RETRY_STATUSES:
                raise RetryableResponse(response)
            return response

        kwargs = {"sleep": self.sleep} if self.sleep is not None else {}
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=wait,
            retry=retry_if_exception(lambda e: isinstance(e, RetryableResponse | httpx.TransportError)),
            before_sleep=before_sleep,
            reraise=True,
            **kwargs,
        )
        try:
            return retrying(attempt)
        except RetryableResponse as exhausted:
            return exhausted.response


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
