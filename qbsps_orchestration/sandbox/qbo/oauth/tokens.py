"""The token families behind the sandbox's Intuit OAuth 2.0 server, with no HTTP in sight.

A *family* is what one user consent creates: one realm, one app, a refresh-token value that rotates
(the same value comes back until it is older than the rotation age, then a new one replaces it and
the old one stops working), a rolling refresh expiry capped by a 5-year hard limit, and the access
tokens minted along the way. Revoking any token of a family kills all of it, as at Intuit.
All times come from the sandbox clock so tests can age tokens without waiting.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ...clock import SandboxClock
from ...settings import QboSandboxSettings

HARD_LIFETIME_SECONDS = 157_680_000  # 5 x 365 days, the value Intuit's token response reports
CODE_LIFETIME_SECONDS = 300  # not documented by Intuit; authorization codes are short-lived everywhere


class InvalidGrant(Exception):
    """The grant (code or refresh token) is unknown, used, expired, superseded or revoked.

    The message is for the sandbox's own log and tests; it never contains a token value.
    """


@dataclass
class AuthorizationCode:
    realm_id: str
    client_id: str
    redirect_uri: str | None  # None: minted by the control API, any redirect_uri is accepted
    expires_at: datetime
    used: bool = False


@dataclass
class TokenFamily:
    family_id: str
    realm_id: str
    client_id: str
    created_at: datetime
    hard_expires_at: datetime
    refresh_token: str
    refresh_issued_at: datetime
    refresh_expires_at: datetime
    revoked_at: datetime | None = None
    refreshes: int = 0
    rotations: int = 0
    access_tokens_issued: int = 0


@dataclass
class AccessToken:
    family_id: str
    expires_at: datetime


@dataclass(frozen=True)
class IssuedTokens:
    """What the token endpoint returns; lifetimes in whole seconds from now."""

    access_token: str
    expires_in: int
    refresh_token: str
    x_refresh_token_expires_in: int
    x_refresh_token_hard_expires_in: int
    realm_id: str


@dataclass
class TokenStore:
    settings: QboSandboxSettings
    clock: SandboxClock
    families: dict[str, TokenFamily] = field(default_factory=dict)
    _by_refresh: dict[str, str] = field(default_factory=dict)  # current value -> family id
    _superseded: dict[str, tuple[str, datetime]] = field(default_factory=dict)  # value -> (family, when)
    _access: dict[str, AccessToken] = field(default_factory=dict)
    _codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # --- authorization codes -------------------------------------------------------------------

    def mint_code(self, realm_id: str, client_id: str, redirect_uri: str | None) -> str:
        code = f"AB11{secrets.token_urlsafe(36)}"
        with self._lock:
            self._prune_codes()
            self._codes[code] = AuthorizationCode(
                realm_id, client_id, redirect_uri, self.clock.now() + timedelta(seconds=CODE_LIFETIME_SECONDS)
            )
        return code

    def exchange_code(self, code: str, client_id: str, redirect_uri: str | None) -> IssuedTokens:
        with self._lock:
            grant = self._codes.get(code)
            if grant is None or grant.client_id != client_id:
                raise InvalidGrant("unknown authorization code")
            if grant.used:
                raise InvalidGrant("authorization code already used")
            if self.clock.now() >= grant.expires_at:
                raise InvalidGrant("authorization code expired")
            if grant.redirect_uri is not None and grant.redirect_uri != redirect_uri:
                raise InvalidGrant("redirect_uri does not match the authorization request")
            grant.used = True
            now = self.clock.now()
            return self._issue(self.start_family(grant.realm_id, client_id, now), now)

    # --- families ------------------------------------------------------------------------------

    def start_family(self, realm_id: str, client_id: str, now: datetime | None = None) -> TokenFamily:
        now = now or self.clock.now()
        hard = now + timedelta(seconds=HARD_LIFETIME_SECONDS)
        family = TokenFamily(
            family_id=secrets.token_hex(8),
            realm_id=realm_id,
            client_id=client_id,
            created_at=now,
            hard_expires_at=hard,
            refresh_token=self._new_refresh_value(),
            refresh_issued_at=now,
            refresh_expires_at=min(hard, now + timedelta(seconds=self.settings.refresh_token_lifetime)),
        )
        with self._lock:
            self.families[family.family_id] = family
            self._by_refresh[family.refresh_token] = family.family_id
        return family

    def refresh(self, refresh_token: str, client_id: str) -> IssuedTokens:
        """One refresh_token grant: validate, rotate when the value is old enough, extend, issue."""
        now = self.clock.now()
        with self._lock:
            family = self._family_for_refresh(refresh_token, now)
            if family.client_id != client_id:
                raise InvalidGrant("refresh token belongs to another app")
            if family.revoked_at is not None:
                raise InvalidGrant("token family revoked")
            if now >= family.refresh_expires_at:
                raise InvalidGrant("refresh token expired")
            age = (now - family.refresh_issued_at).total_seconds()
            if age >= self.settings.refresh_rotation_age:
                self._superseded[family.refresh_token] = (family.family_id, now)
                del self._by_refresh[family.refresh_token]
                family.refresh_token = self._new_refresh_value()
                family.refresh_issued_at = now
                family.rotations += 1
                self._by_refresh[family.refresh_token] = family.family_id
            family.refresh_expires_at = min(
                family.hard_expires_at, now + timedelta(seconds=self.settings.refresh_token_lifetime)
            )
            family.refreshes += 1
            return self._issue(family, now)

    def _family_for_refresh(self, value: str, now: datetime) -> TokenFamily:
        family_id = self._by_refresh.get(value)
        if family_id is not None:
            return self.families[family_id]
        superseded = self._superseded.get(value)
        if superseded is None:
            raise InvalidGrant("unknown refresh token")
        family_id, when = superseded
        if (now - when).total_seconds() >= self.settings.refresh_grace_seconds:
            raise InvalidGrant("refresh token was superseded by a newer value")
        # Inside the grace window the old value still refreshes the family (older Intuit docs).
        return self.families[family_id]

    def _issue(self, family: TokenFamily, now: datetime) -> IssuedTokens:
        value = f"eyJ{secrets.token_urlsafe(64)}"
        expires_at = now + timedelta(seconds=self.settings.access_token_lifetime)
        self._prune_access(now)
        self._access[value] = AccessToken(family.family_id, expires_at)
        family.access_tokens_issued += 1
        return IssuedTokens(
            access_token=value,
            expires_in=self.settings.access_token_lifetime,
            refresh_token=family.refresh_token,
            x_refresh_token_expires_in=_seconds_until(family.refresh_expires_at, now),
            x_refresh_token_hard_expires_in=_seconds_until(family.hard_expires_at, now),
            realm_id=family.realm_id,
        )

    # --- access tokens and revocation ----------------------------------------------------------

    def family_for_access(self, access_token: str) -> TokenFamily | None:
        """The live family behind an unexpired access token, else None."""
        now = self.clock.now()
        with self._lock:
            record = self._access.get(access_token)
            if record is None or now >= record.expires_at:
                return None
            family = self.families[record.family_id]
            return None if family.revoked_at is not None else family

    def revoke(self, token: str, client_id: str) -> bool:
        """Revoke the family of a refresh (current or superseded) or access token; False if unknown."""
        with self._lock:
            family_id = self._by_refresh.get(token)
            if family_id is None and token in self._superseded:
                family_id = self._superseded[token][0]
            if family_id is None and token in self._access:
                family_id = self._access[token].family_id
            if family_id is None or self.families[family_id].client_id != client_id:
                return False
            self._revoke_family(self.families[family_id])
            return True

    def revoke_realm(self, realm_id: str) -> int:
        """What disconnecting the app inside QuickBooks does: every family of the realm dies."""
        with self._lock:
            live = [f for f in self.families.values() if f.realm_id == realm_id and f.revoked_at is None]
            for family in live:
                self._revoke_family(family)
            return len(live)

    def _revoke_family(self, family: TokenFamily) -> None:
        family.revoked_at = self.clock.now()

    # --- housekeeping --------------------------------------------------------------------------

    def describe(self) -> dict:
        now = self.clock.now()
        with self._lock:
            live_access: dict[str, int] = {}
            for record in self._access.values():
                if now < record.expires_at:
                    live_access[record.family_id] = live_access.get(record.family_id, 0) + 1
            return {
                "families": [
                    _describe_family(f, live_access.get(f.family_id, 0)) for f in self.families.values()
                ],
                "outstanding_codes": sum(
                    1 for c in self._codes.values() if not c.used and now < c.expires_at
                ),
                "superseded_refresh_tokens": len(self._superseded),
            }

    def _prune_access(self, now: datetime) -> None:
        for value in [v for v, r in self._access.items() if now >= r.expires_at]:
            del self._access[value]

    def _prune_codes(self) -> None:
        now = self.clock.now()
        for value in [v for v, c in self._codes.items() if c.used or now >= c.expires_at]:
            del self._codes[value]

    @staticmethod
    def _new_refresh_value() -> str:
        return f"AB11{secrets.token_urlsafe(40)}"


def fingerprint(token: str) -> str:
    """A short, non-reversible tag so tests can tell refresh-token values apart without seeing them."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def _seconds_until(when: datetime, now: datetime) -> int:
    # Rounded, not floored: the milliseconds between a clock read and the answer are not a second.
    return max(0, round((when - now).total_seconds()))


def _describe_family(family: TokenFamily, live_access_tokens: int) -> dict:
    return {
        "family_id": family.family_id,
        "realm_id": family.realm_id,
        "created_at": family.created_at.isoformat(),
        "hard_expires_at": family.hard_expires_at.isoformat(),
        "refresh_token_fingerprint": fingerprint(family.refresh_token),
        "refresh_issued_at": family.refresh_issued_at.isoformat(),
        "refresh_expires_at": family.refresh_expires_at.isoformat(),
        "revoked": family.revoked_at is not None,
        "refreshes": family.refreshes,
        "rotations": family.rotations,
        "access_tokens_issued": family.access_tokens_issued,
        "live_access_tokens": live_access_tokens,
    }
