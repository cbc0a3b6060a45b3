"""The `alerts:` section through the real loader: defaults, unknown keys refused as everywhere,
credentials bound like the others (a relative `file` is read beside the config)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qbsps_orchestration.lib.alerts import SmtpNotifier, WebhookNotifier, notifiers_from
from qbsps_orchestration.lib.config import ConfigError, load_config
from qbsps_tests.lib.config.conftest import SAMPLE_YAML

SMTP = {
    "host": "smtp.example.com",
    "username": "alerts",
    "password": {"env": "QBSPS_SMTP_PASSWORD"},
    "sender": "qbsps@example.com",
    "recipients": ["ops@example.com"],
}


def _load(tmp_path: Path, alerts: object) -> object:
    data = yaml.safe_load(SAMPLE_YAML)
    data["alerts"] = alerts
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_config(path)


def test_defaults_and_the_notifiers_it_configures(tmp_path: Path) -> None:
    (tmp_path / "webhook.url").write_text("https://hooks.slack.com/services/T1/B1/xyz\n")
    config = _load(tmp_path, {"smtp": SMTP, "webhook": {"url": {"file": "webhook.url"}}})
    alerts = config.alerts
    assert alerts.stuck_after_minutes == 60 and alerts.token_warning_days == 14
    assert alerts.smtp.port == 587 and alerts.smtp.starttls is True
    assert alerts.webhook.url.resolve() == "https://hooks.slack.com/services/T1/B1/xyz"
    assert dict(config.credential_sources())["alerts.smtp.password"].key == "alerts.smtp.password"
    assert [type(n) for n in notifiers_from(alerts)] == [SmtpNotifier, WebhookNotifier]
    assert "xyz" not in repr(config) and notifiers_from(None) == []


@pytest.mark.parametrize(
    ("alerts", "message"),
    [
        ({"smtp": {**SMTP, "pasword": "x"}}, "alerts.smtp.pasword"),
        ({"stuck_after_minutes": 30}, "alerts needs smtp, webhook or both"),
        ({"smtp": {**SMTP, "password": None}}, "username and password go together"),
        ({"smtp": {**SMTP, "recipients": ["not-an-address"]}}, "is not an email address"),
        ({"webhook": {"url": "https://hooks.slack.com/services/T1/B1/plain"}}, "a credential must be"),
    ],
)
def test_mistakes_are_config_errors(tmp_path: Path, alerts: object, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, alerts)
    assert message in str(caught.value)
    assert "plain" not in str(caught.value)  # a webhook URL pasted as text is not echoed
