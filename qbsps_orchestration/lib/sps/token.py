"""Client-credentials token, cached until shortly before ``expires_in`` (the endpoint is rate limited)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from ..http import RetryPolicy
from .errors import sps_error

DEFAULT_AUDIENCE = "https://spscommerce.com"


@dataclass
class _Cached:
    value: str
    refresh_at: float  # monotonic seconds


class SpsTokenSource:
    def __init__(
        self,
        http: requests.Session,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        audience: str = DEFAULT_AUDIENCE,
        retry: RetryPolicy | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http, self._url = http, token_url
        self._client_id, self._client_secret, self._audience = client_id, client_secret, audience
        self._retry = retry or RetryPolicy()
        self._monotonic = monotonic
        self._cached: _Cached | None = None
        self._lock = threading.Lock()
        self.fetch_count = 0

    def token(self) -> str:
        with self._lock:
            if self._cached is None or self._monotonic() >= self._cached.refresh_at:
                self._cached = self._fetch()
            return self._cached.value

    def invalidate(self, stale: str) -> None:
        """Drop the cached token after a 401, unless another thread already replaced it."""
        with self._lock:
            if self._cached is not None and self._cached.value == stale:
                self._cached = None

    def _fetch(self) -> _Cached:
        body = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "audience": self._audience,
        }
        response = self._retry.send(lambda: self._http.post(self._url, json=body))
        if response.status_code != 200:
            raise sps_error(response, "oauth/token")
        payload = response.json()
        self.fetch_count += 1
        lifetime = float(payload.get("expires_in", 0))
        # Renew ahead of expiry: a minute early, or 10 % of a short lifetime.
        margin = min(60.0, lifetime * 0.1)
        return _Cached(payload["access_token"], self._monotonic() + max(0.0, lifetime - margin))
