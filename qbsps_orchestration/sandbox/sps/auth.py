"""SPS identity (Auth0): the client-credentials token endpoint and bearer-token checks.

The sandbox plays one Machine-to-Machine application: ``client_credentials`` with audience
``https://spscommerce.com`` (the retiring ``api://api.spscommerce.com/`` still works); grants of
interactive apps answer 403 ``unauthorized_client`` as Auth0 does for an M2M app. The endpoint is
rate limited per client (SPS says so without publishing numbers). Times come from the sandbox
clock, so advancing it expires tokens and empties the rate window.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import secrets
import threading
from collections import deque
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..clock import SandboxClock
from ..settings import SpsSandboxSettings
from .errors import TOKEN_PATH, ErrorShape, auth0_error

AUDIENCES = ("https://spscommerce.com", "api://api.spscommerce.com/")
RATE_WINDOW_SECONDS = 60.0


class TokenService:
    def __init__(self, settings: SpsSandboxSettings, clock: SandboxClock) -> None:
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, datetime] = {}
        self._requests: dict[str, deque[float]] = {}
        self.issued_count = 0

    # ---- state ---------------------------------------------------------------------------
    def configure(self, token_lifetime: int | None = None, requests_per_minute: int | None = None) -> None:
        if token_lifetime is not None:
            if token_lifetime < 1:
                raise ValueError("token_lifetime must be at least 1 second")
            self._settings.token_lifetime = token_lifetime
        if requests_per_minute is not None:
            if requests_per_minute < 1:
                raise ValueError("token_requests_per_minute must be at least 1")
            self._settings.token_requests_per_minute = requests_per_minute
        with self._lock:
            self._requests.clear()

    def describe(self) -> dict:
        with self._lock:
            now = self._clock.now()
            live = sum(1 for expiry in self._tokens.values() if expiry > now)
        return {
            "token_lifetime": self._settings.token_lifetime,
            "token_requests_per_minute": self._settings.token_requests_per_minute,
            "issued": self.issued_count,
            "live_tokens": live,
        }

    def revoke_all(self) -> None:
        with self._lock:
            self._tokens.clear()

    def issue(self) -> tuple[str, int]:
        token = secrets.token_urlsafe(32)
        lifetime = self._settings.token_lifetime
        with self._lock:
            now = self._clock.now()
            self._tokens = {t: e for t, e in self._tokens.items() if e > now}  # drop expired ones
            self._tokens[token] = now + timedelta(seconds=lifetime)
            self.issued_count += 1
        return token, lifetime

    def is_valid(self, token: str) -> bool:
        with self._lock:
            expiry = self._tokens.get(token)
        return expiry is not None and self._clock.now() < expiry

    def bearer_ok(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and bool(token.strip()) and self.is_valid(token.strip())

    def _throttled(self, client_id: str) -> int | None:
        """Seconds to wait if this token request exceeds the per-minute budget, else None."""
        now = self._clock.timestamp()
        with self._lock:
            window = self._requests.setdefault(client_id, deque())
            while window and window[0] <= now - RATE_WINDOW_SECONDS:
                window.popleft()
            if len(window) >= self._settings.token_requests_per_minute:
                return max(1, math.ceil(window[0] + RATE_WINDOW_SECONDS - now))
            window.append(now)
        return None

    # ---- HTTP ----------------------------------------------------------------------------
    async def token_endpoint(self, request: Request) -> Response:
        params = await _token_params(request)
        if params is None:
            return auth0_error(400, "invalid_request", "Send a JSON or form-encoded body")
        client_id, client_secret = params.get("client_id", ""), params.get("client_secret", "")
        basic = _basic_credentials(request)
        if basic:
            client_id, client_secret = basic
        wait = self._throttled(client_id)
        if wait is not None:
            response = auth0_error(429, "too_many_requests", "Too many token requests; try again later")
            response.headers["Retry-After"] = str(wait)
            return response
        grant = params.get("grant_type", "")
        if not grant:
            return auth0_error(400, "invalid_request", "Missing required parameter: grant_type")
        if client_id != self._settings.client_id:
            return auth0_error(401, "invalid_client", "Unknown or missing client_id")
        if not hmac.compare_digest(client_secret.encode(), self._settings.client_secret.encode()):
            return auth0_error(401, "access_denied", "Unauthorized")
        if grant in ("authorization_code", "refresh_token", "password", "implicit"):
            detail = f"Grant type '{grant}' not allowed for the client."
            return auth0_error(403, "unauthorized_client", detail)
        if grant != "client_credentials":
            return auth0_error(400, "unsupported_grant_type", f"Grant type '{grant}' not supported")
        audience = params.get("audience", "")
        if not audience:
            return auth0_error(
                403,
                "access_denied",
                "No audience parameter was provided, and no default audience has been configured",
            )
        if audience not in AUDIENCES:
            return auth0_error(403, "access_denied", f"Service not found: {audience}")
        token, lifetime = self.issue()
        return JSONResponse(
            {"access_token": token, "token_type": "Bearer", "expires_in": lifetime},
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    def routes(self, shape: ErrorShape) -> list[Route]:
        async def auth_check(request: Request) -> Response:
            if not self.bearer_ok(request):
                return shape.invalid_token(request)
            return Response(status_code=204)

        return [
            Route(TOKEN_PATH, self.token_endpoint, methods=["POST"]),
            Route("/auth-check", auth_check, methods=["GET"]),
        ]


async def _token_params(request: Request) -> dict[str, str] | None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type == "application/json":
            data = await request.json()
            return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None
        if content_type == "application/x-www-form-urlencoded":
            # parsed here: Starlette's form parser needs python-multipart, which we do not ship
            body = (await request.body()).decode("utf-8")
            return dict(parse_qsl(body, keep_blank_values=True, strict_parsing=False))
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """client_secret_basic: Auth0 also takes the credentials in an HTTP Basic header."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (unquote(user), unquote(password)) if sep else None
