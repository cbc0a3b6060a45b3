"""The alert sensors through Dagster against the sandbox: a real failed inbound run gives one
run-failure alert, a document left failed past the threshold one stuck-document alert, both by
email (a real SMTP server) and webhook; without an alerts: section both sensors skip."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest
import sqlalchemy as sa
import yaml

from qbsps_orchestration.defs.alerts.sensors import alert_conditions_sensor, run_failure_alert_sensor
from qbsps_tests.defs.inbound.helpers import GOOD_LINE, launch, order, resources, tick
from qbsps_tests.lib.alerts.servers import (
    SMTP_PASSWORD,
    WEBHOOK_SECRET_PATH,
    SmtpInbox,
    WebhookInbox,
    channels_config,
    smtp_server,
    webhook_server,
)
from qbsps_tests.sandboxed import SandboxedConnector

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
UNKNOWN_ITEM = [{**GOOD_LINE, "BuyerPartNumber": "NOPE", "ConsumerPackageCode": None}]


@pytest.fixture
def channels() -> Iterator[tuple[SmtpInbox, WebhookInbox]]:
    with smtp_server(login=True) as smtp, webhook_server() as webhook:
        yield smtp, webhook


def _configure_alerts(c: SandboxedConnector, smtp: SmtpInbox, webhook: WebhookInbox) -> None:
    data = yaml.safe_load(c.config_path.read_text())
    data["alerts"] = {**channels_config(smtp, webhook), "stuck_after_minutes": 60}
    c.config_path.write_text(yaml.safe_dump(data, sort_keys=False))


def _failure_sensor(instance: dg.DagsterInstance, c: SandboxedConnector, run_id: str) -> object:
    """What the daemon does when it sees the run's failure event."""
    run = instance.get_run_by_id(run_id)
    assert run is not None
    [failure] = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    assert failure.dagster_event is not None
    with dg.build_run_status_sensor_context(
        sensor_name=run_failure_alert_sensor.name,
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
        resources=resources(c),
    ) as context:
        return run_failure_alert_sensor(context.for_run_failure())


def _conditions(instance: dg.DagsterInstance, c: SandboxedConnector) -> dg.SkipReason:
    with dg.build_sensor_context(instance=instance, resources=resources(c)) as context:
        result = alert_conditions_sensor(context)
    assert isinstance(result, dg.SkipReason)
    return result


def _age_documents(c: SandboxedConnector, by: timedelta) -> None:
    engine = sa.create_engine(c.config.ledger.url)
    at = datetime.now(UTC) - by
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE documents SET updated_at = :at"), {"at": at})
        connection.execute(sa.text("UPDATE document_versions SET received_at = :at"), {"at": at})
    engine.dispose()


def test_a_failed_run_and_a_stuck_document_each_alert_once(
    instance: dg.DagsterInstance,
    inbound: SandboxedConnector,
    channels: tuple[SmtpInbox, WebhookInbox],
    caplog: pytest.LogCaptureFixture,
) -> None:
    smtp, webhook = channels
    c = inbound
    _configure_alerts(c, smtp, webhook)
    c.box.sps.put_file(c.orders_folder + "PO-ALERT-1.json", order("PO-ALERT-1", UNKNOWN_ITEM))
    [request] = tick(instance, c, None).run_requests
    run = launch(instance, request)
    assert not run.success

    webhook.answers = [500, 500, 500]  # the chat webhook is down while the run fails
    with caplog.at_level(logging.DEBUG):
        assert _failure_sensor(instance, c, run.run_id) is None
    [mail] = smtp.mails
    assert mail.message["Subject"] == "[qbsps] inbound_purchase_orders_job failed"
    assert f"Dagster run {run.run_id} of inbound_purchase_orders_job failed" in mail.body
    assert "PO-ALERT-1.json: LineItem[0].OrderLine: unknown item" in mail.body
    assert webhook.texts == [] and "alert run_failure:" in caplog.text  # kept, not sent there yet

    with caplog.at_level(logging.DEBUG):
        assert _failure_sensor(instance, c, run.run_id) is None  # reported again: no second email,
        assert webhook.texts == [f"inbound_purchase_orders_job failed\n\n{mail.body.rstrip()}"]  # retried
        assert len(smtp.mails) == 1
        # Not stuck yet: it failed just now.
        assert _conditions(instance, c).skip_message.startswith("alerts sent: 0,")
        _age_documents(c, timedelta(hours=2))
        first = _conditions(instance, c).skip_message
        second = _conditions(instance, c).skip_message
    assert first.startswith("alerts sent: 1,") and second.startswith("alerts sent: 0,")
    stuck = smtp.mails[1]
    assert stuck.message["Subject"].startswith("[qbsps] Order PO-ALERT-1 (from trading partner SPSALLTESTID)")
    assert "unknown item" in stuck.body and "qbsps replay" in stuck.body
    assert len(smtp.mails) == 2 and len(webhook.texts) == 2

    texts = [m.body + str(m.message["Subject"]) for m in smtp.mails] + webhook.texts
    texts += [first, second, caplog.text]
    for text in texts:
        assert SMTP_PASSWORD not in text and WEBHOOK_SECRET_PATH not in text and webhook.url not in text


def test_without_an_alerts_section_both_sensors_skip(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    c.box.sps.put_file(c.orders_folder + "PO-ALERT-2.json", order("PO-ALERT-2", UNKNOWN_ITEM))
    [request] = tick(instance, c, None).run_requests
    run = launch(instance, request)
    assert not run.success
    skipped = _failure_sensor(instance, c, run.run_id)
    assert isinstance(skipped, dg.SkipReason) and "alerts are not configured" in (skipped.skip_message or "")
    assert "alerts are not configured" in (_conditions(instance, c).skip_message or "")
    assert c.ledger.alerts.stored() == []


@dg.op
def _leaky_op() -> None:
    raise RuntimeError(f"login refused for {SMTP_PASSWORD} via postgresql://qbsps:pg-pass-31@db/ledger")


@dg.job
def leaky_job() -> None:
    _leaky_op()


def test_a_failure_reason_quoting_a_secret_is_redacted(
    instance: dg.DagsterInstance, inbound: SandboxedConnector, channels: tuple[SmtpInbox, WebhookInbox]
) -> None:
    smtp, webhook = channels
    _configure_alerts(inbound, smtp, webhook)
    run = leaky_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not run.success
    assert _failure_sensor(instance, inbound, run.run_id) is None
    [mail] = smtp.mails
    assert (
        "step _leaky_op: RuntimeError: login refused for [redacted] via postgresql://[redacted]@db"
        in mail.body
    )
    [stored] = inbound.ledger.alerts.stored()
    for text in (mail.body, webhook.texts[0], stored.body):
        assert SMTP_PASSWORD not in text and "pg-pass-31" not in text
