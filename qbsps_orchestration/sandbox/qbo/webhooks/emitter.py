"""QBO change webhooks: queue change events from API writes and deliver them in the background.

Like Intuit, the sandbox batches events that happen within a short window (up to 100 per POST),
sends one realm at a time in occurrence order, signs every body with the app's verifier token,
and holds later events while a failing batch is retried (qbo.md §4.3–4.6). The API call that
caused an event never waits for delivery.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ...clock import SandboxClock
from ...settings import QboSandboxSettings
from ..oauth.http import json_object
from .delivery import DEFAULT_RETRY_DELAYS, DeliveryRecord, DeliveryTarget, deliver
from .payloads import CONTENT_TYPES, FORMATS, ChangeEvent, event_source

CONTROL_PATH = "/_sandbox/qbo/webhooks"
MAX_EVENTS_PER_POST = 100
LOG_SIZE = 500  # deliveries kept for inspection; older ones are forgotten
DEFAULT_CLOSE_TIMEOUT = 5.0


class WebhookEmitter:
    def __init__(
        self,
        settings: QboSandboxSettings,
        clock: SandboxClock,
        *,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        batch_window: float = 0.2,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.url: str | None = settings.webhook_url
        self.format: str = settings.webhook_format
        self.content_type = "application/json"
        self.retry_delays = tuple(float(d) for d in retry_delays)
        self.batch_window = batch_window
        self._queue: deque[ChangeEvent] = deque()
        self._pending = 0  # queued or being delivered
        self._log: deque[DeliveryRecord] = deque(maxlen=LOG_SIZE)
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None

    def notify(self, realm_id: str, entity: str, entity_id: str, operation: str, when: datetime) -> None:
        """Queue one change event (operation Create/Update/Delete/Void/Merge/Emailed); never blocks
        the API call. No-op when no URL is configured."""
        event = ChangeEvent(str(uuid.uuid4()), realm_id, entity, str(entity_id), operation, when)
        with self._cond:
            if self.url is None or self._stop.is_set():
                return
            self._queue.append(event)
            self._pending += 1
            self._ensure_worker()
            self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> None:
        """For tests: wait until every queued event was attempted (delivered or given up)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._pending == 0, timeout):
                raise TimeoutError(f"{self._pending} webhook event(s) still undelivered after {timeout} s")

    def close(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=DEFAULT_CLOSE_TIMEOUT)

    def deliveries(self) -> list[dict]:
        with self._cond:
            return [record.as_dict() for record in self._log]

    def routes(self) -> list[BaseRoute]:
        return [
            Route(CONTROL_PATH, self._get_state, methods=["GET"]),
            Route(CONTROL_PATH, self._change, methods=["POST"]),
        ]

    # --- worker --------------------------------------------------------------------------------

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._run, name="sandbox-qbo-webhooks", daemon=True)
            self._worker.start()

    def _run(self) -> None:
        with httpx.Client(trust_env=False) as client:  # loopback receivers: never via a proxy
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._queue or self._stop.is_set())
                    if self._stop.is_set():
                        self._abandon_queue()
                        return
                # Let events of the same moment gather into one POST, as Intuit does.
                self._stop.wait(self.batch_window)
                with self._cond:
                    if self._stop.is_set():
                        self._abandon_queue()
                        return
                    batch = self._take_batch()
                    target = self._target()
                record = None
                try:
                    if target is not None:  # None: the URL was removed while the events waited
                        token = self.settings.webhook_verifier_token
                        record = deliver(client, batch, target, token, self.clock, self._stop)
                finally:
                    # Even if delivery crashed, these events were attempted: flush() must not hang,
                    # and the next notify() starts a fresh worker.
                    with self._cond:
                        if record is not None:
                            self._log.append(record)
                        self._pending -= len(batch)
                        self._cond.notify_all()

    def _take_batch(self) -> list[ChangeEvent]:
        """Up to 100 oldest events of the oldest event's realm; other realms keep their order."""
        realm = self._queue[0].realm_id
        batch: list[ChangeEvent] = []
        rest: deque[ChangeEvent] = deque()
        while self._queue:
            event = self._queue.popleft()
            if event.realm_id == realm and len(batch) < MAX_EVENTS_PER_POST:
                batch.append(event)
            else:
                rest.append(event)
        self._queue = rest
        return batch

    def _target(self) -> DeliveryTarget | None:
        if self.url is None:
            return None
        return DeliveryTarget(
            self.url, self.format, self.content_type, event_source(self.settings.client_id), self.retry_delays
        )

    def _abandon_queue(self) -> None:
        self._pending -= len(self._queue)
        self._queue.clear()
        self._cond.notify_all()

    # --- control API ---------------------------------------------------------------------------

    def _state(self) -> dict:
        with self._cond:
            return {
                "url": self.url,
                "format": self.format,
                "content_type": self.content_type,
                "retry_delays": list(self.retry_delays),
                "batch_window_seconds": self.batch_window,
                "pending": self._pending,
                "deliveries": [record.as_dict() for record in self._log],
            }

    async def _get_state(self, _: Request) -> Response:
        return JSONResponse(self._state())

    async def _change(self, request: Request) -> Response:
        """Body keys (all optional): url (http(s) URL or null to stop sending), format
        (legacy|cloudevents), content_type, retry_delays (list of seconds), batch_window_seconds,
        clear_log (true)."""
        try:
            data = await json_object(request)
            _check_body(data)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        with self._cond:
            if "url" in data:
                self.url = data["url"]
            if "format" in data:
                self.format = data["format"]
            if "content_type" in data:
                self.content_type = data["content_type"]
            if "retry_delays" in data:
                self.retry_delays = tuple(float(d) for d in data["retry_delays"])
            if "batch_window_seconds" in data:
                self.batch_window = float(data["batch_window_seconds"])
            if data.get("clear_log"):
                self._log.clear()
        return JSONResponse(self._state())


_FIELDS = {"url", "format", "content_type", "retry_delays", "batch_window_seconds", "clear_log"}


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 60


def _check_body(data: dict) -> None:
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s) in webhooks control body: {', '.join(unknown)}")
    url = data.get("url")
    if url is not None and (
        not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc
    ):
        raise ValueError("webhooks control field url must be an absolute http(s) URL or null")
    if "format" in data and data["format"] not in FORMATS:
        raise ValueError(f"webhooks control field format must be one of {', '.join(FORMATS)}")
    if "content_type" in data and data["content_type"] not in CONTENT_TYPES:
        raise ValueError(f"webhooks control field content_type must be one of {', '.join(CONTENT_TYPES)}")
    delays = data.get("retry_delays")
    if delays is not None and (
        not isinstance(delays, list) or len(delays) > 10 or not all(_number(d) for d in delays)
    ):
        raise ValueError("webhooks control field retry_delays must be a list of at most 10 delays of 0-60 s")
    if "batch_window_seconds" in data and not _number(data["batch_window_seconds"]):
        raise ValueError("webhooks control field batch_window_seconds must be a number of seconds 0-60")
    if "clear_log" in data and not isinstance(data["clear_log"], bool):
        raise ValueError("webhooks control field clear_log must be true or false")
