"""Transaction API v5: a case-sensitive file mailbox with cursor-paged listings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from ..http import RetryPolicy
from .errors import sps_error
from .token import DEFAULT_AUDIENCE, SpsTokenSource

DATA = "/transactions/v5/data/"
MAX_PAGE = 1000


@dataclass(frozen=True)
class MailboxEntry:
    path: str  # as SPS lists it, e.g. "/out/PO/PO123-1-v7.7-BulkImport.json"
    type: str  # "file" | "directory"

    @property
    def name(self) -> str:
        return self.path.rstrip("/").rsplit("/", 1)[-1]

    @property
    def relative_path(self) -> str:
        return self.path.lstrip("/")


@dataclass(frozen=True)
class ListingPage:
    entries: list[MailboxEntry]
    next_cursor: str | None


class SpsClient:
    def __init__(
        self,
        api_base_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        audience: str = DEFAULT_AUDIENCE,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
        timeout: float = 60.0,
    ) -> None:
        self._base = api_base_url.rstrip("/")
        self._http = http or httpx.Client(timeout=timeout)
        self._retry = retry or RetryPolicy()
        self.tokens = SpsTokenSource(
            self._http, token_url, client_id, client_secret, audience=audience, retry=self._retry
        )

    def close(self) -> None:
        self._http.close()

    def list_page(
        self, folder: str, *, prefix: str | None = None, limit: int = MAX_PAGE, cursor: str | None = None
    ) -> ListingPage:
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit must be 1..{MAX_PAGE}, got {limit}")
        folder = folder.strip("/") + "/" if folder.strip("/") else ""
        params: dict[str, str | int] = {"limit": limit}
        if prefix:
            params["entryNamePrefix"] = prefix
        if cursor:
            params["cursor"] = cursor
        response = self._request("GET", folder, params=params)
        body = response.json()
        entries = [MailboxEntry(e["path"], e["type"]) for e in body.get("results", [])]
        next_page = (body.get("paging") or {}).get("next") or {}
        return ListingPage(entries, next_page.get("cursor"))

    def iter_files(
        self, folder: str, *, prefix: str | None = None, page_size: int = MAX_PAGE
    ) -> Iterator[MailboxEntry]:
        cursor: str | None = None
        while True:
            page = self.list_page(folder, prefix=prefix, limit=page_size, cursor=cursor)
            yield from (e for e in page.entries if e.type == "file")
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def download(self, path: str) -> bytes:
        return self._request("GET", path.lstrip("/")).content

    def upload(self, path: str, content: bytes, *, meta: dict[str, str] | None = None) -> dict:
        """Upload raw bytes. The same path overwrites, so callers use deterministic names."""
        headers = {"Content-Type": "application/octet-stream"}
        headers.update({f"sps-meta-{k}": v for k, v in (meta or {}).items()})
        return self._request("POST", path.lstrip("/"), content=content, headers=headers).json()

    def delete(self, path: str) -> None:
        self._request("DELETE", path.lstrip("/"))

    def history(self, *, limit: int = 100, offset: int = 0) -> dict:
        return self._request("GET", None, params={"limit": limit, "offset": offset}).json()

    def auth_check(self) -> bool:
        return self._send("GET", f"{self._base}/auth-check").status_code == 204

    def _request(self, method: str, path: str | None, **kwargs: object) -> httpx.Response:
        url = f"{self._base}/transactions/v5/history" if path is None else f"{self._base}{DATA}{quote(path)}"
        response = self._send(method, url, **kwargs)
        if response.status_code >= 400:
            raise sps_error(response, path or "history")
        return response

    def _send(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        """One request with retries; a 401 re-fetches the token once (it may have been revoked early)."""
        extra_headers = dict(kwargs.pop("headers", None) or {})  # type: ignore[call-overload]

        def send_with(token: str) -> httpx.Response:
            headers = {**extra_headers, "Authorization": f"Bearer {token}"}
            return self._retry.send(lambda: self._http.request(method, url, headers=headers, **kwargs))

        token = self.tokens.token()
        response = send_with(token)
        if response.status_code == 401:
            self.tokens.invalidate(token)
            response = send_with(self.tokens.token())
        return response
