"""QBO webhook bodies (legacy ``eventNotifications`` and CloudEvents 1.0) and their signature.

Shapes follow qbo.md §4.3–4.5 and the samples in reference/qbo_samples. Bodies are built as bytes
once and signed over exactly those bytes, because a receiver must verify the raw body it got.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

# Legacy operation name -> CloudEvents verb (only created/updated/deleted are confirmed by Intuit;
# the rest follow the same past-tense pattern).
OPERATIONS = {
    "Create": "created",
    "Update": "updated",
    "Delete": "deleted",
    "Void": "voided",
    "Merge": "merged",
    "Emailed": "emailed",
}
FORMATS = ("legacy", "cloudevents")
CONTENT_TYPES = ("application/json", "application/cloudevents+json")


@dataclass(frozen=True)
class ChangeEvent:
    event_id: str
    realm_id: str
    entity: str
    entity_id: str
    operation: str
    when: datetime

    def __post_init__(self) -> None:
        if self.operation not in OPERATIONS:
            raise ValueError(
                f"webhook event operation {self.operation!r} is not one of {', '.join(OPERATIONS)}"
            )
        if self.when.tzinfo is None:
            raise ValueError("webhook event time must be timezone-aware")
        if not self.entity or not self.entity_id or not self.realm_id:
            raise ValueError("webhook event needs realm_id, entity and entity_id")


def iso_millis(when: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a Z, as in Intuit's samples."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def legacy_body(events: Sequence[ChangeEvent]) -> bytes:
    notifications: list[dict] = []
    by_realm: dict[str, list[dict]] = {}
    for event in events:
        if event.realm_id not in by_realm:
            by_realm[event.realm_id] = []
            notifications.append(
                {"realmId": event.realm_id, "dataChangeEvent": {"entities": by_realm[event.realm_id]}}
            )
        by_realm[event.realm_id].append(
            {
                "name": event.entity,
                "id": event.entity_id,
                "operation": event.operation,
                "lastUpdated": iso_millis(event.when),
            }
        )
    return json.dumps({"eventNotifications": notifications}).encode("utf-8")


def cloudevents_body(events: Sequence[ChangeEvent], source: str) -> bytes:
    return json.dumps(
        [
            {
                "specversion": "1.0",
                "id": event.event_id,
                "source": source,
                "type": f"qbo.{event.entity.lower()}.{OPERATIONS[event.operation]}.v1",
                "datacontenttype": "application/json",
                "time": iso_millis(event.when),
                "intuitentityid": event.entity_id,
                "intuitaccountid": event.realm_id,
                "data": {},  # Intuit's blog sample sends {}; receivers must re-read the entity anyway
            }
            for event in events
        ]
    ).encode("utf-8")


def event_source(client_id: str) -> str:
    """A stable per-app ``source``; Intuit's is an opaque app identifier under ``intuit.``."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(client_id.encode()).digest()).decode().rstrip("=")
    return f"intuit.{digest}"


def sign(body: bytes, verifier_token: str) -> str:
    """The ``intuit-signature`` header: base64(HMAC-SHA256(key=verifier token, msg=raw body))."""
    return base64.b64encode(hmac.new(verifier_token.encode("utf-8"), body, hashlib.sha256).digest()).decode()


def verify(body: bytes, signature: str, verifier_token: str) -> bool:
    return hmac.compare_digest(sign(body, verifier_token), signature)
