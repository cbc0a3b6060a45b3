"""The conditions a periodic evaluation turns into alerts: documents stuck past the threshold, a
connection that must be reconnected, and the QBO refresh token nearing its 100-day (rolling) or
five-year (absolute) end. Each returns the alerts true now; one no longer returned has cleared."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..connections import load_qbo_connection
from ..doctor.quickbooks import RECONNECT, days_left
from ..ledger import Direction, DocumentRecord, Ledger
from ..ledger.reports import waiting_documents
from ..qbo.vault import LedgerTokenVault
from .alert import Alert, AlertKind

MAX_DOCUMENT_ALERTS = 20  # more stuck documents than this are one "and N more" alert, not a flood
FIVE_YEARS = timedelta(days=5 * 365 + 1)  # Intuit's cap on a refresh-token family (since consent)
_SCAN = 500


def stuck_document_alerts(ledger: Ledger, now: datetime, stuck_after: timedelta) -> list[Alert]:
    """Failed or quarantined documents, and documents whose write is still owed, for longer than
    `stuck_after`: oldest first, one alert each up to MAX_DOCUMENT_ALERTS, then one for the rest."""
    cutoff = now - stuck_after
    stuck: list[tuple[datetime, Alert]] = []
    for record in ledger.failed_documents(limit=_SCAN):  # they wait for a person
        if record.updated_at <= cutoff:
            stuck.append((record.updated_at, _document_alert(record, record.updated_at, now, None)))
    failed = {alert.key for _, alert in stuck}
    for owed in ledger.unfinished_documents(limit=_SCAN):
        if str(owed.id) in failed:  # failed with its write's intent still open: alerted once
            continue
        record = ledger.document(owed.id)
        # Owed since its current version arrived (retries change the row, not this time).
        since = ledger.version(record.current_version_id).received_at if record.current_version_id else None
        since = since or record.created_at
        if since <= cutoff:
            stuck.append((since, _document_alert(record, since, now, owed.attempts)))
    stuck.sort(key=lambda pair: (pair[0], pair[1].key))
    alerts = [alert for _, alert in stuck[:MAX_DOCUMENT_ALERTS]]
    if len(stuck) > MAX_DOCUMENT_ALERTS:
        rest = len(stuck) - MAX_DOCUMENT_ALERTS
        alerts.append(
            Alert(
                AlertKind.STUCK_DOCUMENT,
                "more",
                f"{rest} more documents stuck for over {_age(stuck_after)}",
                f"Besides the {MAX_DOCUMENT_ALERTS} documents alerted one by one, {rest} more are "
                f"stuck for over {_age(stuck_after)}.\n\nWhat to do: `qbsps status` lists every one "
                "with its reason.",
            )
        )
    return alerts


def _document_alert(record: DocumentRecord, since: datetime, now: datetime, attempts: int | None) -> Alert:
    side = "from" if record.direction is Direction.INBOUND else "to"
    name = f"{record.doc_type} {record.business_key} ({side} trading partner {record.trading_partner_id})"
    owed = attempts is not None
    state = "waiting to be written" if owed else record.state.value
    lines = [
        f"{name} has been {state} since {since:%Y-%m-%d %H:%M} UTC ({_age(now - since)}).",
        f"Ledger document: {record.id}",
        f"Reason: {record.reason or 'none recorded'}",
    ]
    if record.qbo_entity and record.qbo_id:
        lines.append(f"QuickBooks: {record.qbo_entity} {record.qbo_id}")
    if owed:
        todo = (
            f"qbsps retries it by itself at every sync and sensor tick ({attempts} transient failures "
            "so far); if the reason names an outage or a refusal, mend that. `qbsps status` shows it."
        )
    else:  # failed or quarantined: the same advice as `qbsps status` and the flows' checks
        [waiting] = waiting_documents([record], [])
        todo = f"{waiting.what_to_do}: {waiting.rerun}"
    lines += ["", f"What to do: {todo}"]
    return Alert(AlertKind.STUCK_DOCUMENT, str(record.id), f"{name} stuck: {state}", "\n".join(lines))


def reconnect_alerts(ledger: Ledger) -> list[Alert]:
    """Stored credentials marked dead (a refused token refresh): every sync of that API stops."""
    return [
        Alert(
            AlertKind.RECONNECT_NEEDED,
            dead.name,
            f"QuickBooks must be reconnected ({dead.name})"
            if dead.name.startswith("qbo.")
            else f"Reconnection needed ({dead.name})",
            f"Since {dead.since:%Y-%m-%d %H:%M} UTC the stored credential {dead.name} is refused.\n"
            f"Reason: {dead.reason}\n\nWhat to do: "
            + (f"run `{RECONNECT}`." if dead.name.startswith("qbo.") else "run `qbsps connect sps`."),
        )
        for dead in ledger.credentials.reconnects_needed()
    ]


def credential_alerts(ledger: Ledger, realm_id: str | None, now: datetime, warning_days: int) -> list[Alert]:
    """The QBO refresh token within `warning_days` of its end: the 100-day rolling limit (what
    Intuit last said, `x_refresh_token_expires_in`) and five years from the consent. `realm_id`:
    the config's, else the stored connection's."""
    connection = load_qbo_connection(ledger)
    realm = realm_id or (connection.realm_id if connection else None)
    if realm is None:
        return []
    vault = LedgerTokenVault(ledger, realm, None)
    if not vault.has_tokens():
        return []
    alerts = []
    rolling = vault.current().refresh_expires_at
    if rolling is not None and days_left(rolling, now) < warning_days:
        alerts.append(
            _token_alert(
                realm,
                "rolling",
                rolling,
                now,
                "A refresh token lives 100 days from its last use; qbsps uses it every hour while "
                "syncs run, so this one has not been refreshed lately (are the sensors running?), "
                "or Intuit's five-year cap is near.",
            )
        )
    if connection is not None and connection.realm_id == realm:
        absolute = connection.connected_at + FIVE_YEARS
        if days_left(absolute, now) < warning_days:
            alerts.append(
                _token_alert(
                    realm,
                    "five_year",
                    absolute,
                    now,
                    f"Intuit ends every connection five years after consent (this one: "
                    f"{connection.connected_at:%Y-%m-%d}); no refresh extends it.",
                )
            )
    return alerts


def _token_alert(realm: str, limit: str, expires: datetime, now: datetime, why: str) -> Alert:
    days = days_left(expires, now)
    when = f"{days} days left" if days >= 0 else f"expired {-days} days ago"
    return Alert(
        AlertKind.CREDENTIAL_EXPIRING,
        f"qbo.tokens.{realm}:{limit}",
        f"QuickBooks connection ends {expires:%Y-%m-%d} ({when})",
        f"The QuickBooks Online refresh token of company {realm} expires on {expires:%Y-%m-%d %H:%M} "
        f"UTC ({when}). {why}\n\nWhat to do: reconnect the company before then: run `{RECONNECT}` "
        "(the app's keys are remembered). Until it expires nothing stops.",
    )


def _age(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minutes"
    if minutes < 48 * 60:
        return f"{minutes // 60} hours"
    return f"{minutes // 1440} days"
