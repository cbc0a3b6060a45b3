"""Transaction API v5: a case-sensitive file mailbox with cursor-paged listings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import requests

from ..http import TRANSPORT_ERRORS, ApiSession, RetryPolicy, never_sent
from .errors import SpsError, UploadUnconfirmedError, sps_error
from .token import DEFAULT_AUDIENCE, SpsTokenSource

DATA = "/transactions/v5/data/"
MAX_PAGE = 1000
MAX_PAGES = 10_000  # 10 million files at the largest page: far beyond any real mailbox


HISTORY_PAGE = 100
MAX_HISTORY_PAGES = 100  # a history window longer than this is not one upload's answer


class ListingLoopError(RuntimeError):
    """A cursor-paged listing that does not end: a repeated cursor or the page limit."""


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


@dataclass(frozen=True)
class HistoryItem:
    """One entry of ``/transactions/v5/history``: a file's processing as SPS recorded it."""

    path: str  # "/in/IN123-v7.7.json"
    direction: str | None
    statuses: tuple[str, ...]  # oldest first, e.g. ("received", "accepted")
    first_at: datetime | None = None  # the first status's time (None: SPS gave none readable)

    @classmethod
    def of(cls, item: dict) -> HistoryItem:
        log = [s for s in item.get("status_log") or [] if isinstance(s, dict)]
        statuses = tuple(str(s.get("status")) for s in log)
        first_at = _timestamp(log[0].get("timestamp")) if log else None
        return cls(str(item.get("path") or ""), item.get("direction"), statuses, first_at)


def _timestamp(value: object) -> datetime | None:
    """A history timestamp (ISO 8601; SPS's own zone-less ones are UTC), or None when unreadable."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class _AnswerLost(Exception):
    """Carries an ambiguous upload failure past the retry policy, which must not repeat it."""

    def __init__(self, response: requests.Response | None, cause: Exception | None = None) -> None:
        super().__init__(str(cause or response))
        self.response, self.cause = response, cause


def history_bound(when: datetime) -> str:
    """History's ``after``/``until`` format: ``YYYY-MM-DDTHH:mm:ss`` in UTC, without a zone."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


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
        http: requests.Session | None = None,
        timeout: float = 60.0,
    ) -> None:
        self._base = api_base_url.rstrip("/")
        self._http = http or ApiSession(timeout)
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
        self, folder: str, *, prefix: str | None = None, page_size: int = MAX_PAGE, max_pages: int = MAX_PAGES
    ) -> Iterator[MailboxEntry]:
        """Every file of `folder`, page by page. A cursor SPS already handed out, or more than
        `max_pages` pages, raises ListingLoopError instead of listing forever."""
        cursor: str = ""
        seen: set[str] = set()
        for _ in range(max_pages):
            page = self.list_page(folder, prefix=prefix, limit=page_size, cursor=cursor or None)
            yield from (e for e in page.entries if e.type == "file")
            if not page.next_cursor:
                return
            if page.next_cursor in seen or page.next_cursor == cursor:
                raise ListingLoopError(
                    f"SPS listing of /{folder.strip('/')}/ repeated cursor {page.next_cursor[:80]!r} "
                    f"after {len(seen) + 1} page(s); stopped instead of listing the same files again"
                )
            seen.add(page.next_cursor)
            cursor = page.next_cursor
        raise ListingLoopError(
            f"SPS listing of /{folder.strip('/')}/ still had more after {max_pages} pages of {page_size} "
            f"(next cursor {cursor[:80]!r}); stopped at the page limit"
        )

    def download(self, path: str) -> bytes:
        return self._request("GET", path.lstrip("/")).content

    def file_if_present(self, path: str) -> bytes | None:
        """The file's bytes, or None when SPS has no file there (consumed, or never uploaded)."""
        url = f"{self._base}{DATA}{quote(path.lstrip('/'))}"
        response = self._send("GET", url)
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise sps_error(response, path)
        return response.content

    def upload(self, path: str, content: bytes, *, meta: dict[str, str] | None = None) -> dict:
        """Upload raw bytes. Every upload is a transaction SPS routes, so it is never repeated
        after it may have landed: only a 429 or a connection that never opened is retried; a 5xx,
        a cut connection or a timeout raise UploadUnconfirmedError for the caller to reconcile."""
        headers = {"Content-Type": "application/octet-stream"}
        headers.update({f"sps-meta-{k}": v for k, v in (meta or {}).items()})
        url = f"{self._base}{DATA}{quote(path.lstrip('/'))}"

        def once(response: requests.Response) -> requests.Response:
            if response.status_code >= 500:
                raise _AnswerLost(response)
            return response

        try:
            response = self._send("POST", url, data=content, headers=headers, check=once)
        except _AnswerLost as lost:
            if lost.response is not None:
                error = sps_error(lost.response, path)
                raise UploadUnconfirmedError(
                    error.status, error.title, error.detail, path=path, request_id=error.request_id
                ) from None
            raise UploadUnconfirmedError(
                0, "no answer", f"{type(lost.cause).__name__}: {lost.cause}", path=path
            ) from None
        if response.status_code >= 400:
            raise sps_error(response, path)
        return response.json()

    def delete(self, path: str) -> None:
        self._request("DELETE", path.lstrip("/"))

    def history(
        self,
        *,
        limit: int = HISTORY_PAGE,
        offset: int = 0,
        after: datetime | None = None,
        until: datetime | None = None,
    ) -> dict:
        params: dict[str, str | int] = {"limit": limit, "offset": offset}
        if after is not None:
            params["after"] = history_bound(after)
        if until is not None:
            params["until"] = history_bound(until)
        return self._request("GET", None, params=params).json()

    def uploads_of(self, path: str, *, after: datetime) -> list[HistoryItem]:
        """History entries of uploads to ``path`` recorded after ``after`` (SPS can lag minutes)."""
        wanted = "/" + path.lstrip("/")
        found: list[HistoryItem] = []
        offset = 0
        for _ in range(MAX_HISTORY_PAGES):
            body = self.history(limit=HISTORY_PAGE, offset=offset, after=after)
            results = body.get("results") or []
            found += [
                item
                for item in map(HistoryItem.of, results)
                if item.path == wanted and item.direction in (None, "inbound")
            ]
            total = (body.get("paging") or {}).get("total_count")
            offset += len(results)
            if not results or (isinstance(total, int) and offset >= total):
                return found
        raise SpsError(
            0, "history too long", f"more than {MAX_HISTORY_PAGES} pages since {after}", path="history"
        )

    def auth_check(self) -> bool:
        return self._send("GET", f"{self._base}/auth-check").status_code == 204

    def _request(self, method: str, path: str | None, **kwargs: object) -> requests.Response:
        url = f"{self._base}/transactions/v5/history" if path is None else f"{self._base}{DATA}{quote(path)}"
        response = self._send(method, url, **kwargs)
        if response.status_code >= 400:
            raise sps_error(response, path or "history")
        return response

    def _send(
        self,
        method: str,
        url: str,
        *,
        check: Callable[[requests.Response], requests.Response] | None = None,
        **kwargs: object,
    ) -> requests.Response:
        """One request with retries; a 401 re-fetches the token once (it may have been revoked early).

        ``check`` (uploads) sees each answer before the retry policy and may raise to stop it; with
        it, only a connection that never opened is retried.
        """
        extra_headers = dict(kwargs.pop("headers", None) or {})  # type: ignore[call-overload]

        def call(headers: dict[str, str]) -> requests.Response:
            if check is None:
                return self._http.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]
            try:
                response = self._http.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]
            except TRANSPORT_ERRORS as exc:
                if never_sent(exc):  # safe to repeat: the request never reached SPS
                    raise
                raise _AnswerLost(None, exc) from exc
            return check(response)

        def send_with(token: str) -> requests.Response:
            headers = {**extra_headers, "Authorization": f"Bearer {token}"}
            return self._retry.send(lambda: call(headers))

        token = self.tokens.token()
        response = send_with(token)
        if response.status_code == 401:
            self.tokens.invalidate(token)
            response = send_with(self.tokens.token())
        return response
