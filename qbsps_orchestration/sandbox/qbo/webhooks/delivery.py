"""One webhook delivery: POST a signed batch, retrying on failure with the same body and event ids.

Intuit wants a 2xx within 3 seconds and otherwise re-sends (qbo.md §4.6). Its real schedule runs
from 10 s to every 6 h; the sandbox keeps the shape (growing delays, a final give-up) but in
fractions of a second so tests see retries without waiting.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from ...clock import SandboxClock
from .payloads import ChangeEvent, cloudevents_body, legacy_body, sign

DELIVERY_TIMEOUT_SECONDS = 3.0
DEFAULT_RETRY_DELAYS = (0.2, 0.5, 1.0)


@dataclass(frozen=True)
class DeliveryTarget:
    """Where and how one batch goes; fixed when the batch starts so retries re-send the same bytes."""

    url: str
    format: str
    content_type: str
    source: str
    retry_delays: tuple[float, ...]


@dataclass
class DeliveryRecord:
    delivery_id: str
    url: str
    format: str
    realm_id: str
    event_ids: list[str]
    attempts: list[dict] = field(default_factory=list)
    outcome: str = "pending"  # delivered | failed | abandoned

    @property
    def status_code(self) -> int | None:
        return self.attempts[-1]["status_code"] if self.attempts else None

    def as_dict(self) -> dict:
        return {
            "delivery_id": self.delivery_id,
            "url": self.url,
            "format": self.format,
            "realm_id": self.realm_id,
            "event_ids": list(self.event_ids),
            "status_code": self.status_code,
            "attempts": len(self.attempts),
            "attempt_log": list(self.attempts),
            "outcome": self.outcome,
        }


def build_body(events: Sequence[ChangeEvent], target: DeliveryTarget) -> bytes:
    return legacy_body(events) if target.format == "legacy" else cloudevents_body(events, target.source)


def deliver(
    client: httpx.Client,
    events: Sequence[ChangeEvent],
    target: DeliveryTarget,
    verifier_token: str,
    clock: SandboxClock,
    stop: threading.Event,
) -> DeliveryRecord:
    """POST the batch until a 2xx, the retries run out, or the emitter is closing."""
    body = build_body(events, target)
    headers = {
        # Legacy webhooks are plain JSON; CloudEvents may come as application/cloudevents+json.
        "Content-Type": "application/json" if target.format == "legacy" else target.content_type,
        "intuit-signature": sign(body, verifier_token),
    }
    record = DeliveryRecord(
        delivery_id=uuid.uuid4().hex,
        url=target.url,
        format=target.format,
        realm_id=events[0].realm_id,
        event_ids=[e.event_id for e in events],
    )
    for attempt in range(len(target.retry_delays) + 1):
        status_code: int | None = None
        error: str | None = None
        try:
            response = client.post(
                target.url, content=body, headers=headers, timeout=DELIVERY_TIMEOUT_SECONDS
            )
            status_code = response.status_code
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            error = type(exc).__name__  # the message may echo the URL; the type says enough
        record.attempts.append({"at": clock.now().isoformat(), "status_code": status_code, "error": error})
        if status_code is not None and 200 <= status_code < 300:
            record.outcome = "delivered"
            return record
        if attempt < len(target.retry_delays) and stop.wait(target.retry_delays[attempt]):
            record.outcome = "abandoned"  # the emitter is closing; do not hold shutdown for retries
            return record
    record.outcome = "failed"
    return record
