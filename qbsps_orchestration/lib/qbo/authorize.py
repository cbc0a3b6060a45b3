"""Intuit's OAuth 2.0 authorization-code flow: endpoints, the authorize URL, the callback, the code.

The steps (qbo.md §1.1–1.3): read the endpoints from the discovery document; send the user to the
authorization endpoint with the accounting scope, the registered redirect URI and a random
``state``; on the redirect back, check ``state`` (constant time) before trusting anything else,
then exchange the single-use ``code`` at the token endpoint with HTTP Basic client auth. Messages
never contain the code, the state or a token.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests

from .tokens import QboTokens, issued_tokens

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"


class AuthorizationError(Exception):
    """The connection was not made; the message is one plain line naming why."""


class ConsentDenied(AuthorizationError):
    """The user pressed Cancel (``error=access_denied``)."""


class StateMismatch(AuthorizationError):
    """The redirect's ``state`` is not the one this flow sent: possibly forged; nothing is trusted."""


class CodeRejected(AuthorizationError):
    """The token endpoint refused the code (``invalid_grant``): expired, already used or not ours."""


@dataclass(frozen=True)
class IntuitEndpoints:
    authorization_endpoint: str
    token_endpoint: str


def discover(http: requests.Session, discovery_url: str) -> IntuitEndpoints:
    """The endpoints Intuit publishes in its OpenID discovery document (Intuit asks apps to use it)."""
    try:
        response = http.get(discovery_url, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise AuthorizationError(f"cannot read Intuit's discovery document {discovery_url}: {exc}") from None
    if response.status_code != 200:
        raise AuthorizationError(
            f"Intuit's discovery document {discovery_url} answered HTTP {response.status_code}"
        )
    try:
        document = response.json()
        return IntuitEndpoints(str(document["authorization_endpoint"]), str(document["token_endpoint"]))
    except (json.JSONDecodeError, KeyError, TypeError):
        raise AuthorizationError(
            f"{discovery_url} is not an OpenID discovery document "
            "(no authorization_endpoint and token_endpoint)"
        ) from None


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str  # where the user's browser goes
    redirect_uri: str  # sent again, identically, with the code exchange
    state: str

    def __repr__(self) -> str:  # the state is the flow's anti-forgery secret
        return f"AuthorizationRequest(redirect_uri={self.redirect_uri!r})"


def authorization_request(
    endpoints: IntuitEndpoints, client_id: str, redirect_uri: str, *, scope: str = ACCOUNTING_SCOPE
) -> AuthorizationRequest:
    state = secrets.token_urlsafe(32)
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "scope": scope,
            "redirect_uri": redirect_uri,
            "state": state,
        }
    )
    separator = "&" if urlsplit(endpoints.authorization_endpoint).query else "?"
    return AuthorizationRequest(f"{endpoints.authorization_endpoint}{separator}{query}", redirect_uri, state)


@dataclass(frozen=True)
class AuthorizationGrant:
    code: str
    realm_id: str

    def __repr__(self) -> str:  # the code can be exchanged for tokens
        return f"AuthorizationGrant(realm_id={self.realm_id!r})"


def callback_query(pasted: str) -> str:
    """The query string of what a user pasted: the whole redirect address, or just its query."""
    text = pasted.strip()
    if "?" in text:
        return urlsplit(text).query
    return text.lstrip("?")


def read_callback(query: str | Mapping[str, str], expected_state: str) -> AuthorizationGrant:
    """The grant carried by Intuit's redirect, or the reason there is none."""
    params = dict(parse_qsl(query, keep_blank_values=True)) if isinstance(query, str) else dict(query)
    if not any(key in params for key in ("code", "error", "state")):
        raise AuthorizationError("that is not Intuit's redirect: it has no code, error or state")
    # Compared in constant time, and before anything else in the redirect is believed.
    if not hmac.compare_digest(params.get("state", "").encode(), expected_state.encode()):
        raise StateMismatch(
            "the redirect's state does not match this connection attempt (a stale or forged "
            "redirect): nothing was stored; run the command again"
        )
    error = params.get("error")
    if error == "access_denied":
        raise ConsentDenied("QuickBooks access was denied on Intuit's consent page: nothing was stored")
    if error:
        detail = params.get("error_description")
        raise AuthorizationError(
            f"Intuit refused the authorization request: {error}" + (f" ({detail})" if detail else "")
        )
    code, realm_id = params.get("code"), params.get("realmId")
    if not code:
        raise AuthorizationError("Intuit's redirect carried no authorization code")
    if not realm_id or not realm_id.isdigit():
        raise AuthorizationError(
            "Intuit's redirect carried no company (realmId): was the accounting scope granted?"
        )
    return AuthorizationGrant(code, realm_id)


def exchange_code(
    http: requests.Session,
    token_endpoint: str,
    client_id: str,
    client_secret: str,
    grant: AuthorizationGrant,
    redirect_uri: str,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> QboTokens:
    """The first token pair for the company. Sent once, never retried: a code works a single time,
    so a repeat after a lost answer could only be refused."""
    form = {"grant_type": "authorization_code", "code": grant.code, "redirect_uri": redirect_uri}
    asked_at = now()
    try:
        response = http.post(
            token_endpoint,
            data=form,
            auth=(client_id, client_secret),  # client_secret_basic, as Intuit's own clients send it
            headers={"Accept": "application/json"},
        )
    except requests.RequestException as exc:
        raise AuthorizationError(f"cannot reach Intuit's token endpoint {token_endpoint}: {exc}") from None
    if response.status_code == 200:
        try:
            return issued_tokens(response.json(), asked_at)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            raise AuthorizationError("Intuit's token endpoint answered 200 without a token pair") from None
    raise _refusal(response)


def _refusal(response: requests.Response) -> AuthorizationError:
    try:
        error = str(response.json().get("error") or "")
    except (json.JSONDecodeError, AttributeError):
        error = ""
    tid = response.headers.get("intuit_tid")
    where = f" (intuit_tid {tid})" if tid else ""
    if error == "invalid_grant":
        return CodeRejected(
            "Intuit refused the authorization code (invalid_grant: it expired or was already used): "
            f"nothing was stored; run the command again{where}"
        )
    if error == "invalid_client" or response.status_code == 401:
        return AuthorizationError(
            f"Intuit refused the app's client id or secret ({error or 'HTTP 401'}): nothing was stored{where}"
        )
    return AuthorizationError(
        f"Intuit's token endpoint answered HTTP {response.status_code} {error}".rstrip()
        + f": nothing was stored{where}"
    )
