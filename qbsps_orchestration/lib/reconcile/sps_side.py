"""What SPS recorded: its processing history since a day, of every upload to the upload folder and
of every order file it delivered to the orders folder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..sps import SpsClient
from ..sps.client import HISTORY_PAGE, HistoryItem

MAX_PAGES = 10_000  # a million history entries: far beyond one reconciliation window


@dataclass(frozen=True)
class SpsHistory:
    """Entries by path without its leading slash, oldest first."""

    uploads: dict[str, list[HistoryItem]]  # into SPS (direction inbound) under the upload folder
    deliveries: dict[str, list[HistoryItem]]  # SPS's files for us (direction outbound) under orders


def read_history(sps: SpsClient, upload_folder: str, orders_folder: str, since: datetime) -> SpsHistory:
    uploads_under, orders_under = upload_folder.strip("/") + "/", orders_folder.strip("/") + "/"
    history = SpsHistory({}, {})
    offset = 0
    for _ in range(MAX_PAGES):
        body = sps.history(limit=HISTORY_PAGE, offset=offset, after=since)
        results = body.get("results") or []
        for item in map(HistoryItem.of, results):
            path = item.path.lstrip("/")
            if item.direction in (None, "inbound") and path.startswith(uploads_under):
                history.uploads.setdefault(path, []).append(item)
            elif item.direction == "outbound" and path.startswith(orders_under):
                history.deliveries.setdefault(path, []).append(item)
        total = (body.get("paging") or {}).get("total_count")
        offset += len(results)
        if not results or (isinstance(total, int) and offset >= total):
            return history
    raise RuntimeError(f"SPS history since {since.isoformat()} is longer than {MAX_PAGES} pages")


def accepted(items: list[HistoryItem]) -> bool:
    """The last processing of the path ended accepted."""
    return _last_status(items) == "accepted"


def rejected(items: list[HistoryItem]) -> bool:
    """The last processing of the path ended rejected."""
    return _last_status(items) == "rejected"


def _last_status(items: list[HistoryItem]) -> str | None:
    return items[-1].statuses[-1] if items and items[-1].statuses else None
