"""Alerts to a chat channel: JSON ``{"text": ...}`` POSTed to an incoming webhook, which Slack and
Microsoft Teams (workflow webhooks) both accept. The URL is a secret: no message, log line or
error names more than its scheme and host."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from ..config import CredentialError
from ..config.alerts import WebhookAlertSettings
from ..http import RETRY_STATUSES, TRANSPORT_ERRORS, ApiSession
from .alert import Alert
from .notifier import NotifyError

log = logging.getLogger(__name__)


class _HideSecretPaths(logging.Filter):
    """urllib3 logs each request's path at DEBUG; a webhook's path is its secret."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.paths:
            text = record.getMessage()
            hidden = text
            for path in self.paths:
                hidden = hidden.replace(path, "/[redacted]")
            if hidden != text:
                record.msg, record.args = hidden, ()
        return True


_HIDDEN = _HideSecretPaths()
logging.getLogger("urllib3.connectionpool").addFilter(_HIDDEN)


class _TryAgain(Exception):
    """A 429/5xx answer or no answer: worth another attempt. Its message is safe."""


class WebhookNotifier:
    name = "webhook"

    def __init__(
        self,
        settings: WebhookAlertSettings,
        *,
        attempts: int = 3,
        base_seconds: float = 0.5,
        max_wait_seconds: float = 10.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._settings = settings
        self._attempts, self._base, self._max_wait = attempts, base_seconds, max_wait_seconds
        self._sleep = sleep

    def __repr__(self) -> str:
        return "WebhookNotifier()"

    def send(self, alert: Alert) -> None:
        try:
            url = self._settings.url.resolve()
        except CredentialError as exc:
            raise NotifyError(f"webhook not called: {exc}") from None
        parts = urlsplit(url)
        if len(parts.path) > 1 or parts.query:
            _HIDDEN.paths.add(parts.path + (f"?{parts.query}" if parts.query else ""))
            _HIDDEN.paths.add(parts.path)
        where = f"{parts.scheme}://{parts.hostname}" if parts.hostname else "the webhook"
        with ApiSession(self._settings.timeout_seconds) as http:

            def post() -> None:
                try:
                    response = http.post(url, json={"text": alert.text})
                except TRANSPORT_ERRORS as exc:  # its text quotes the URL: only the type goes on
                    raise _TryAgain(f"no answer from {where} ({type(exc).__name__})") from None
                if response.status_code in RETRY_STATUSES:
                    raise _TryAgain(f"{where} answered HTTP {response.status_code}")
                if not 200 <= response.status_code < 300:
                    status = response.status_code
                    raise NotifyError(f"webhook refused the alert: {where} answered HTTP {status}")

            try:
                self._retrying()(post)
            except _TryAgain as exc:
                raise NotifyError(f"webhook not reached after {self._attempts} attempts: {exc}") from None
            except requests.RequestException as exc:  # e.g. an invalid URL: never echo it
                raise NotifyError(f"webhook not called: {type(exc).__name__}") from None

    def _retrying(self) -> Retrying:
        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            attempt, attempts = state.attempt_number, self._attempts
            log.warning("alert webhook: %s; retrying (attempt %d of %d)", exc, attempt, attempts)

        kwargs = {"sleep": self._sleep} if self._sleep is not None else {}
        return Retrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_random_exponential(multiplier=self._base, max=self._max_wait),
            retry=retry_if_exception_type(_TryAgain),
            before_sleep=before_sleep,
            reraise=True,
            **kwargs,
        )
