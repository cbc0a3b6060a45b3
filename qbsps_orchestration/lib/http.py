"""HTTP for both APIs: a pooled ``requests`` Session per client, and one retry policy (exponential
backoff with full jitter, honouring Retry-After).

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
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# No answer came: the connection failed to open, broke, or the answer was too slow.
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
POOL_SIZE = 10  # connections kept per host: a client is used by one step or thread at a time


class ApiSession(requests.Session):
    """A ``requests`` Session with a connection pool, no hidden retries (the policy below is the
    only one) and a default timeout, which requests itself does not have."""

    def __init__(self, timeout: float, *, trust_env: bool = True) -> None:
        super().__init__()
        self.timeout = timeout
        self.trust_env = trust_env  # False for loopback services: never through a proxy
        adapter = HTTPAdapter(pool_connections=POOL_SIZE, pool_maxsize=POOL_SIZE, max_retries=0)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def request(
        self, method: str | bytes, url: str | bytes, *args: object, **kwargs: object
    ) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        kwargs["allow_redirects"] = False  # an API's answer is the answer (get() would say True)
        return super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]


def never_sent(exc: BaseException) -> bool:
    """True when the request cannot have reached the server: its connection never opened."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


class RetryableResponse(Exception):
    """A 429/5xx answer, carried through tenacity so the last one is returned when retries run out."""

    def __init__(self, response: requests.Response) -> None:
        path = urlsplit(str(response.request.url)).path
        super().__init__(f"HTTP {response.status_code} from {response.request.method} {path}")
        self.response = response


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_seconds: float = 0.5
    max_wait_seconds: float = 60.0
    sleep: Callable[[float], None] | None = None  # tests pass a recorder instead of time.sleep

    def send(self, call: Callable[[], requests.Response]) -> requests.Response:
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

        def attempt() -> requests.Response:
            response = call()
            if response.status_code in RETRY_STATUSES:
                raise RetryableResponse(response)
            return response

        kwargs = {"sleep": self.sleep} if self.sleep is not None else {}
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=wait,
            retry=retry_if_exception(lambda e: isinstance(e, (RetryableResponse, *TRANSPORT_ERRORS))),
            before_sleep=before_sleep,
            reraise=True,
            **kwargs,
        )
        try:
            return retrying(attempt)
        except RetryableResponse as exhausted:
            return exhausted.response


def retry_after_seconds(response: requests.Response) -> float | None:
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
