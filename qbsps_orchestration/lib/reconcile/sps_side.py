"""What SPS recorded: its processing history of every upload to the upload folder since a day."""

from __future__ import annotations

from datetime import datetime

from ..sps import SpsClient
from ..sps.client import HISTORY_PAGE, HistoryItem

MAX_PAGES = 10_000  # a million history entries: far beyond one reconciliation window


def upload_history(sps: SpsClient, upload_folder: str, since: datetime) -> dict[str, list[HistoryItem]]:
    """Uploads (direction inbound) under ``upload_folder``, by path without its leading slash,
    oldest first."""
    folder = upload_folder.strip("/") + "/"
    found: dict[str, list[HistoryItem]] = {}
    offset = 0
    for _ in range(MAX_PAGES):
        body = sps.history(limit=HISTORY_PAGE, offset=offset, after=since)
        results = body.get("results") or []
        for item in map(HistoryItem.of, results):
            path = item.path.lstrip("/")
            if item.direction in (None, "inbound") and path.startswith(folder):
                found.setdefault(path, []).append(item)
        total = (body.get("paging") or {}).get("total_count")
        offset += len(results)
        if not results or (isinstance(total, int) and offset >= total):
            return found
    raise RuntimeError(f"SPS history since {since.isoformat()} is longer than {MAX_PAGES} pages")


def accepted(items: list[HistoryItem]) -> bool:
    """The last processing of the path ended accepted."""
    return bool(items) and bool(items[-1].statuses) and items[-1].statuses[-1] == "accepted"
