"""SPS error bodies come in two shapes (RFC 7807 problem+json and the Transaction API's legacy
``{"error": {...}, "status": "error"}``) or as plain text; parse all of them defensively."""

from __future__ import annotations

import json

import requests


class SpsError(Exception):
    def __init__(
        self, status: int, title: str, detail: str, *, path: str, request_id: str | None = None
    ) -> None:
        self.status, self.title, self.detail, self.path, self.request_id = (
            status,
            title,
            detail,
            path,
            request_id,
        )
        where = f" (request {request_id})" if request_id else ""
        super().__init__(f"SPS {status} {title} for {path}: {detail}{where}")


class UploadUnconfirmedError(SpsError):
    """An upload was sent but its answer never came (a 5xx, a cut connection, a timeout): it may
    have landed. Never repeat it blindly; ask SPS (the path in ``in/``, the history) first."""


def sps_error(response: requests.Response, path: str) -> SpsError:
    status = response.status_code
    title, detail, request_id = response.reason or "Error", response.text[:500], None
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        if "title" in body or "detail" in body:  # problem+json
            title = str(body.get("title") or title)
            detail = str(body.get("detail") or "")
            request_id = body.get("requestId")
        elif isinstance(body.get("error"), dict):  # legacy Transaction API shape
            error = body["error"]
            title = str(error.get("error") or title)
            detail = str(error.get("errorDescription") or "")
        elif isinstance(body.get("error"), str):  # OAuth token endpoint
            title = body["error"]
            detail = str(body.get("error_description") or "")
    return SpsError(status, title, detail, path=path, request_id=request_id)
