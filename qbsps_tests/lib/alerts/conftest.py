"""Alert channels against real local servers; the ledger a migrated SQLite file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qbsps_orchestration.lib.config.alerts import AlertSettings
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.secrets import SecretCipher

from .servers import SMTP_PASSWORD, SMTP_USER, SmtpInbox, WebhookInbox, smtp_server, webhook_server


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    book = Ledger(
        f"sqlite:///{tmp_path / 'ledger.sqlite'}", cipher=SecretCipher([SecretCipher.generate_key()])
    )
    book.migrate()
    yield book
    book.close()


@pytest.fixture
def smtp() -> Iterator[SmtpInbox]:
    with smtp_server(login=True) as inbox:
        yield inbox


@pytest.fixture
def webhook() -> Iterator[WebhookInbox]:
    with webhook_server() as inbox:
        yield inbox


def alert_settings(smtp: SmtpInbox | None, webhook: WebhookInbox | None, **more: object) -> AlertSettings:
    data: dict[str, object] = dict(more)
    if smtp is not None:
        data["smtp"] = {
            "host": smtp.host,
            "port": smtp.port,
            "starttls": False,
            "username": SMTP_USER,
            "password": {"value": SMTP_PASSWORD},
            "sender": "qbsps@example.com",
            "recipients": ["ops@example.com", "books@example.com"],
        }
    if webhook is not None:
        data["webhook"] = {"url": {"value": webhook.url}}
    return AlertSettings.model_validate(data)
