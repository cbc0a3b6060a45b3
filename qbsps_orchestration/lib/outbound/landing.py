"""Did an unconfirmed upload land? Ask SPS before sending it again.

An upload whose answer never came (a 5xx, a cut connection, a crash before the ledger was updated)
may or may not have reached SPS. The file name is deterministic, so SPS can tell: the file may still
sit in the upload folder, or SPS may have processed it and recorded it in its history. History can
lag a transfer by minutes, so an upload confirmed by neither counts as absent only once that lag
has passed since it was sent; until then it is unknown and the next pass asks again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ..sps import SpsClient

# History times come from SPS's clock: look a little before the upload so a skew cannot hide it.
CLOCK_TOLERANCE = timedelta(seconds=30)


class Landing(StrEnum):
    LANDED = "landed"  # SPS holds it: adopt it, never send it again
    ABSENT = "absent"  # not there after the history lag: safe to send again
    UNKNOWN = "unknown"  # not seen yet, but history may still be lagging: ask again later


def find_landing(
    sps: SpsClient,
    path: str,
    content: bytes,
    *,
    sent_at: datetime,
    lag: timedelta,
    now: datetime | None = None,
) -> tuple[Landing, str]:
    """Where SPS shows the upload of ``content`` to ``path`` begun at ``sent_at``, and why."""
    waiting = sps.file_if_present(path)
    if waiting is not None and waiting == content:
        return Landing.LANDED, f"{path} is in the upload folder, waiting for SPS to process it"
    entries = sps.uploads_of(path, after=sent_at - CLOCK_TOLERANCE)
    if entries:
        statuses = ", ".join(entries[-1].statuses) or "recorded"
        return Landing.LANDED, f"{path} is in the SPS history ({statuses})"
    waited = (now or datetime.now(UTC)) - sent_at
    if waited >= lag:
        return Landing.ABSENT, (
            f"{path} is neither in the upload folder nor in the SPS history "
            f"{int(waited.total_seconds())}s after it was sent: it never landed"
        )
    return Landing.UNKNOWN, (
        f"{path}: the upload's answer was lost and SPS does not show it yet; its history can lag "
        f"{int(lag.total_seconds())}s, so qbsps asks again on the next pass before sending it again"
    )
