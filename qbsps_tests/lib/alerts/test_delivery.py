"""Each alert is sent once until its cause clears, through every channel; a channel that did not
take it gets it at the next evaluation (and only that channel); the ledger keeps the record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qbsps_orchestration.lib.alerts import (
    Alert,
    AlertKind,
    Notifier,
    Redactor,
    SmtpNotifier,
    WebhookNotifier,
    deliver_unsent,
    evaluate,
)
from qbsps_orchestration.lib.ledger import Ledger

from .conftest import alert_settings
from .servers import SMTP_PASSWORD, WEBHOOK_SECRET_PATH, SmtpInbox, WebhookInbox

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
STUCK = Alert(AlertKind.STUCK_DOCUMENT, "12", "Order PO-12 stuck: failed", "Order PO-12 ... replay it.")


def _channels(smtp: SmtpInbox, webhook: WebhookInbox) -> list[Notifier]:
    settings = alert_settings(smtp, webhook)
    assert settings.smtp is not None and settings.webhook is not None
    return [SmtpNotifier(settings.smtp), WebhookNotifier(settings.webhook, sleep=lambda _: None)]


def test_the_same_alert_twice_is_one_message_and_after_its_cause_cleared_a_second(
    ledger: Ledger, smtp: SmtpInbox, webhook: WebhookInbox
) -> None:
    channels = _channels(smtp, webhook)
    first = evaluate(ledger, channels, [STUCK], NOW, kinds=[AlertKind.STUCK_DOCUMENT])
    again = evaluate(ledger, channels, [STUCK], NOW + timedelta(minutes=5), kinds=[AlertKind.STUCK_DOCUMENT])
    assert first.sent == ["stuck_document:12"] and again.sent == []
    assert len(smtp.mails) == 1 and len(webhook.texts) == 1

    cleared = evaluate(ledger, channels, [], NOW + timedelta(minutes=10), kinds=[AlertKind.STUCK_DOCUMENT])
    assert cleared.cleared == 1 and ledger.alerts.stored() == []
    back = evaluate(ledger, channels, [STUCK], NOW + timedelta(minutes=15), kinds=[AlertKind.STUCK_DOCUMENT])
    assert back.sent == ["stuck_document:12"]
    assert len(smtp.mails) == 2 and webhook.texts == [STUCK.text, STUCK.text]
    [stored] = ledger.alerts.stored()
    assert stored.delivered_to == {"email", "webhook"} and stored.raised_at == NOW + timedelta(minutes=15)


def test_only_the_kinds_checked_are_cleared(ledger: Ledger, smtp: SmtpInbox, webhook: WebhookInbox) -> None:
    channels = _channels(smtp, webhook)
    run = Alert(AlertKind.RUN_FAILURE, "run-1", "job failed", "Reason: boom")
    evaluate(ledger, channels, [run, STUCK], NOW)
    evaluate(ledger, channels, [], NOW, kinds=[AlertKind.RECONNECT_NEEDED])  # e.g. its check failed
    assert [a.dedup_key for a in ledger.alerts.stored()] == ["run_failure:run-1", "stuck_document:12"]
    assert len(smtp.mails) == 2


def test_a_failed_send_is_retried_at_the_next_evaluation_on_that_channel_only(
    ledger: Ledger, smtp: SmtpInbox, webhook: WebhookInbox
) -> None:
    channels = _channels(smtp, webhook)
    webhook.answers = [500, 500, 500]  # the webhook's three attempts all fail
    first = evaluate(ledger, channels, [STUCK], NOW)
    assert first.sent == [] and [key for key, _ in first.failed] == ["stuck_document:12"]
    [stored] = ledger.alerts.stored()
    assert stored.sent_at is None and stored.delivered_to == {"email"} and stored.attempts == 1
    assert (
        stored.last_error
        == "webhook: webhook not reached after 3 attempts: http://127.0.0.1 answered HTTP 500"
    )

    second = deliver_unsent(ledger, channels, NOW + timedelta(minutes=5))
    assert second.sent == ["stuck_document:12"]
    assert len(smtp.mails) == 1 and webhook.texts == [STUCK.text]  # email not sent twice
    [stored] = ledger.alerts.stored()
    assert stored.sent_at == NOW + timedelta(minutes=5) and stored.last_error is None


def test_with_no_channel_nothing_counts_as_sent(
    ledger: Ledger, smtp: SmtpInbox, webhook: WebhookInbox
) -> None:
    evaluate(ledger, [], [STUCK], NOW)
    assert ledger.alerts.stored()[0].sent_at is None
    assert evaluate(ledger, _channels(smtp, webhook), [], NOW).sent == ["stuck_document:12"]


def test_an_alert_being_sent_by_another_process_is_not_sent_again(
    ledger: Ledger, smtp: SmtpInbox, webhook: WebhookInbox
) -> None:
    ledger.alerts.raise_alerts([STUCK], NOW)
    [claimed] = ledger.alerts.claim_unsent(NOW)  # another sensor is sending it now
    assert deliver_unsent(ledger, _channels(smtp, webhook), NOW + timedelta(minutes=1)).sent == []
    # Its process died before recording: once the claim lapses it is sent (at least once).
    assert deliver_unsent(ledger, _channels(smtp, webhook), NOW + timedelta(minutes=6)).sent == [
        claimed.dedup_key
    ]


def test_no_secret_reaches_alert_text_the_ledger_or_errors(
    ledger: Ledger, smtp: SmtpInbox, webhook: WebhookInbox
) -> None:
    leaky = Alert(
        AlertKind.RUN_FAILURE,
        "run-2",
        "job failed",
        f"Reason: could not log in with {SMTP_PASSWORD} at postgresql://qbsps:pg-secret-77@db/ledger "
        f"posting to {webhook.url}",
    )
    redact = Redactor([SMTP_PASSWORD, webhook.url])  # as Redactor.for_config finds them
    webhook.answers = [500, 500, 500]
    delivery = evaluate(ledger, _channels(smtp, webhook), [leaky], NOW, redact=redact)
    [stored] = ledger.alerts.stored()
    seen = [smtp.mails[0].body, smtp.mails[0].message["Subject"], stored.body, stored.last_error or ""]
    seen += [error for _, error in delivery.failed]
    for text in seen:
        assert SMTP_PASSWORD not in text and "pg-secret-77" not in text and WEBHOOK_SECRET_PATH not in text
    assert "[redacted]" in smtp.mails[0].body


def test_old_sent_run_failures_and_old_cleared_alerts_are_forgotten(
    ledger: Ledger, smtp: SmtpInbox, webhook: WebhookInbox
) -> None:
    channels = _channels(smtp, webhook)
    run = Alert(AlertKind.RUN_FAILURE, "run-3", "job failed", "Reason: boom")
    other = Alert(AlertKind.STUCK_DOCUMENT, "13", "Order PO-13 stuck: failed", "...")
    evaluate(ledger, channels, [run, STUCK, other], NOW, kinds=[AlertKind.STUCK_DOCUMENT])
    evaluate(ledger, channels, [other], NOW + timedelta(days=1), kinds=[AlertKind.STUCK_DOCUMENT])
    assert ledger.alerts.forget([AlertKind.RUN_FAILURE.value], NOW) == 0  # nothing older than NOW
    assert ledger.alerts.forget([AlertKind.RUN_FAILURE.value], NOW + timedelta(days=2)) == 2
    assert [a.dedup_key for a in ledger.alerts.stored(include_cleared=True)] == ["stuck_document:13"]


def test_in_a_deployment_of_several_companies_each_alert_names_its_company(
    ledger: Ledger, smtp: SmtpInbox, webhook: WebhookInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QBSPS_COMPANY", "acme")
    evaluate(ledger, _channels(smtp, webhook), [STUCK], NOW)
    assert webhook.texts == [f"acme: {STUCK.text}"]
    assert [mail.message["Subject"] for mail in smtp.mails] == [f"[qbsps] acme: {STUCK.subject}"]
