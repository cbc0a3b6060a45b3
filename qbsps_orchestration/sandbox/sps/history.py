"""The Transaction API's processing history (``GET /transactions/v5/history``).

Each entry follows one file: an upload to ``in/`` (direction ``inbound``: into SPS) goes
``received`` -> ``accepted`` | ``rejected`` (with reasons); a document SPS delivers to ``out/``
(direction ``outbound``) goes ``delivered`` -> ``deleted`` once the client removes it.
Field names follow ugp-io/spscommerce's Go model; the status words are the sandbox's own.
Real history "can lag transfers by five minutes": ``lag_seconds`` (set through
``/_sandbox/sps/history-lag``; 0 by default) hides an entry from the public API until it is that
old on the sandbox clock, so clients can be tested against the lag.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from ..clock import SandboxClock

Direction = Literal["inbound", "outbound"]
DATA_PREFIX = "/transactions/v5/data/"


def format_timestamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def parse_bound(value: str) -> datetime:
    """``after``/``until`` are ``YYYY-MM-DDTHH:mm:ss`` without a zone (UTC); an offset is accepted."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a date-time of the form YYYY-MM-DDTHH:mm:ss") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class HistoryEntry:
    id: str
    path: str  # mailbox path without the leading slash
    direction: Direction
    store_mode: str  # "create" or "overwrite"
    created: datetime
    document_type: str | None = None
    status_log: list[dict] = field(default_factory=list)

    def as_item(self, base_url: str) -> dict:
        return {
            "id": self.id,
            "path": "/" + self.path,
            "url": base_url + DATA_PREFIX + self.path,
            "type": "file",
            "document_type": self.document_type,
            "direction": self.direction,
            "store_mode": self.store_mode,
            "status_log": [dict(s) for s in self.status_log],
        }


class History:
    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: list[HistoryEntry] = []
        self.lag_seconds = 0.0

    def record(
        self, path: str, direction: Direction, store_mode: str, status: str, document_type: str | None = None
    ) -> HistoryEntry:
        now = self._clock.now()
        with self._lock:
            entry = HistoryEntry(
                id=f"{len(self._entries) + 1:08d}",
                path=path,
                direction=direction,
                store_mode=store_mode,
                created=now,
                document_type=document_type,
                status_log=[{"status": status, "timestamp": format_timestamp(now)}],
            )
            self._entries.append(entry)
        return entry

    def add_status(
        self,
        entry: HistoryEntry,
        status: str,
        reasons: list[str] | None = None,
        document_type: str | None = None,
    ) -> None:
        item: dict = {"status": status, "timestamp": format_timestamp(self._clock.now())}
        if reasons:
            item["reasons"] = list(reasons)
        with self._lock:
            entry.status_log.append(item)
            if document_type:
                entry.document_type = document_type

    def latest_for(self, path: str, direction: Direction) -> HistoryEntry | None:
        with self._lock:
            for entry in reversed(self._entries):
                if entry.path == path and entry.direction == direction:
                    return entry
        return None

    def query(self, after: datetime | None = None, until: datetime | None = None) -> list[HistoryEntry]:
        """Entries created in (after, until], oldest first."""
        with self._lock:
            return [
                e
                for e in self._entries
                if (after is None or e.created > after) and (until is None or e.created <= until)
            ]

    def published(self, after: datetime | None = None, until: datetime | None = None) -> list[HistoryEntry]:
        """What the public API shows: entries at least ``lag_seconds`` old on the sandbox clock."""
        visible_until = self._clock.now() - timedelta(seconds=self.lag_seconds)
        return [e for e in self.query(after, until) if e.created <= visible_until]
