"""QBO Accounting API v3 client: query, read, create, sparse update with SyncToken, batch, CDC.

Every write carries a ``requestid`` chosen by the caller from the document it writes, so a retry
after a lost response returns QBO's first answer instead of writing twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import requests
import simplejson

from ..http import ApiSession, RetryPolicy
from .errors import StaleObjectError, qbo_error
from .limiter import Limiter, qbo_batch_limiter, qbo_request_limiter
from .tokens import QboTokenSource

MAX_RESULTS = 1000
MAX_BATCH = 30
MAX_REQUEST_ID = 50
MAX_QUERY_PAGES = 1000  # a million rows of one entity: far beyond any company qbsps serves


class QueryPagingError(RuntimeError):
    """A paged query that does not end: a repeated page or the page limit."""


class QboClient:
    def __init__(
        self,
        api_base_url: str,
        realm_id: str,
        tokens: QboTokenSource,
        *,
        minor_version: int = 75,
        http: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        limiter: Limiter | None = None,
        batch_limiter: Limiter | None = None,
        timeout: float = 120.0,
    ) -> None:
        self._company = f"{api_base_url.rstrip('/')}/v3/company/{realm_id}"
        self.realm_id = realm_id
        self.tokens = tokens
        self._minor = str(max(75, minor_version))
        self._http = http or ApiSession(timeout)
        self._retry = retry or RetryPolicy()
        # Without limiters given (tests, tools): this process's own budget for the company.
        self._limiter = limiter or qbo_request_limiter(realm_id)
        self._batch_limiter = batch_limiter or qbo_batch_limiter(realm_id)

    def close(self) -> None:
        self._http.close()

    # reads -------------------------------------------------------------------------------------
    def query(self, statement: str) -> dict[str, Any]:
        """One query call; returns the ``QueryResponse`` object."""
        body = self._call("POST", "query", content=statement.encode(), content_type="application/text")
        return body.get("QueryResponse", {})

    def query_all(
        self, entity: str, statement: str, *, page_size: int = MAX_RESULTS, max_pages: int = MAX_QUERY_PAGES
    ) -> Iterator[dict]:
        """All rows of ``statement`` (which must not page itself), page by page. A page that
        repeats the previous one (QBO ignoring STARTPOSITION) or more than ``max_pages`` pages
        raise QueryPagingError naming the position, instead of paging forever."""
        start, previous = 1, None
        for _ in range(max_pages):
            page = self.query(f"{statement} STARTPOSITION {start} MAXRESULTS {page_size}")
            rows = page.get(entity, [])
            ids = [row.get("Id") for row in rows]
            if rows and ids == previous:
                raise QueryPagingError(
                    f"QBO {entity} query answered STARTPOSITION {start} with the same rows as "
                    f"STARTPOSITION {start - page_size}; stopped instead of paging forever"
                )
            yield from rows
            if len(rows) < page_size:
                return
            start, previous = start + page_size, ids
        raise QueryPagingError(
            f"QBO {entity} query still had rows at STARTPOSITION {start} after {max_pages} pages "
            f"of {page_size}; stopped at the page limit"
        )

    def read(self, entity: str, entity_id: str) -> dict:
        return self._call("GET", f"{entity.lower()}/{entity_id}")[entity]

    def company_info(self) -> dict:
        """The company's own profile (name, addresses); QBO serves it at the realm id."""
        return self._call("GET", f"companyinfo/{self.realm_id}")["CompanyInfo"]

    def cdc(self, entities: list[str], changed_since: datetime) -> dict[str, list[dict]]:
        if changed_since.tzinfo is None:
            raise ValueError("changed_since must be timezone-aware")
        params = {"entities": ",".join(entities), "changedSince": changed_since.isoformat()}
        body = self._call("GET", "cdc", params=params)
        changed: dict[str, list[dict]] = {name: [] for name in entities}
        for block in body.get("CDCResponse", []):
            for response in block.get("QueryResponse", []):
                for name in entities:
                    changed[name].extend(response.get(name, []))
        return changed

    # writes ------------------------------------------------------------------------------------
    def create(self, entity: str, payload: dict, *, request_id: str, include: str | None = None) -> dict:
        params = {"include": include} if include else None
        return self._call("POST", entity.lower(), json=payload, params=params, request_id=request_id)[entity]

    def update(self, entity: str, payload: dict, *, request_id: str) -> dict:
        """Send an update as given (``payload`` must carry Id, SyncToken and ``sparse``)."""
        return self._call("POST", entity.lower(), json=payload, request_id=request_id)[entity]

    def sparse_update(self, entity: str, entity_id: str, fields: dict, *, request_id: str) -> dict:
        """Change only ``fields``. On a stale SyncToken (5010), re-read and retry once."""
        current = self.read(entity, entity_id)
        payload = {**fields, "Id": entity_id, "SyncToken": current["SyncToken"], "sparse": True}
        try:
            return self.update(entity, payload, request_id=request_id)
        except StaleObjectError:
            current = self.read(entity, entity_id)
            payload["SyncToken"] = current["SyncToken"]
            return self.update(entity, payload, request_id=_retry_id(request_id))

    def delete(self, entity: str, entity_id: str, sync_token: str, *, request_id: str) -> dict:
        payload = {"Id": entity_id, "SyncToken": sync_token}
        body = self._call(
            "POST", entity.lower(), json=payload, params={"operation": "delete"}, request_id=request_id
        )
        return body[entity]

    def batch(self, items: list[dict], *, request_id: str) -> list[dict]:
        """Up to 30 independent items (``bId``, ``operation``, entity or ``Query``) in one call."""
        if len(items) > MAX_BATCH:
            raise ValueError(f"a QBO batch holds at most {MAX_BATCH} items, got {len(items)}")
        body = self._call(
            "POST", "batch", json={"BatchItemRequest": items}, request_id=request_id, batch=True
        )
        return body.get("BatchItemResponse", [])

    # transport ---------------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        json: dict | None = None,
        content: bytes | None = None,
        content_type: str = "application/json",
        params: dict[str, str] | None = None,
        request_id: str | None = None,
        batch: bool = False,
    ) -> dict:
        query = {"minorversion": self._minor, **(params or {})}
        if request_id is not None:
            if not 0 < len(request_id) <= MAX_REQUEST_ID:
                raise ValueError(f"requestid must be 1..{MAX_REQUEST_ID} characters")
            query["requestid"] = request_id
        url = f"{self._company}/{path}"
        operation = f"{method} {path}"
        # Money travels as exact JSON numbers: Decimal in, Decimal out, never through float.
        data = simplejson.dumps(json, use_decimal=True).encode() if json is not None else content

        def send(token: str) -> requests.Response:
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            if data is not None:
                headers["Content-Type"] = content_type

            def once() -> requests.Response:
                if batch:  # a batch call is also a request: it counts against both budgets
                    self._batch_limiter.acquire()
                self._limiter.acquire()
                return self._http.request(method, url, params=query, data=data, headers=headers)

            return self._retry.send(once)

        token = self.tokens.access_token()
        response = send(token)
        if response.status_code == 401:
            response = send(self.tokens.refresh_after_401(token))
        if response.status_code >= 400:
            raise qbo_error(response, operation)
        body = simplejson.loads(response.content, use_decimal=True)
        if "Fault" in body:  # QBO may answer 200 with a Fault
            raise qbo_error(response, operation)
        return body


def _retry_id(request_id: str) -> str:
    """A distinct requestid for the second attempt (the first one's answer was the 5010)."""
    suffix = "-r1"
    return request_id[: MAX_REQUEST_ID - len(suffix)] + suffix
