"""The qbsps configuration file: endpoints, credential sources, trading partners, item cross-reference.

config = load_config()                      # path from the argument or $QBSPS_CONFIG
partner = config.partner("SPSALLTESTID")
match = config.item_crossref.resolve(partner.trading_partner_id, upc="859563003863")  # see lib.items
secret = config.qbo.client_secret.resolve()
"""

from ..values import QboRef  # re-exported: accounts and partners name QBO entities with it
from .credentials import CredentialSource
from .errors import ConfigError, CredentialError, UnknownTradingPartnerError
from .loader import CONFIG_ENV, config_from_mapping, configured_go_live, dump_config, load_config
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

__all__ = [
    "CONFIG_ENV",
    "INTUIT_DISCOVERY_URL",
    "AccountMappings",
    "ConfigError",
    "CredentialError",
    "CredentialSource",
    "HttpSettings",
    "RetentionSettings",
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
    "configured_go_live",
    "dump_config",
    "load_config",
]
