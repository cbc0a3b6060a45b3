"""QBO change webhooks: signature check, body parsing, the receiver app and its server."""

from .events import WebhookPayloadError, parse_webhook_body
from .receiver import HEALTH_PATH, WEBHOOK_PATH, WebhookRoute, routed_webhook_app, webhook_app
from .serve import ReceiverStartError, TlsFiles, serve
from .verify import SIGNATURE_HEADER, is_valid_signature, signature_of

__all__ = [
    "HEALTH_PATH",
    "SIGNATURE_HEADER",
    "ReceiverStartError",
    "TlsFiles",
    "WEBHOOK_PATH",
    "WebhookPayloadError",
    "WebhookRoute",
    "is_valid_signature",
    "parse_webhook_body",
    "routed_webhook_app",
    "serve",
    "signature_of",
    "webhook_app",
]
