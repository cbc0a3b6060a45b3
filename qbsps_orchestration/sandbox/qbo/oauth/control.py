"""Control API for the sandbox OAuth authority, under /_sandbox/qbo/oauth.

Shows token families without their secrets, changes lifetimes and the consent mode at run time,
injects the lost refresh response, revokes a realm (the user disconnecting the app inside
QuickBooks) and mints authorization codes so tests can run the code exchange without a browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .http import json_object

if TYPE_CHECKING:
    from .authority import QboAuthority

CONTROL_PATH = "/_sandbox/qbo/oauth"
_LIFETIME_FIELDS = (
    "access_token_lifetime",
    "refresh_token_lifetime",
    "refresh_rotation_age",
    "refresh_grace_seconds",
)


def _bad(reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=400)


def oauth_control_routes(authority: QboAuthority) -> list[Route]:
    settings = authority.settings

    def state() -> dict:
        return {
            "realm_id": settings.realm_id,
            "client_id": settings.client_id,
            **{name: getattr(settings, name) for name in _LIFETIME_FIELDS},
            "drop_next_refresh_response": authority.drop_next_refresh_response,
            "auto_consent": settings.auto_consent,
            "pending_consents": len(authority.consents),
            "dropped_refresh_responses": authority.dropped_refresh_responses,
            "invalid_grants": dict(authority.invalid_grants),
            **authority.store.describe(),
        }

    async def get_state(_: Request) -> Response:
        return JSONResponse(state())

    async def change(request: Request) -> Response:
        """Body keys (all optional): drop_next_refresh_response (bool), auto_consent (bool), the
        lifetimes in _LIFETIME_FIELDS (seconds, >= 0), revoke_realm (realm id)."""
        try:
            data = await json_object(request)
        except ValueError as exc:
            return _bad(str(exc))
        known = {"drop_next_refresh_response", "auto_consent", "revoke_realm", *_LIFETIME_FIELDS}
        unknown = sorted(set(data) - known)
        if unknown:
            return _bad(f"unknown field(s) in oauth control body: {', '.join(unknown)}")
        updates: dict[str, int] = {}
        for name in _LIFETIME_FIELDS:
            if name in data:
                value = data[name]
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    return _bad(f"oauth control field {name} must be a whole number of seconds >= 0")
                updates[name] = value
        for flag in ("drop_next_refresh_response", "auto_consent"):
            if flag in data and not isinstance(data[flag], bool):
                return _bad(f"oauth control field {flag} must be true or false")
        if "drop_next_refresh_response" in data:
            authority.drop_next_refresh_response = data["drop_next_refresh_response"]
        if "auto_consent" in data:
            settings.auto_consent = data["auto_consent"]
        for name, value in updates.items():
            setattr(settings, name, value)
        body = state()
        if "revoke_realm" in data:
            body["revoked_families"] = authority.store.revoke_realm(str(data["revoke_realm"]))
        return JSONResponse(body)

    async def mint_code(request: Request) -> Response:
        """Body (optional): redirect_uri to bind the code to, realm_id (default: the sandbox's)."""
        try:
            data = await json_object(request)
        except ValueError as exc:
            return _bad(str(exc))
        redirect_uri = data.get("redirect_uri")
        if redirect_uri is not None and not isinstance(redirect_uri, str):
            return _bad("oauth code field redirect_uri must be a string")
        realm_id = str(data.get("realm_id", settings.realm_id))
        code = authority.store.mint_code(realm_id, settings.client_id, redirect_uri)
        return JSONResponse({"code": code, "realmId": realm_id}, status_code=201)

    return [
        Route(CONTROL_PATH, get_state, methods=["GET"]),
        Route(CONTROL_PATH, change, methods=["POST"]),
        Route(CONTROL_PATH + "/code", mint_code, methods=["POST"]),
    ]
