"""QBO's API throttles (qbo.md §5.1), enforced with sliding windows on the sandbox clock.

Limits: 500 requests/min per realm, 10 requests/s per realm+app, 40 batch calls/min per
realm+app and 120 batch calls/min per realm. A batch call is also a request, so it counts against
the first two as well. A refused call is not added to the windows: the window then holds exactly
the calls QBO served, so a client that backs off recovers as soon as the oldest call ages out.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..clock import SandboxClock
from .oauth.authority import TokenGrant
from .oauth.http import intuit_tid, json_object

CONTROL_PATH = "/_sandbox/qbo/throttle"
_LIMIT_FIELDS = ("per_minute", "per_second", "batch_per_minute", "batch_per_realm_minute")

_THROTTLE_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<IntuitResponse time="{time}" xmlns="http://schema.intuit.com/finance/v3">
    <Fault type="SERVICE">
        <Error code="3001">
            <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>
            <Detail>The request limit was reached.  Try again later</Detail>
        </Error>
    </Fault>
</IntuitResponse>
"""


@dataclass(frozen=True)
class _Window:
    name: str
    seconds: float
    limit_field: str


_REQUESTS_PER_REALM = _Window("requests_per_realm_minute", 60.0, "per_minute")
_REQUESTS_PER_APP = _Window("requests_per_app_second", 1.0, "per_second")
_BATCH_PER_APP = _Window("batch_per_app_minute", 60.0, "batch_per_minute")
_BATCH_PER_REALM = _Window("batch_per_realm_minute", 60.0, "batch_per_realm_minute")
_WINDOWS = {w.name: w for w in (_REQUESTS_PER_REALM, _REQUESTS_PER_APP, _BATCH_PER_APP, _BATCH_PER_REALM)}


class QboThrottle:
    def __init__(
        self,
        clock: SandboxClock,
        *,
        enabled: bool = True,
        per_minute: int = 500,
        per_second: int = 10,
        batch_per_minute: int = 40,
        batch_per_realm_minute: int = 120,
    ) -> None:
        self.clock = clock
        self.enabled = enabled  # mutable at run time
        self.per_minute = per_minute
        self.per_second = per_second
        self.batch_per_minute = batch_per_minute
        self.batch_per_realm_minute = batch_per_realm_minute
        self.retry_after: int | None = None  # Intuit does not document Retry-After; opt-in
        self.admitted = 0
        self.refused: dict[str, int] = {}
        self._calls: dict[tuple[str, tuple[str, ...]], deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, grant: TokenGrant, *, batch: bool) -> bool:
        """Record the call and say whether it is within limits: 500/min per realm, 10/s per realm+app,
        40 batch calls/min per realm+app. Sliding windows on the sandbox clock."""
        if not self.enabled:
            return True
        now = self.clock.timestamp()
        realm, app = (grant.realm_id,), (grant.realm_id, grant.client_id)
        checks = [(_REQUESTS_PER_REALM, realm), (_REQUESTS_PER_APP, app)]
        if batch:
            checks += [(_BATCH_PER_APP, app), (_BATCH_PER_REALM, realm)]
        with self._lock:
            windows = [(window, self._window(window, key, now)) for window, key in checks]
            for window, calls in windows:
                if len(calls) >= getattr(self, window.limit_field):
                    self.refused[window.name] = self.refused.get(window.name, 0) + 1
                    return False
            for _, calls in windows:
                calls.append(now)
            self.admitted += 1
            return True

    def throttled_response(self) -> Response:
        """HTTP 429 with the XML ThrottleExceeded body (code 3001) as in qbo_samples."""
        # QBO answers this fault in XML even to JSON clients (qbo.md §5.1).
        when = self.clock.now().isoformat(timespec="milliseconds")
        headers = {"intuit_tid": intuit_tid()}
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return Response(
            _THROTTLE_XML.format(time=when), status_code=429, media_type="application/xml", headers=headers
        )

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self.refused.clear()
            self.admitted = 0

    def describe(self) -> dict:
        now = self.clock.timestamp()
        with self._lock:
            windows = [
                {"window": name, "key": list(key), "calls": len(self._window(_WINDOWS[name], key, now))}
                for (name, key) in list(self._calls)
            ]
        return {
            "enabled": self.enabled,
            **{name: getattr(self, name) for name in _LIMIT_FIELDS},
            "retry_after": self.retry_after,
            "admitted": self.admitted,
            "refused": dict(self.refused),
            "windows": [w for w in windows if w["calls"]],
        }

    def routes(self) -> list[BaseRoute]:
        return [
            Route(CONTROL_PATH, self._get_state, methods=["GET"]),
            Route(CONTROL_PATH, self._change, methods=["POST"]),
        ]

    def _window(self, window: _Window, key: tuple[str, ...], now: float) -> deque[float]:
        calls = self._calls.setdefault((window.name, key), deque())
        while calls and calls[0] <= now - window.seconds:
            calls.popleft()
        # A clock set backwards leaves calls "in the future"; they no longer happened.
        while calls and calls[-1] > now:
            calls.pop()
        return calls

    async def _get_state(self, _: Request) -> Response:
        return JSONResponse(self.describe())

    async def _change(self, request: Request) -> Response:
        """Body keys (all optional): enabled (bool), the limits in _LIMIT_FIELDS (int >= 1),
        retry_after (seconds or null), reset (true: forget every recorded call)."""
        try:
            data = await json_object(request)
            _check_body(data)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if "enabled" in data:
            self.enabled = data["enabled"]
        for name in _LIMIT_FIELDS:
            if name in data:
                setattr(self, name, data[name])
        if "retry_after" in data:
            self.retry_after = data["retry_after"]
        if data.get("reset"):
            self.reset()
        return JSONResponse(self.describe())


def _check_body(data: dict) -> None:
    unknown = sorted(set(data) - {"enabled", "retry_after", "reset", *_LIMIT_FIELDS})
    if unknown:
        raise ValueError(f"unknown field(s) in throttle control body: {', '.join(unknown)}")
    for flag in ("enabled", "reset"):
        if flag in data and not isinstance(data[flag], bool):
            raise ValueError(f"throttle control field {flag} must be true or false")
    for name in _LIMIT_FIELDS:
        if name in data and (
            isinstance(data[name], bool) or not isinstance(data[name], int) or data[name] < 1
        ):
            raise ValueError(f"throttle control field {name} must be a whole number >= 1")
    retry_after = data.get("retry_after")
    if retry_after is not None and (
        isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0
    ):
        raise ValueError("throttle control field retry_after must be a whole number of seconds >= 0 or null")
