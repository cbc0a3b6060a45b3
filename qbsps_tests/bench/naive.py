"""The naive baselines: what a supplier writes by hand with plain `requests`.

Inbound (NaiveClient): for each order file in sequence: download it, look up the vendor and each
line's item by query, create one PurchaseOrder, delete the file. No batch, no cache, no concurrency,
no ledger; a 429 waits a second and tries again (Intuit says wait 60 s: a naive client that obeyed
would only look slower).

Outbound (NaiveOutbound), given the changed invoices' ids (as a webhook names them) and the orders
it received: for each invoice in sequence, read it from QBO (one request), build its 810 and 856
(qbsps's own mapping: the naive part is the API use, not the documents) and upload each (one request
per document). No ledger, no concurrency, no batch."""

from __future__ import annotations

import itertools
import json
import time
from decimal import Decimal

import requests

from qbsps_orchestration.lib.config import QbspsConfig
from qbsps_orchestration.lib.documents.invoice.invoice import build_invoice
from qbsps_orchestration.lib.documents.shipment.ship_notice import build_ship_notice
from qbsps_orchestration.lib.rsx import read_rsx

from .orders import PARTNER

MINOR = {"minorversion": "75"}
THROTTLED_WAIT_SECONDS = 1.0


class NaiveClient:
    def __init__(self, info: dict, vendors: dict[str, str], orders_folder: str) -> None:
        """``info``: the sandbox's info file; ``vendors``: trading partner id -> QBO Vendor name."""
        self.qbo, self.sps = info["qbo"], info["sps"]
        self.vendors = vendors
        self.folder = orders_folder
        self.http = requests.Session()
        self.qbo_token = self._qbo_token()
        self.sps_token = self._sps_token()

    def run(self) -> int:
        """Every order file now in the mailbox into QBO; returns how many."""
        names = self._list()
        for name in names:
            self.sync_file(name)
        return len(names)

    def sync_file(self, name: str) -> None:
        url = f"{self.sps['api_base_url']}/transactions/v5/data/{self.folder}{name}"
        order = json.loads(self._sps("GET", url).content, parse_float=Decimal)
        header = order["Header"]["OrderHeader"]
        name = self.vendors[header["TradingPartnerId"]]
        vendor = self._query(f"select * from Vendor where DisplayName = '{name}'")
        lines = []
        for entry in order["LineItem"]:
            line = entry["OrderLine"]
            item = self._query(f"select * from Item where Sku = '{line['VendorPartNumber']}'")
            qty, price = Decimal(str(line["OrderQty"])), Decimal(str(line["PurchasePrice"]))
            detail = {"ItemRef": {"value": item["Item"][0]["Id"]}, "Qty": str(qty), "UnitPrice": str(price)}
            lines.append(
                {
                    "DetailType": "ItemBasedExpenseLineDetail",
                    "Amount": str(qty * price),
                    "ItemBasedExpenseLineDetail": detail,
                }
            )
        body = {
            "DocNumber": header["PurchaseOrderNumber"],
            "VendorRef": {"value": vendor["Vendor"][0]["Id"]},
            "TxnDate": header["PurchaseOrderDate"],
            "Line": lines,
        }
        self._qbo("POST", "purchaseorder", json=body)
        self._sps("DELETE", url)

    def _list(self) -> list[str]:
        names, url = [], f"{self.sps['api_base_url']}/transactions/v5/data/{self.folder}"
        while url:
            page = self._sps("GET", url).json()
            names += [e["path"].rsplit("/", 1)[1] for e in page["results"] if e["type"] == "file"]
            url = (page["paging"].get("next") or {}).get("url")
        return names

    def _query(self, text: str) -> dict:
        return self._qbo("GET", "query", params={"query": text})["QueryResponse"]

    def _qbo(self, method: str, resource: str, **kwargs: object) -> dict:
        url = f"{self.qbo['api_base_url']}/v3/company/{self.qbo['realm_id']}/{resource}"
        params = {**MINOR, **kwargs.pop("params", {})}  # type: ignore[dict-item]
        headers = {"Authorization": f"Bearer {self.qbo_token}", "Accept": "application/json"}
        while True:
            answer = self.http.request(method, url, params=params, headers=headers, timeout=60, **kwargs)
            if answer.status_code != 429:
                answer.raise_for_status()
                return answer.json()
            time.sleep(THROTTLED_WAIT_SECONDS)

    def _sps(self, method: str, url: str) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.sps_token}"}
        answer = self.http.request(method, url, headers=headers, timeout=60)
        answer.raise_for_status()
        return answer

    def _qbo_token(self) -> str:
        answer = self.http.post(
            self.qbo["token_url"],
            data={"grant_type": "refresh_token", "refresh_token": self.qbo["refresh_token"]},
            auth=(self.qbo["client_id"], self.qbo["client_secret"]),
            timeout=60,
        )
        answer.raise_for_status()
        return answer.json()["access_token"]

    def _sps_token(self) -> str:
        body = {
            "grant_type": "client_credentials",
            "client_id": self.sps["client_id"],
            "client_secret": self.sps["client_secret"],
            "audience": "https://spscommerce.com",
        }
        answer = self.http.post(self.sps["token_url"], json=body, timeout=60)
        answer.raise_for_status()
        return answer.json()["access_token"]


class NaiveOutbound(NaiveClient):
    def __init__(self, info: dict, config: QbspsConfig, orders: dict[str, bytes]) -> None:
        """``orders``: PO number -> the RSX JSON the retailer sent (the supplier kept it)."""
        super().__init__(info, {}, config.sps.folders.orders)
        self.config = config
        self.partner = config.partner(PARTNER.trading_partner_id)
        self.orders = orders
        self.serials = itertools.count(1)

    def send_all(self, invoice_ids: list[str]) -> None:
        for qbo_id in invoice_ids:
            self.send(qbo_id)

    def send(self, qbo_id: str) -> None:
        invoice = self._read_invoice(qbo_id)
        po = invoice["PONumber"]
        order = read_rsx(self.orders[po], source=f"order {po}", doc_type="Order")[0].order
        options = {"partner": self.partner, "config": self.config, "order": order}
        for document in (
            build_invoice(invoice, **options),
            build_ship_notice(invoice, **options, next_serial=lambda: next(self.serials)),
        ):
            url = f"{self.sps['api_base_url']}/transactions/v5/data/{self.config.sps.folders.outbound}"
            headers = {
                "Authorization": f"Bearer {self.sps_token}",
                "Content-Type": "application/octet-stream",
            }
            answer = self.http.post(
                url + document.file_name, data=document.content(), headers=headers, timeout=60
            )
            answer.raise_for_status()

    def _read_invoice(self, qbo_id: str) -> dict:
        url = f"{self.qbo['api_base_url']}/v3/company/{self.qbo['realm_id']}/invoice/{qbo_id}"
        headers = {"Authorization": f"Bearer {self.qbo_token}", "Accept": "application/json"}
        while True:
            answer = self.http.get(url, params=MINOR, headers=headers, timeout=60)
            if answer.status_code != 429:
                answer.raise_for_status()
                return json.loads(answer.content, parse_float=Decimal)["Invoice"]
            time.sleep(THROTTLED_WAIT_SECONDS)
