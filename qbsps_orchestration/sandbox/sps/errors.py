"""The two error bodies SPS clients meet, switchable at run time, plus Auth0's token-endpoint body.

SPS's API standard uses RFC 7807 problem+json ``{title, status, detail, instance, requestId}``;
third-party clients of the Transaction API also record ``{"error": {"errorDescription", "error"},
"status": "error"}``. The sandbox answers in one of them (``problem`` by default) so a client is
tested against both. The token endpoint is Auth0 and always answers ``{error, error_description}``.
"""

from __future__ import annotations

import uuid
from typing import Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..faults import FaultBody

ErrorShapeName = Literal["problem", "legacy"]
TOKEN_PATH = "/oauth/token"

_TITLES: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

_CODES: dict[int, str] = {
    400: "bad_request",
    401: "invalid_token",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def request_id(request: Request) -> str:
    """The caller's X-Request-ID when given (SPS echoes it), else a fresh one."""
    return request.headers.get("x-request-id") or str(uuid.uuid4())


class ErrorShape:
    """Which body the Transaction API answers errors in; shared by routes and fault injection."""

    def __init__(self, shape: ErrorShapeName = "problem") -> None:
        self.shape: ErrorShapeName = shape

    def set(self, shape: str) -> None:
        if shape not in ("problem", "legacy"):
            raise ValueError(f"unknown error shape {shape!r}: use 'problem' or 'legacy'")
        self.shape = shape  # type: ignore[assignment]

    def respond(self, request: Request, status: int, detail: str, title: str | None = None) -> Response:
        rid = request_id(request)
        headers = {"X-Request-ID": rid}
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        if self.shape == "legacy":
            code = _CODES.get(status, "server_error" if status >= 500 else "error")
            body = {"error": {"errorDescription": detail, "error": code}, "status": "error"}
            return JSONResponse(body, status_code=status, headers=headers)
        body = {
            "title": title or _TITLES.get(status, "Error"),
            "status": status,
            "detail": detail,
            "instance": request.url.path,
            "requestId": rid,
        }
        return JSONResponse(body, status_code=status, headers=headers, media_type="application/problem+json")

    def invalid_token(self, request: Request) -> Response:
        return self.respond(
            request, 401, "The access token provided is invalid or expired.", title="Invalid Token"
        )


def auth0_error(status: int, error: str, description: str) -> JSONResponse:
    """Auth0's token-endpoint error body."""
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def fault_body(shape: ErrorShape) -> FaultBody:
    """The body an injected fault answers with: Auth0's on the token endpoint, else SPS's."""

    def build(request: Request, status: int, retry_after: int | None) -> Response:
        if request.url.path == TOKEN_PATH:
            if status == 429:
                return auth0_error(429, "too_many_requests", "Global limit has been reached")
            return auth0_error(
                status, "server_error" if status >= 500 else "access_denied", _TITLES.get(status, "Error")
            )
        if status == 429:
            detail = f"Request for resource '{request.url.path}' has been rate-limited."
        elif status >= 500:
            detail = "The server encountered an unexpected condition."
        else:
            detail = _TITLES.get(status, "Error")
        return shape.respond(request, status, detail)

    return build
