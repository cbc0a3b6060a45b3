"""Alerts by email: plain-text messages over SMTP (stdlib), STARTTLS optional, login optional."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ..config import CredentialError
from ..config.alerts import SmtpSettings
from .alert import Alert
from .notifier import NotifyError

SUBJECT_PREFIX = "[qbsps] "


class SmtpNotifier:
    name = "email"

    def __init__(self, settings: SmtpSettings, *, tls_context: ssl.SSLContext | None = None) -> None:
        self._settings = settings
        self._tls = tls_context  # tests pass one trusting their own certificate

    def __repr__(self) -> str:
        return f"SmtpNotifier({self._settings.host}:{self._settings.port})"

    def message(self, alert: Alert) -> EmailMessage:
        settings = self._settings
        message = EmailMessage()
        message["Subject"] = SUBJECT_PREFIX + alert.subject
        message["From"] = settings.sender
        message["To"] = ", ".join(settings.recipients)
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2])
        message["X-Qbsps-Alert"] = alert.dedup_key  # mail rules can sort on it
        message.set_content(alert.body)
        return message

    def send(self, alert: Alert) -> None:
        settings = self._settings
        where = f"{settings.host}:{settings.port}"
        try:
            password = settings.password.resolve() if settings.password is not None else None
        except CredentialError as exc:  # names the source, never the value
            raise NotifyError(f"email not sent: {exc}") from None
        try:
            with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds) as smtp:
                if settings.starttls:
                    smtp.starttls(context=self._tls or ssl.create_default_context())
                if settings.username is not None and password is not None:
                    smtp.login(settings.username, password)
                smtp.send_message(self.message(alert))
        except smtplib.SMTPResponseException as exc:
            answer = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
            raise NotifyError(f"email not sent: {where} answered {exc.smtp_code} {answer}".strip()) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise NotifyError(f"email not sent: {where} refused {', '.join(exc.recipients)}") from None
        except (smtplib.SMTPException, OSError) as exc:  # no connection, TLS, a dropped session
            detail = getattr(exc, "strerror", None) or type(exc).__name__
            raise NotifyError(f"email not sent: {where}: {detail}") from None
