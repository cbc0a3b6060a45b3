"""The QBO webhook receiver answers at `webhooks.receiver_url`, and its verifier token is set."""

from __future__ import annotations

import requests

from ..config import CredentialError, QbspsConfig
from ..http import ApiSession
from ..webhooks import HEALTH_PATH
from .results import CheckResult, failed, passed, problem_text

RECEIVER = "webhook receiver"
VERIFIER_TOKEN = "webhook verifier token"


def check_receiver(config: QbspsConfig, *, timeout_seconds: float) -> CheckResult:
    url = f"{str(config.webhooks.receiver_url).rstrip('/')}{HEALTH_PATH}"
    start = "start it with qbsps webhooks serve, or set webhooks.receiver_url to where it runs"
    try:
        with ApiSession(timeout_seconds, trust_env=False) as http:  # loopback: never via a proxy
            response = http.get(url)
    except requests.RequestException as exc:
        return failed(RECEIVER, f"nothing answers at {url}: {problem_text(exc)}", start)
    if response.status_code != 200:
        return failed(RECEIVER, f"GET {url} answered HTTP {response.status_code}", start)
    try:
        healthy = response.json().get("status") == "ok"
    except (ValueError, AttributeError):
        healthy = False
    if not healthy:
        return failed(RECEIVER, f"{url} answers, but not as the qbsps webhook receiver", start)
    return passed(RECEIVER, f"{url} answers ok")


def check_verifier_token(config: QbspsConfig) -> CheckResult:
    source = config.qbo.webhook_verifier_token
    if source is None:
        fix = (
            "copy the verifier token from the Intuit developer portal (your app, Webhooks) into "
            "qbo.webhook_verifier_token, e.g. {env: QBSPS_QBO_WEBHOOK_VERIFIER_TOKEN}"
        )
        return failed(VERIFIER_TOKEN, "qbo.webhook_verifier_token is not set", fix)
    try:
        source.resolve()
    except CredentialError as exc:
        return failed(VERIFIER_TOKEN, problem_text(exc), "provide the credential it names")
    return passed(VERIFIER_TOKEN, f"set ({source.describe()})")
