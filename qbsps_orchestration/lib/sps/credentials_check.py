"""Prove a pair of SPS app credentials before anything keeps them: a client-credentials token,
then ``GET /auth-check`` with it (204 when SPS accepts the token)."""

from __future__ import annotations

import requests

from ..http import RetryPolicy
from .client import SpsClient
from .errors import SpsError
from .token import DEFAULT_AUDIENCE


class SpsCredentialsError(Exception):
    """SPS did not accept the credentials; one plain line, never the secret."""


def prove_credentials(
    api_base_url: str,
    token_url: str,
    client_id: str,
    client_secret: str,
    *,
    audience: str = DEFAULT_AUDIENCE,
    retry: RetryPolicy | None = None,
) -> None:
    client = SpsClient(api_base_url, token_url, client_id, client_secret, audience=audience, retry=retry)
    try:
        client.tokens.token()
        accepted = client.auth_check()
    except SpsError as exc:
        raise SpsCredentialsError(_refusal(exc)) from None
    except requests.RequestException as exc:
        raise SpsCredentialsError(f"cannot reach SPS ({exc}): nothing was stored") from None
    finally:
        client.close()
    if not accepted:
        raise SpsCredentialsError(
            f"SPS issued a token but {api_base_url.rstrip('/')}/auth-check refused it: nothing was stored"
        )


def _refusal(error: SpsError) -> str:
    what = f"HTTP {error.status} {error.title}".strip()
    if error.status == 429:
        return f"SPS's token endpoint is rate limiting ({what}): nothing was stored; try again in a minute"
    if error.status == 403 and error.title == "unauthorized_client":
        return (
            f"SPS refused the credentials ({what}): they belong to an app that may not use client "
            "credentials; use a machine-to-machine app's keys. Nothing was stored"
        )
    if error.status in (400, 401, 403):
        return f"SPS refused the credentials ({what}): check the client id and secret. Nothing was stored"
    return f"SPS's token endpoint answered {what}: nothing was stored"
