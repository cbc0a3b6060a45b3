"""The qbsps configuration file: endpoints, credential sources, trading partners, item cross-reference.

config = load_config()                      # path from the argument or $QBSPS_CONFIG
partner = config.partner("SPSALLTESTID")
match = config.item_crossref.resolve(partner.trading_partner_id, upc="859563003863")
secret = config.qbo.client_secret.resolve()
"""

from .credentials import CredentialSource
from .crossref import AmbiguousItemError, ItemCrossReference, ItemMatch
from .errors import ConfigError, CredentialError, UnknownTradingPartnerError
from .items import CSV_COLUMNS, ItemRow
from .loader import CONFIG_ENV, config_from_mapping, dump_config, load_config
from .models import (
    INTUIT_DISCOVERY_URL,
    AccountMappings,
    HttpSettings,
    LedgerSettings,
    PollingSettings,
    QboSettings,
    QbspsConfig,
    RetentionSettings,
    SpsFolders,
    SpsSettings,
    Supplier,
    TradingPartner,
)
from .refs import QboRef

__all__ = [
    "CONFIG_ENV",
    "CSV_COLUMNS",
    "INTUIT_DISCOVERY_URL",
    "AccountMappings",
    "AmbiguousItemError",
    "ConfigError",
    "CredentialError",
    "CredentialSource",
    "HttpSettings",
    "RetentionSettings",
    "ItemCrossReference",
    "ItemMatch",
    "ItemRow",
    "LedgerSettings",
    "PollingSettings",
    "QboRef",
    "QboSettings",
    "QbspsConfig",
    "SpsFolders",
    "SpsSettings",
    "Supplier",
    "TradingPartner",
    "UnknownTradingPartnerError",
    "config_from_mapping",
    "dump_config",
    "load_config",
]
