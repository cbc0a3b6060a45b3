"""run_failure_alert_sensor (each failed run, once) and alert_conditions_sensor (every 5 minutes:
stuck documents, a connection to reconnect, the QBO refresh token's remaining life) and
deadline_alert_sensor (every 5 minutes: partners' 856/810/855 deadlines near or missed). The
decisions are lib/alerts'; these read Dagster's side and report what was sent."""

from contextlib import ExitStack
from datetime import UTC, datetime

import dagster as dg

from ...lib.alerts import alert_run_failure, notifiers_from, run_failure_alert, watch, watch_deadlines
from ...lib.deadlines import Shipped, partners_with_deadlines, shipped_in_window
from ...resources import LedgerResource, QboResource, QbspsConfigResource

CONDITIONS_INTERVAL_SECONDS = 300
_STEP_WRAPPER = "DagsterExecutionStepExecutionError"  # "Error occurred while executing op ...": noise
NOT_CONFIGURED = "alerts are not configured (add an alerts: section with smtp or webhook to the config)"


def failure_reason(context: dg.RunFailureSensorContext) -> str:
    """The run's failure message, and each failed step's error with the text it attached (a batch
    failure's per-document reasons, dagster_support/batch_failure.py); no stack traces."""
    parts = [context.failure_event.message or ""]
    for event in context.get_step_failure_events():
        data = event.step_failure_data
        error, messages = (data.error if data is not None else None), []
        while error is not None:  # an op's exception arrives wrapped: its cause says what happened
            if not (error.cause is not None and error.cls_name == _STEP_WRAPPER):
                messages.append(error.message.strip())
            error = error.cause
        parts.append(f"step {event.step_key}: {' '.join(messages) or event.message or ''}")
        metadata = data.user_failure_data.metadata if data is not None and data.user_failure_data else {}
        for value in metadata.values():
            if isinstance(value, dg.MarkdownMetadataValue | dg.TextMetadataValue):
                parts.append(str(value.value))
    return "\n".join(part for part in parts if part)


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends an alert (email and/or chat webhook, per the alerts: config) for each failed run.",
)
def run_failure_alert_sensor(
    context: dg.RunFailureSensorContext, qbsps_config: QbspsConfigResource, ledger: LedgerResource
) -> dg.SkipReason | None:
    config = qbsps_config.load()
    if config.alerts is None:
        return dg.SkipReason(NOT_CONFIGURED)
    run = context.dagster_run
    alert = run_failure_alert(run.job_name, run.run_id, failure_reason(context), run.tags)
    with ledger.open(actor="run_failure_alert_sensor") as book:
        delivery = alert_run_failure(book, config, notifiers_from(config.alerts), alert, datetime.now(UTC))
    for key, error in delivery.failed:  # kept unsent: alert_conditions_sensor tries again
        context.log.warning(f"alert {key} not sent yet: {error}")
    context.log.info(f"alerts sent: {', '.join(delivery.sent) or 'none'}")
    return None


@dg.sensor(
    minimum_interval_seconds=CONDITIONS_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every 5 minutes: alerts for documents stuck past alerts.stuck_after_minutes, a "
    "connection to reconnect, and a QBO refresh token within alerts.token_warning_days of its end; "
    "also re-sends alerts an earlier attempt could not deliver.",
)
def alert_conditions_sensor(
    context: dg.SensorEvaluationContext, qbsps_config: QbspsConfigResource, ledger: LedgerResource
) -> dg.SkipReason:
    config = qbsps_config.load()
    if config.alerts is None:
        return dg.SkipReason(NOT_CONFIGURED)
    with ledger.open(actor="alert_conditions_sensor") as book:
        result = watch(book, config, notifiers_from(config.alerts), datetime.now(UTC))
    delivery = result.delivery
    for problem in result.problems:
        context.log.warning(problem)
    for key, error in delivery.failed:
        context.log.warning(f"alert {key} not sent yet (tried again next tick): {error}")
    return dg.SkipReason(
        f"alerts sent: {len(delivery.sent)}, not sent yet: {len(delivery.failed)}, "
        f"cleared: {delivery.cleared}"
        + (f"; checks failed: {len(result.problems)}" if result.problems else "")
    )


@dg.sensor(
    minimum_interval_seconds=CONDITIONS_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every 5 minutes: for each trading partner with a deadlines: block, an alert when "
    "its ship notice, invoice or acknowledgment is within near_hours of its deadline and not sent, "
    "and one when the deadline is missed, with the estimated chargeback.",
)
def deadline_alert_sensor(
    context: dg.SensorEvaluationContext,
    qbsps_config: QbspsConfigResource,
    ledger: LedgerResource,
    qbo: QboResource,
) -> dg.SkipReason:
    config = qbsps_config.load()
    if config.alerts is None:
        return dg.SkipReason(NOT_CONFIGURED)
    if not partners_with_deadlines(config):
        return dg.SkipReason("no trading partner has a deadlines: block")
    now = datetime.now(UTC)
    with ledger.open(actor="deadline_alert_sensor") as book, ExitStack() as stack:

        def shipped() -> list[Shipped]:
            return shipped_in_window(config, book, lambda: stack.enter_context(qbo.client(book)), now)

        result = watch_deadlines(book, config, notifiers_from(config.alerts), now, shipped)
    for problem in result.problems:
        context.log.warning(problem)
    delivery = result.delivery
    for key, error in delivery.failed:
        context.log.warning(f"alert {key} not sent yet (tried again next tick): {error}")
    return dg.SkipReason(
        f"deadline alerts sent: {len(delivery.sent)}, not sent yet: {len(delivery.failed)}, "
        f"cleared: {delivery.cleared}" + (f"; check failed: {result.problems[0]}" if result.problems else "")
    )
