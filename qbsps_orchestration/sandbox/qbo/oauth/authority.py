"""The sandbox's Intuit OAuth 2.0 authority: discovery, consent, token, revoke, bearer checks.

Speaks the wire protocol of Intuit's identity platform (qbo.md §1) so that Intuit's own
``intuit-oauth`` client and qbsps's client both work against it unchanged: discovery document,
authorize endpoint with a Connect/Cancel consent page (or auto-consent), token endpoint with
client_secret_basic or client_secret_post, single-use expiring codes, refresh-token rotation by
age, 5-year hard cap, family-wide revoke. Token state lives in ``oauth_tokens.TokenStore``, the
consent step in ``oauth_consent``, the control API in ``oauth_control``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ...clock import SandboxClock
from ...settings import QboSandboxSettings
from .consent import CONSENT_PATH, ConsentRequest, PendingConsents, consent_error_page, consent_page
from .control import oauth_control_routes
from .http import (
    authenticate_client,
    empty_ok,
    form_fields,
    intuit_tid,
    json_object,
    oauth_error,
    oauth_json,
    wants_hard_expiry,
)
from .tokens import InvalidGrant, IssuedTokens, TokenStore

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
        self.consents = PendingConsents(clock)

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
            Route(CONSENT_PATH, self._consent, methods=["POST"]),
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
        """Validate the request, then ask the user (Connect / Cancel), or approve at once when
        settings.auto_consent is on (tests and scripted clients)."""
        params = request.query_params
        redirect_uri = params.get("redirect_uri") or ""
        if params.get("client_id") != self.settings.client_id:
            return consent_error_page("client_id is missing or not this app's")
        parts = urlsplit(redirect_uri)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
            return consent_error_page(
                "redirect_uri is missing or not an absolute http(s) URL without a fragment"
            )
        # From here on the redirect_uri is trusted enough to carry protocol errors back to the app.
        state = params.get("state")
        if params.get("response_type") != "code":
            return _redirect(redirect_uri, {"error": "unsupported_response_type", "state": state})
        scopes = tuple(params.get("scope", "").split())
        if not scopes or any(scope not in SCOPES for scope in scopes):
            return _redirect(redirect_uri, {"error": "invalid_scope", "state": state})
        if not state:
            return _redirect(
                redirect_uri, {"error": "invalid_request", "error_description": "state is required"}
            )
        asked = ConsentRequest(self.settings.client_id, redirect_uri, scopes, state)
        if self.settings.auto_consent:
            return self._approved(asked)
        consent_id = self.consents.open(asked)
        return consent_page(asked, consent_id, self.settings.realm_id)

    async def _consent(self, request: Request) -> Response:
        """The consent page's form: decision=connect sends a code back, cancel sends access_denied."""
        fields = await form_fields(request)
        asked = self.consents.take(fields.get("consent", ""))
        if asked is None:
            return consent_error_page(
                "this consent page expired or was already used: start again from the app"
            )
        if fields.get("decision") == "connect":
            return self._approved(asked)
        return _redirect(asked.redirect_uri, {"error": "access_denied", "state": asked.state})

    def _approved(self, asked: ConsentRequest) -> Response:
        realm_id = self.settings.realm_id
        code = self.store.mint_code(realm_id, asked.client_id, asked.redirect_uri)
        callback = {"code": code, "state": asked.state, "realmId": realm_id if asked.wants_company else None}
        return _redirect(asked.redirect_uri, callback)

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
