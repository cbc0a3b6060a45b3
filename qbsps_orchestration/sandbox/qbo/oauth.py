"""The sandbox's Intuit OAuth 2.0 authority: discovery, consent, token, revoke, bearer checks.

Speaks the wire protocol of Intuit's identity platform (qbo.md §1) so that Intuit's own
``intuit-oauth`` client and qbsps's client both work against it unchanged: discovery document,
auto-consent authorize redirect, token endpoint with client_secret_basic or client_secret_post,
refresh-token rotation by age, 5-year hard cap, family-wide revoke. Token state lives in
``oauth_tokens.TokenStore``; the control API in ``oauth_control``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..clock import SandboxClock
from ..settings import QboSandboxSettings
from .oauth_control import oauth_control_routes
from .oauth_http import (
    authenticate_client,
    empty_ok,
    form_fields,
    intuit_tid,
    json_object,
    oauth_error,
    oauth_json,
    wants_hard_expiry,
)
from .oauth_tokens import InvalidGrant, IssuedTokens, TokenStore

AUTHORIZE_PATH = "/connect/oauth2"
TOKEN_PATH = "/oauth2/v1/tokens/bearer"
REVOKE_PATH = "/v2/oauth2/tokens/revoke"
USERINFO_PATH = "/v1/openid_connect/userinfo"
ISSUER_PATH = "/op/v1"
JWKS_PATH = "/op/v1/jwks"
DISCOVERY_PATHS = (
    "/.well-known/openid_configuration",
    "/.well-known/openid-configuration",
    "/.well-known/openid_sandbox_configuration",  # the sandbox document Intuit's client reads
)
SCOPES = (
    "openid",
    "email",
    "profile",
    "address",
    "phone",
    "com.intuit.quickbooks.accounting",
    "com.intuit.quickbooks.payment",
)


@dataclass(frozen=True)
class TokenGrant:
    realm_id: str
    client_id: str


class QboAuthority:
    def __init__(self, settings: QboSandboxSettings, clock: SandboxClock) -> None:
        self.settings = settings
        self.clock = clock
        self.store = TokenStore(settings, clock)
        # Fault from qbo.md §7.4: the next refresh commits its rotation but the client never
        # sees the answer, exactly the lost-response case users report.
        self.drop_next_refresh_response = False
        self.dropped_refresh_responses = 0
        self.invalid_grants: dict[str, int] = {}  # reason -> count; reasons never hold token values

    def issue_refresh_token(self) -> str:
        """Start a new token family for settings.realm_id (as after user consent); used for the
        sandbox info file."""
        return self.store.start_family(self.settings.realm_id, self.settings.client_id).refresh_token

    def authenticate(self, authorization_header: str | None) -> TokenGrant | None:
        """'Bearer <access token>' -> grant if valid, unexpired (sandbox clock) and not revoked."""
        if not authorization_header:
            return None
        scheme, _, token = authorization_header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        family = self.store.family_for_access(token.strip())
        return None if family is None else TokenGrant(family.realm_id, family.client_id)

    def routes(self) -> list[BaseRoute]:
        discovery = [
            Route(p + tail, self._discovery, methods=["GET"]) for p in DISCOVERY_PATHS for tail in ("", "/")
        ]
        return [
            *discovery,
            Route(AUTHORIZE_PATH, self._authorize, methods=["GET"]),
            Route(TOKEN_PATH, self._token, methods=["POST"]),
            Route(REVOKE_PATH, self._revoke, methods=["POST"]),
            Route(USERINFO_PATH, self._userinfo, methods=["GET"]),
            Route(JWKS_PATH, self._jwks, methods=["GET"]),
            *oauth_control_routes(self),
        ]

    # --- endpoints -----------------------------------------------------------------------------

    async def _discovery(self, request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                "issuer": base + ISSUER_PATH,
                "authorization_endpoint": base + AUTHORIZE_PATH,
                "token_endpoint": base + TOKEN_PATH,
                "userinfo_endpoint": base + USERINFO_PATH,
                "revocation_endpoint": base + REVOKE_PATH,
                "jwks_uri": base + JWKS_PATH,
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": list(SCOPES),
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
            },
            headers={"intuit_tid": intuit_tid()},
        )

    async def _authorize(self, request: Request) -> Response:
        """Sandbox auto-consent: the user 'connects' at once and is sent back with a code."""
        params = request.query_params
        redirect_uri = params.get("redirect_uri")
        if params.get("client_id") != self.settings.client_id:
            return _consent_error("client_id is missing or not this app's")
        if not redirect_uri or urlsplit(redirect_uri).scheme not in ("http", "https"):
            return _consent_error("redirect_uri is missing or not an absolute http(s) URL")
        state = params.get("state")
        if params.get("response_type") != "code":
            return _redirect(redirect_uri, {"error": "unsupported_response_type", "state": state})
        if not params.get("scope", "").strip():
            return _redirect(redirect_uri, {"error": "invalid_scope", "state": state})
        code = self.store.mint_code(self.settings.realm_id, self.settings.client_id, redirect_uri)
        return _redirect(redirect_uri, {"code": code, "state": state, "realmId": self.settings.realm_id})

    async def _token(self, request: Request) -> Response:
        fields = await form_fields(request)
        client_id = authenticate_client(request, fields, self.settings)
        if client_id is None:
            return oauth_error("invalid_client", 401)
        grant_type = fields.get("grant_type")
        try:
            if grant_type == "authorization_code":
                if not fields.get("code"):
                    return oauth_error("invalid_request", 400, "code is required")
                issued = self.store.exchange_code(fields["code"], client_id, fields.get("redirect_uri"))
            elif grant_type == "refresh_token":
                if not fields.get("refresh_token"):
                    return oauth_error("invalid_request", 400, "refresh_token is required")
                issued = self.store.refresh(fields["refresh_token"], client_id)
                if self.drop_next_refresh_response:
                    self.drop_next_refresh_response = False
                    self.dropped_refresh_responses += 1
                    return Response("Bad Gateway", status_code=502, headers={"intuit_tid": intuit_tid()})
            elif not grant_type:
                return oauth_error("invalid_request", 400, "grant_type is required")
            else:
                return oauth_error("unsupported_grant_type", 400)
        except InvalidGrant as exc:
            # Intuit gives the same answer for every kind of dead grant; the reason is only counted
            # here for the control API, so a test can tell "superseded" from "expired".
            self.invalid_grants[str(exc)] = self.invalid_grants.get(str(exc), 0) + 1
            return oauth_error(
                "invalid_grant",
                400,
                "Incorrect or invalid refresh token" if grant_type == "refresh_token" else None,
            )
        return oauth_json(_token_body(issued, include_hard=wants_hard_expiry(request)))

    async def _revoke(self, request: Request) -> Response:
        try:
            body = await json_object(request)
        except ValueError as exc:
            return oauth_error("invalid_request", 400, str(exc))
        client_id = authenticate_client(request, {}, self.settings)
        if client_id is None:
            return oauth_error("invalid_client", 401)
        token = body.get("token")
        if not isinstance(token, str) or not token:
            return oauth_error("invalid_request", 400, "token is required")
        # RFC 7009 §2.2: an unknown or already-invalid token is not an error for the caller.
        self.store.revoke(token, client_id)
        return empty_ok()

    async def _userinfo(self, request: Request) -> Response:
        grant = self.authenticate(request.headers.get("authorization"))
        if grant is None:
            return oauth_error("invalid_token", 401)
        return oauth_json(
            {
                "sub": f"sandbox-user-{grant.realm_id}",
                "email": "sandbox.user@example.com",
                "emailVerified": True,
                "givenName": "Sandbox",
                "familyName": "User",
            }
        )

    async def _jwks(self, _: Request) -> Response:
        # The sandbox issues no id_token, so it publishes no signing keys.
        return JSONResponse({"keys": []}, headers={"intuit_tid": intuit_tid()})


def _token_body(issued: IssuedTokens, *, include_hard: bool) -> dict:
    body: dict = {
        "token_type": "bearer",
        "expires_in": issued.expires_in,
        "refresh_token": issued.refresh_token,
        "x_refresh_token_expires_in": issued.x_refresh_token_expires_in,
        "access_token": issued.access_token,
    }
    if include_hard:
        body["x_refresh_token_hard_expires_in"] = issued.x_refresh_token_hard_expires_in
    return body


def _redirect(redirect_uri: str, params: dict[str, str | None]) -> Response:
    parts = urlsplit(redirect_uri)
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return RedirectResponse(
        urlunsplit(parts._replace(query=query)), status_code=302, headers={"intuit_tid": intuit_tid()}
    )


def _consent_error(reason: str) -> Response:
    # Intuit shows an error page (no redirect) when it cannot trust the client or redirect_uri.
    return oauth_error("invalid_request", 400, reason)
