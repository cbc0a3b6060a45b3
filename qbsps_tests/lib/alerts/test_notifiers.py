"""SmtpNotifier against a real SMTP server (plain with a login, and STARTTLS), WebhookNotifier
against a real HTTP server; failures say what failed without the password or the webhook URL."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from qbsps_orchestration.lib.alerts import (
    Alert,
    AlertKind,
    NotifyError,
    SmtpNotifier,
    WebhookNotifier,
    notifiers_from,
)
from qbsps_orchestration.lib.config.alerts import AlertSettings, SmtpSettings

from .conftest import alert_settings
from .servers import (
    SMTP_PASSWORD,
    SMTP_USER,
    WEBHOOK_SECRET_PATH,
    SmtpInbox,
    WebhookInbox,
    free_port,
    self_signed,
    smtp_server,
)

# The plain-SMTP login case: a local test server, so no TLS before AUTH on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

ALERT = Alert(
    AlertKind.STUCK_DOCUMENT,
    "7",
    "Order PO-9 stuck: failed",
    "Order PO-9 (from trading partner SPSALLTESTID) has been failed since ...\nWhat to do: replay it.",
)


def test_an_email_reaches_every_recipient_with_subject_and_body(smtp: SmtpInbox) -> None:
    settings = alert_settings(smtp, None)
    [notifier] = notifiers_from(settings)
    notifier.send(ALERT)
    [mail] = smtp.mails
    assert mail.mail_from == "qbsps@example.com"
    assert mail.recipients == ["ops@example.com", "books@example.com"]
    assert mail.message["Subject"] == "[qbsps] Order PO-9 stuck: failed"
    assert mail.message["To"] == "ops@example.com, books@example.com"
    assert mail.message["X-Qbsps-Alert"] == "stuck_document:7"
    assert mail.body.rstrip("\n") == ALERT.body
    assert smtp.logins == [SMTP_USER]


def test_starttls_then_login(tmp_path: Path) -> None:
    server_tls, client_tls = self_signed(tmp_path)
    with smtp_server(server_tls, login=True) as inbox:
        settings = SmtpSettings.model_validate(
            {
                "host": inbox.host,
                "port": inbox.port,
                "starttls": True,
                "username": SMTP_USER,
                "password": {"value": SMTP_PASSWORD},
                "sender": "qbsps@example.com",
                "recipients": ["ops@example.com"],
            }
        )
        SmtpNotifier(settings, tls_context=client_tls).send(ALERT)
        # Without STARTTLS this server refuses the mail: the message says so, and no password.
        plain = SmtpNotifier(settings.model_copy(update={"starttls": False}))
        with pytest.raises(NotifyError) as refused:
            plain.send(ALERT)
    assert [m.message["Subject"] for m in inbox.mails] == ["[qbsps] Order PO-9 stuck: failed"]
    assert "email not sent" in str(refused.value) and SMTP_PASSWORD not in str(refused.value)


def test_a_refused_login_or_no_server_is_a_notify_error_without_the_password(smtp: SmtpInbox) -> None:
    wrong = alert_settings(smtp, None).smtp
    assert wrong is not None
    wrong_password = "wrong-pass-Yt55"
    wrong = SmtpSettings.model_validate(
        {**wrong.model_dump(exclude={"password"}), "password": {"value": wrong_password}}
    )
    with pytest.raises(NotifyError) as refused:
        SmtpNotifier(wrong).send(ALERT)
    assert "535" in str(refused.value) and wrong_password not in str(refused.value)
    nobody = wrong.model_copy(update={"port": free_port()})
    with pytest.raises(NotifyError) as unreachable:
        SmtpNotifier(nobody).send(ALERT)
    assert f"127.0.0.1:{nobody.port}" in str(unreachable.value) and wrong_password not in str(
        unreachable.value
    )
    assert smtp.mails == []


def test_the_webhook_gets_the_text_and_retries_a_503(
    webhook: WebhookInbox, caplog: pytest.LogCaptureFixture
) -> None:
    webhook.answers = [503, 429]
    settings = alert_settings(None, webhook).webhook
    assert settings is not None
    with caplog.at_level(logging.DEBUG):
        WebhookNotifier(settings, sleep=lambda _: None).send(ALERT)
    assert webhook.texts == [ALERT.text] and webhook.calls == 3
    assert "HTTP 503" in caplog.text and WEBHOOK_SECRET_PATH not in caplog.text


def test_webhook_failures_never_name_its_secret_path(
    webhook: WebhookInbox, caplog: pytest.LogCaptureFixture
) -> None:
    settings = alert_settings(None, webhook).webhook
    assert settings is not None
    webhook.answers = [404]
    with pytest.raises(NotifyError) as refused:
        WebhookNotifier(settings).send(ALERT)
    webhook.answers = [503] * 3
    with caplog.at_level(logging.DEBUG), pytest.raises(NotifyError) as exhausted:
        WebhookNotifier(settings, sleep=lambda _: None).send(ALERT)
    unreachable_url = f"http://127.0.0.1:{free_port()}{WEBHOOK_SECRET_PATH}"
    dead = AlertSettings.model_validate({"webhook": {"url": {"value": unreachable_url}}}).webhook
    assert dead is not None
    with caplog.at_level(logging.DEBUG), pytest.raises(NotifyError) as no_answer:
        WebhookNotifier(dead, attempts=2, sleep=lambda _: None).send(ALERT)
    texts = [str(refused.value), str(exhausted.value), str(no_answer.value), caplog.text]
    assert "HTTP 404" in texts[0] and "after 3 attempts" in texts[1] and "no answer" in texts[2]
    for text in texts:
        assert WEBHOOK_SECRET_PATH not in text and "webhookSecret9Xy" not in text
    assert repr(WebhookNotifier(settings)) == "WebhookNotifier()" and webhook.texts == []
