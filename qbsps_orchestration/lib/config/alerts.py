"""The optional `alerts:` section: where alerts go (SMTP, a Slack/Teams webhook) and when to raise
them. Absent, qbsps sends no alerts (its sensors say so)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ..values import Text
from .credentials import CredentialSource


def _address(value: str) -> str:
    value = value.strip()
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or any(c in value for c in " \r\n,;<>"):
        raise ValueError(f"{value!r} is not an email address (name@example.com)")
    return value


EmailAddress = Annotated[str, AfterValidator(_address)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SmtpSettings(_Strict):
    host: Text
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True  # upgrade the connection before logging in (port 587); False for a local relay
    username: Text | None = None
    password: CredentialSource | None = None
    sender: EmailAddress
    recipients: list[EmailAddress] = Field(min_length=1)
    timeout_seconds: float = Field(default=30.0, gt=0, le=300)

    @model_validator(mode="after")
    def _login_needs_both(self) -> SmtpSettings:
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password go together (give both, or neither for no login)")
        return self


class WebhookAlertSettings(_Strict):
    # A Slack or Teams incoming-webhook URL is itself the secret: a credential, never plain text.
    url: CredentialSource
    timeout_seconds: float = Field(default=30.0, gt=0, le=300)


class AlertSettings(_Strict):
    smtp: SmtpSettings | None = None
    webhook: WebhookAlertSettings | None = None
    # A document still owed (or failed) this long after it arrived is reported as stuck.
    stuck_after_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    # Warn this many days before the QBO refresh token (100-day rolling, 5-year cap) runs out.
    token_warning_days: int = Field(default=14, ge=1, le=99)

    @model_validator(mode="after")
    def _somewhere_to_send(self) -> AlertSettings:
        if self.smtp is None and self.webhook is None:
            raise ValueError("alerts needs smtp, webhook or both (remove the section to send no alerts)")
        return self

    def credential_sources(self) -> list[tuple[str, CredentialSource]]:
        found = []
        if self.smtp is not None and self.smtp.password is not None:
            found.append(("alerts.smtp.password", self.smtp.password))
        if self.webhook is not None:
            found.append(("alerts.webhook.url", self.webhook.url))
        return found
