"""Real local servers the alert channels talk to: an SMTP server (aiosmtpd, optionally with
STARTTLS and a login) and a Slack-style incoming webhook (Starlette under uvicorn)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from qbsps_orchestration.sandbox.server import ServedApp

SMTP_USER, SMTP_PASSWORD = "alerts@example.com", "smtp-pass-Zq81xK"
WEBHOOK_SECRET_PATH = "/services/T0ALERTS/B0ALERTS/webhookSecret9Xy"


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    recipients: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        return self.message.get_content().replace("\r\n", "\n")


@dataclass
class SmtpInbox:
    host: str
    port: int
    mails: list[ReceivedMail] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content  # type: ignore[attr-defined]
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.mails.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[attr-defined]
        return "250 OK"

    def authenticate(
        self, server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        if ok:
            self.logins.append(SMTP_USER)
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(the server's context, a client context trusting only that certificate) for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    return server, ssl.create_default_context(cafile=str(cert_path))


@contextmanager
def smtp_server(tls: ssl.SSLContext | None = None, *, login: bool = False) -> Iterator[SmtpInbox]:
    """A real SMTP server on 127.0.0.1; with `tls` it requires STARTTLS, with `login` a login."""
    inbox = SmtpInbox("127.0.0.1", free_port())
    options: dict[str, object] = {}
    if tls is not None:
        options.update(tls_context=tls, require_starttls=True)
    if login:
        options.update(authenticator=inbox.authenticate, auth_required=True, auth_require_tls=tls is not None)
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@dataclass
class WebhookInbox:
    url: str
    texts: list[str] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # statuses to answer first, then 200
    calls: int = 0


@contextmanager
def webhook_server() -> Iterator[WebhookInbox]:
    """A Slack-style incoming webhook: POST JSON {"text": ...} to its secret path."""
    inbox = WebhookInbox(url="")

    async def receive(request: Request) -> JSONResponse:
        inbox.calls += 1
        if inbox.answers:
            return JSONResponse({"error": "try later"}, status_code=inbox.answers.pop(0))
        inbox.texts.append((await request.json())["text"])
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route(WEBHOOK_SECRET_PATH, receive, methods=["POST"])])
    served = ServedApp(app, name="alert-webhook").start()
    inbox.url = served.base_url + WEBHOOK_SECRET_PATH
    try:
        yield inbox
    finally:
        served.stop()


def channels_config(
    smtp: SmtpInbox | None, webhook: WebhookInbox | None, recipients: tuple[str, ...] = ("ops@example.com",)
) -> dict[str, object]:
    """The `alerts:` channels of a config for these local servers (either may be left out)."""
    data: dict[str, object] = {}
    if smtp is not None:
        data["smtp"] = {
            "host": smtp.host,
            "port": smtp.port,
            "starttls": False,
            "username": SMTP_USER,
            "password": {"value": SMTP_PASSWORD},
            "sender": "qbsps@example.com",
            "recipients": list(recipients),
        }
    if webhook is not None:
        data["webhook"] = {"url": {"value": webhook.url}}
    return data
