"""The first config file for real accounts (`qbsps init`): Intuit's and SPS's production endpoints,
no secret in it, the ledger and its key file beside it.

Credentials are not in the file: `qbsps connect quickbooks` and `qbsps connect sps` store them
encrypted in the ledger. What only the supplier knows (the chart of accounts, the trading partners,
the item cross-reference) is filled with QuickBooks' default account names and one partner entry
to replace; `qbsps doctor` names whatever does not match the company.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

INTUIT_API = {
    "production": "https://quickbooks.api.intuit.com",
    # Development keys reach only Intuit's sandbox companies.
    "sandbox": "https://sandbox-quickbooks.api.intuit.com",
}
INTUIT_TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
INTUIT_DISCOVERY = {
    "production": "https://developer.intuit.com/.well-known/openid_configuration/",
    "sandbox": "https://developer.intuit.com/.well-known/openid_sandbox_configuration/",
}
SPS_API = "https://api.spscommerce.com"
SPS_TOKEN_URL = "https://auth.spscommerce.com/oauth/token"
LEDGER_FILE = "ledger.db"
KEY_FILE = "secret.key"

IntuitEnvironment = Literal["production", "sandbox"]


def starter_config(folder: Path, go_live: date, intuit: IntuitEnvironment = "production") -> str:
    """The YAML text of a config kept in `folder` (the ledger path is absolute: commands run from
    anywhere must find the same ledger), going live on `go_live` (UTC)."""
    ledger = (folder / LEDGER_FILE).resolve()
    return f"""\
# qbsps configuration, written by `qbsps init`. It holds no secret: `qbsps connect quickbooks`
# and `qbsps connect sps` store the credentials encrypted in the ledger below.
# Edit `accounts`, `supplier`, `trading_partners` and `items`, then run `qbsps doctor`.
qbo:
  api_base_url: {INTUIT_API[intuit]}
  token_url: {INTUIT_TOKEN_URL}
  discovery_url: {INTUIT_DISCOVERY[intuit]}
  # From the Intuit app's Webhooks page; `qbsps webhooks serve` verifies every call with it.
  webhook_verifier_token: {{env: QBSPS_QBO_WEBHOOK_VERIFIER_TOKEN}}
  # The first day (UTC) of syncing: the hourly change sweep's partitions in the UI start here.
  go_live: {go_live.isoformat()}
sps:
  api_base_url: {SPS_API}
  token_url: {SPS_TOKEN_URL}
  folders: {{orders: out/PO/, outbound: in/}}
ledger:
  url: sqlite:///{ledger}
  secret_keys: {{file: {KEY_FILE}}}    # Fernet keys, newest first; mode 0600, back it up
polling: {{interval_minutes: 5}}       # 5..15
webhooks: {{receiver_url: "http://127.0.0.1:8713"}}
# QuickBooks' default account names; use your own (by name or by id).
accounts:
  ap_account: {{name: "Accounts Payable (A/P)"}}
  expense_account: {{name: "Cost of Goods Sold"}}
  income_account: {{name: "Sales of Product Income"}}
supplier: {{name: "Your Company", address1: "Street", city: "City", state: "ST", postal_code: "00000"}}
carriers: {{"UPS Ground": UPSN, "FedEx Ground": FDEG}}   # QBO ShipMethod -> SCAC on ship notices
# One entry per retailer, as SPS set them up for you (the TradingPartnerId on their documents),
# with the QBO Vendor and Customer that stand for the retailer (by DisplayName or id; QuickBooks
# wants the two names different). `qbsps partners add ID` finds or creates them.
trading_partners:
  - trading_partner_id: REPLACEWITHID
    name: Your Retailer
    vendor_number: "YOUR-VENDOR-NUMBER"
    qbo_vendor: {{name: Your Retailer}}
    qbo_customer: {{name: Your Retailer (Customer)}}
    rsx_format: json
    # When the retailer wants its 856 / 810 (and 855, with send_order_acks: true) and what a late
    # one costs; qbsps alerts when one is near or missed. Uncomment and fill in from its EDI guide.
    # deadlines:
    #   timezone: America/Chicago
    #   near_hours: 4
    #   ship_notice: {{hours_after_ship: 24, chargeback: {{kind: per_carton, amount: "2.50"}}}}
    #   invoice: {{days_after_shipment: 3, chargeback: {{kind: percent, percent: "2", minimum: "25.00"}}}}
# The item cross-reference: the QBO Item for each retailer's part number / UPC (or items_csv).
items: []
"""
