"""The qbsps configuration file as pydantic models. Unknown keys are errors, so typos surface."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, model_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..items import ItemCrossReference, ItemRow
from ..values import HttpUrl, IdText, PartNumber, QboRef, Text
from .alerts import AlertSettings
from .credentials import CredentialSource
from .deadlines import DeadlineSettings
from .errors import UnknownTradingPartnerError

LEDGER_URL_ENV = "QBSPS_LEDGER_URL"  # also read by lib/ledger when no config is at hand
DEFAULT_LEDGER_URL = "sqlite:///.qbsps/ledger.db"


def _folder(value: str) -> str:
    # SPS mailbox paths are relative and case-sensitive; listing needs the trailing slash.
    value = value.strip().lstrip("/")
    if not value:
        raise ValueError("must not be empty")
    return value if value.endswith("/") else value + "/"


def _database_url(value: str) -> str:
    try:
        make_url(value)
    except ArgumentError:
        raise ValueError(f"{value!r} is not a SQLAlchemy database URL") from None
    return value


def _realm_id(value: str) -> str:
    if not value.isdigit():
        raise ValueError(f"{value!r} is not a QBO realm id (digits only)")
    return value


def _gs1_prefix(value: str) -> str:
    value = value.strip()
    if not (value.isdigit() and 6 <= len(value) <= 12):
        raise ValueError(f"{value!r} is not a GS1 company prefix (6 to 12 digits)")
    return value


def _scac(value: str) -> str:
    value = value.strip().upper()
    if not (value.isalpha() and 2 <= len(value) <= 4):
        raise ValueError(f"{value!r} is not a SCAC carrier code (2 to 4 letters)")
    return value


Folder = Annotated[str, AfterValidator(_folder)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


INTUIT_DISCOVERY_URL = "https://developer.intuit.com/.well-known/openid_configuration/"


class QboSettings(_Strict):
    api_base_url: HttpUrl  # calls go to {api_base_url}/v3/company/{realm_id}/...
    token_url: HttpUrl
    # Where `qbsps connect quickbooks` reads the authorization and token endpoints.
    discovery_url: HttpUrl = INTUIT_DISCOVERY_URL
    # The company and the app's credentials: from here when given, else from what
    # `qbsps connect quickbooks` stored (encrypted) in the ledger.
    realm_id: Annotated[IdText, AfterValidator(_realm_id)] | None = None
    minor_version: int = Field(default=75, ge=75)  # Intuit ignores 1–74 since 2025-08-01
    client_id: CredentialSource | None = None
    client_secret: CredentialSource | None = None
    refresh_token: CredentialSource | None = None  # an initial value; the ledger keeps the rotated ones
    webhook_verifier_token: CredentialSource | None = None
    # The first day (UTC) qbsps syncs this company: the hourly change sweep's partitions start
    # here, so the UI lists the hours since go-live, not every hour since 2026-01-01.
    go_live: date | None = None


class SpsFolders(_Strict):
    orders: Folder = "out/PO/"  # inbound 850s
    outbound: Folder = "in/"  # where 810/856/855/846 are uploaded


class SpsSettings(_Strict):
    api_base_url: HttpUrl  # calls go to {api_base_url}/transactions/v5/...
    token_url: HttpUrl
    audience: Text = "https://spscommerce.com"
    # From here when given, else from what `qbsps connect sps` stored (encrypted) in the ledger.
    client_id: CredentialSource | None = None
    client_secret: CredentialSource | None = None
    folders: SpsFolders = Field(default_factory=SpsFolders)
    # Inbound files over this size, or nested deeper, are quarantined unread (bad input, not retried).
    max_file_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_nesting_depth: int = Field(default=64, ge=16, le=500)
    # An upload whose answer was lost and that neither `in/` nor the history shows is sent again
    # only after this long: SPS's history can lag a transfer by minutes.
    history_lag_seconds: int = Field(default=300, ge=0, le=86400)


class LedgerSettings(_Strict):
    # A file that names no ledger gets $QBSPS_LEDGER_URL, the same for the qbsps commands and for
    # Dagster (whose config resource binds that variable too), else the local SQLite file.
    url: Annotated[str, AfterValidator(_database_url)] = Field(
        default_factory=lambda: os.environ.get(LEDGER_URL_ENV) or DEFAULT_LEDGER_URL, validate_default=True
    )
    # Fernet keys (comma-separated, newest first) that encrypt stored credentials.
    secret_keys: CredentialSource = Field(default_factory=lambda: CredentialSource(env="QBSPS_SECRET_KEYS"))


class PollingSettings(_Strict):
    interval_minutes: int = Field(default=5, ge=5, le=15)
    # A faster poll for the local sandbox only (`make dev`): a real SPS mailbox is polled every
    # 5–15 minutes. When set, it replaces interval_minutes.
    sandbox_interval_seconds: int | None = Field(default=None, ge=5, le=900)

    @property
    def seconds(self) -> int:
        return self.sandbox_interval_seconds or self.interval_minutes * 60


class WebhookSettings(_Strict):
    # Where the `qbsps webhooks serve` receiver answers (its /health is checked by `qbsps doctor`).
    receiver_url: HttpUrl = "http://127.0.0.1:8713"


class RetentionSettings(_Strict):
    """How long finished document partitions stay listed in Dagster (its partition lists grow with
    every file and invoice); the ledger keeps every document and its audit trail regardless."""

    partition_days: int = Field(default=90, ge=1)


class HttpSettings(_Strict):
    """How long qbsps waits for either API and how it retries a 429, a 5xx or a broken connection
    (exponential backoff with full jitter; a Retry-After answer is honoured up to the cap)."""

    timeout_seconds: float = Field(default=60.0, gt=0, le=600)
    max_attempts: int = Field(default=6, ge=1, le=20)
    backoff_base_seconds: float = Field(default=0.5, ge=0, le=60)
    backoff_max_seconds: float = Field(default=60.0, ge=0, le=900)


class AccountMappings(_Strict):
    ap_account: QboRef
    expense_account: QboRef
    income_account: QboRef


class TradingPartner(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True)

    trading_partner_id: PartNumber  # SPS TradingPartnerId
    name: Text
    vendor_number: PartNumber  # the buyer-assigned Vendor number on RSX headers
    qbo_vendor: QboRef
    qbo_customer: QboRef
    rsx_format: Literal["json", "xml"]
    inbound_target: Literal["PurchaseOrder", "Estimate"] = "PurchaseOrder"
    # GS1 company prefix (6–12 digits) for the SSCC-18 of each carton on this partner's ship notices.
    gs1_company_prefix: Annotated[str, AfterValidator(_gs1_prefix)] | None = None
    send_order_acks: bool = False  # 855s: only partners that want them
    # An order line whose item no QBO Item maps to: quarantine the order (default), or create a
    # NonInventory QBO Item for it (with accounts.income_account / expense_account) and go on.
    unknown_items: Literal["quarantine", "create"] = "quarantine"
    # ItemRegistry documents sent on schedule and when items change: 832 catalog, 846 inventory advice.
    item_registries: list[Literal["catalog", "inventory"]] = Field(default_factory=lambda: ["catalog"])
    # When its 856 / 810 / 855 are due and what a late one costs (lib/config/deadlines.py); absent: none.
    deadlines: DeadlineSettings | None = None

    @model_validator(mode="after")
    def _acks_wanted(self) -> TradingPartner:
        acknowledged = self.deadlines is not None and self.deadlines.acknowledgment is not None
        if acknowledged and not self.send_order_acks:
            raise ValueError(
                "deadlines.acknowledgment: this partner gets no 855s (send_order_acks is false); "
                "set send_order_acks: true or remove the acknowledgment deadline"
            )
        return self


class Supplier(_Strict):
    """The supplier itself, as ship notices and invoices name it (ship-from / remit-to)."""

    name: Text
    address1: Text
    address2: Text | None = None
    city: Text
    state: Text
    postal_code: Text
    country: Text = "US"


class QbspsConfig(_Strict):
    qbo: QboSettings
    sps: SpsSettings
    ledger: LedgerSettings = Field(default_factory=LedgerSettings)
    polling: PollingSettings = Field(default_factory=PollingSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    alerts: AlertSettings | None = None  # absent: no alerts are sent
    accounts: AccountMappings
    trading_partners: list[TradingPartner] = Field(min_length=1)
    items: list[ItemRow] = Field(default_factory=list)
    items_csv: Text | None = None  # relative to the config file
    supplier: Supplier | None = None
    # QBO ShipMethodRef value (e.g. "UPS Ground") -> the carrier's SCAC code on ship notices.
    carriers: dict[str, Annotated[str, AfterValidator(_scac)]] = Field(default_factory=dict)

    _source_path: Path | None = PrivateAttr(default=None)
    _csv_items: list[tuple[str, ItemRow]] = PrivateAttr(default_factory=list)
    _crossref: ItemCrossReference | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> QbspsConfig:
        problems = _duplicate_partner_problems(self.trading_partners)
        for where, reason in self.unknown_partner_problems(
            (f"items[{i}]", r) for i, r in enumerate(self.items)
        ):
            field, _, why = reason.partition(": ")
            problems.append((f"{where}.{field}", why))
        if problems:
            # The loader reports these line by line; the key leads each message.
            raise ValueError("\n".join(f"{key}: {reason}" for key, reason in problems))
        return self

    @property
    def source_path(self) -> Path | None:
        """The file this config was loaded from (None when built in code)."""
        return self._source_path

    def partner(self, trading_partner_id: str) -> TradingPartner:
        """The configured partner with this SPS TradingPartnerId (exact match)."""
        for partner in self.trading_partners:
            if partner.trading_partner_id == trading_partner_id:
                return partner
        raise UnknownTradingPartnerError(
            trading_partner_id, [p.trading_partner_id for p in self.trading_partners]
        )

    def credential_sources(self) -> Iterator[tuple[str, CredentialSource]]:
        """Every credential with its dotted key (``qbo.client_id``, …)."""
        for section_name in ("qbo", "sps", "ledger"):
            section = getattr(self, section_name)
            for field_name in type(section).model_fields:
                value = getattr(section, field_name)
                if isinstance(value, CredentialSource):
                    yield f"{section_name}.{field_name}", value
        if self.alerts is not None:
            yield from self.alerts.credential_sources()

    @property
    def item_crossref(self) -> ItemCrossReference:
        """Inline `items` rows, then the rows of `items_csv` (read by the loader)."""
        if self._crossref is None:
            inline = [(f"items[{i}]", row) for i, row in enumerate(self.items)]
            self._crossref = ItemCrossReference([*inline, *self._csv_items])
        return self._crossref

    def unknown_partner_problems(self, rows: Iterable[tuple[str, ItemRow]]) -> list[tuple[str, str]]:
        """Item rows whose `trading_partner_id` names no configured partner: ``(where, reason)``."""
        known = {p.trading_partner_id for p in self.trading_partners}
        listed = ", ".join(sorted(known))
        return [
            (
                where,
                f"trading_partner_id: unknown partner {row.trading_partner_id!r}; configured: {listed}",
            )
            for where, row in rows
            if row.trading_partner_id is not None and row.trading_partner_id not in known
        ]


def _duplicate_partner_problems(partners: list[TradingPartner]) -> list[tuple[str, str]]:
    first_seen: dict[str, int] = {}
    problems: list[tuple[str, str]] = []
    for index, partner in enumerate(partners):
        earlier = first_seen.setdefault(partner.trading_partner_id, index)
        if earlier != index:
            problems.append(
                (
                    f"trading_partners[{index}].trading_partner_id",
                    f"duplicate {partner.trading_partner_id!r}, already used by trading_partners[{earlier}]",
                )
            )
    return problems
