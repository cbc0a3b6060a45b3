"""Alert channels against real local servers; the ledger a migrated SQLite file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qbsps_orchestration.lib.config.alerts import AlertSettings
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.secrets import SecretCipher

from .servers import SmtpInbox, WebhookInbox, channels_config, smtp_server, webhook_server


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
    channels = channels_config(smtp, webhook, recipients=("ops@example.com", "books@example.com"))
    return AlertSettings.model_validate({**more, **channels})
