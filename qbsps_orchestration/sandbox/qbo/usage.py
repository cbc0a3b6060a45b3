"""What each company's API calls cost, counted as QBO meters and throttles them (qbo.md §5.1, §5.3):
``GET /_sandbox/qbo/usage`` -> ``{realm_id: {reads, writes, batch_calls, batch_ops, throttled}}``.

- reads: metered "CorePlus" (data-out) calls: entity reads, queries, CDC, company info, plus each
  Query item inside a batch (Intuit does not say how a batch is metered; its queries are data-out)
- writes: single-entity create/update/delete requests ("Core", unmetered)
- batch_calls: ``/batch`` requests; batch_ops: the items they carried (writes and queries)
- throttled: calls refused with 429 (not counted under the other headings)

Only calls past the bearer check are counted; a reset of the company starts the counts at zero.
"""

from __future__ import annotations

import json
import threading

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

CONTROL_PATH = "/_sandbox/qbo/usage"
FIELDS = ("reads", "writes", "batch_calls", "batch_ops", "throttled")
READ_RESOURCES = frozenset({"query", "cdc", "companyinfo"})


class UsageMeter:
    def __init__(self) -> None:
        self._counts: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    def throttled(self, realm_id: str) -> None:
        self._add(realm_id, throttled=1)

    def served(self, realm_id: str, method: str, resource: str, body: bytes) -> None:
        """One admitted call to ``/v3/company/{realm}/{resource}``."""
        if resource == "batch" and method == "POST":
            items = _batch_items(body)
            queries = sum(1 for item in items if isinstance(item, dict) and "Query" in item)
            self._add(realm_id, batch_calls=1, batch_ops=len(items), reads=queries)
        elif method == "GET" or resource in READ_RESOURCES:
            self._add(realm_id, reads=1)
        else:
            self._add(realm_id, writes=1)

    def report(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {realm: dict(counts) for realm, counts in self._counts.items()}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def routes(self) -> list[BaseRoute]:
        async def usage(_: Request) -> Response:
            return JSONResponse(self.report())

        return [Route(CONTROL_PATH, usage, methods=["GET"])]

    def _add(self, realm_id: str, **amounts: int) -> None:
        with self._lock:
            counts = self._counts.setdefault(realm_id, dict.fromkeys(FIELDS, 0))
            for name, amount in amounts.items():
                counts[name] += amount


def _batch_items(body: bytes) -> list:
    """The items of a batch body; an envelope QBO refuses carried none."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return []
    items = data.get("BatchItemRequest") if isinstance(data, dict) else None
    return items if isinstance(items, list) else []
