"""The qbsps configuration file that points the connector at a running sandbox (``--write-config``).

Written with plain YAML: the sandbox never imports the connector's own config code, so a test that
loads this file with the connector's loader checks both sides independently.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .seed_catalog import ITEMS, PARTNERS

SANDBOX_LEDGER = "sandbox-ledger.db"
DEMO_GS1_PREFIX = "0614141"  # GS1's own example company prefix
DEMO_SUPPLIER = {
    "name": "qbsps Demo Supplier Co",
    "address1": "100 Warehouse Way",
    "city": "Minneapolis",
    "state": "MN",
    "postal_code": "55401",
    "country": "US",
}
SECRET_KEY_FILE = "secret.key"

if TYPE_CHECKING:
    from .runtime import Sandbox


def _ref(sandbox: Sandbox, entity: str, **equals: str) -> dict[str, str]:
    found = sandbox.qbo.find(entity, **equals)
    if not found:
        raise LookupError(f"the sandbox company has no {entity} with {equals}")
    return {"id": str(found[0]["Id"])}


def sandbox_connector_config(sandbox: Sandbox, *, config_dir: Path) -> str:
    info = sandbox.info()
    qbo, sps = info["qbo"], info["sps"]
    folders = sandbox.settings.sps
    config: dict[str, Any] = {
        "qbo": {
            "api_base_url": qbo["api_base_url"],
            "token_url": qbo["token_url"],
            "discovery_url": qbo["discovery_url"],
            "realm_id": qbo["realm_id"],
            "minor_version": 75,
            "client_id": {"value": qbo["client_id"]},
            "client_secret": {"value": qbo["client_secret"]},
            "refresh_token": {"value": qbo["refresh_token"]},
            "webhook_verifier_token": {"value": qbo["webhook_verifier_token"]},
            # Yesterday: a day of hours to look at and backfill in the UI, not eleven months.
            "go_live": (datetime.now(UTC).date() - timedelta(days=1)).isoformat(),
        },
        "sps": {
            "api_base_url": sps["api_base_url"],
            "token_url": sps["token_url"],
            "audience": "https://spscommerce.com",
            "client_id": {"value": sps["client_id"]},
            "client_secret": {"value": sps["client_secret"]},
            "folders": {"orders": folders.orders_folder, "outbound": folders.upload_folder},
        },
        # The sandbox company lives in memory and starts afresh each time, so its ledger does too.
        "ledger": {
            "url": f"sqlite:///{(config_dir / SANDBOX_LEDGER).resolve()}",
            "secret_keys": {"file": SECRET_KEY_FILE},
        },
        "polling": {"interval_minutes": 5},
        "accounts": {
            "ap_account": _ref(sandbox, "Account", AccountType="Accounts Payable"),
            "expense_account": _ref(sandbox, "Account", AccountType="Cost of Goods Sold"),
            "income_account": _ref(sandbox, "Account", AccountType="Income"),
        },
        "supplier": DEMO_SUPPLIER,
        "carriers": {"UPS Ground": "UPSN", "FedEx Ground": "FDEG", "USPS Priority": "USPS"},
        "trading_partners": [
            {
                "trading_partner_id": p.trading_partner_id,
                "name": p.name,
                "vendor_number": p.vendor_number,
                "qbo_vendor": _ref(sandbox, "Vendor", DisplayName=p.name),
                "qbo_customer": _ref(sandbox, "Customer", CompanyName=p.name),
                "rsx_format": p.rsx_format,
                "inbound_target": "PurchaseOrder",
                "gs1_company_prefix": DEMO_GS1_PREFIX,
                "send_order_acks": True,
            }
            for p in PARTNERS
        ],
        "items": [
            {
                "qbo_item": _ref(sandbox, "Item", Name=item.name),
                "vendor_part_number": item.sku,
                "buyer_part_number": item.buyer_part_number,
                "upc": item.upc,
                **({} if item.upc_check_digit_valid else {"verify_check_digit": False}),
            }
            for item in ITEMS
        ],
    }
    header = "# qbsps configuration for the local sandbox (written by `qbsps sandbox --write-config`).\n"
    return header + yaml.safe_dump(config, sort_keys=False)
