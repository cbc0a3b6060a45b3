"""The naive baseline: what a supplier writes by hand with plain `requests`. For each order file in
sequence: download it, look up the vendor and each line's item by query, create one PurchaseOrder,
delete the file. No batch, no cache, no concurrency, no ledger; a 429 waits a second and tries again
(Intuit says wait 60 s: a naive client that obeyed would only look slower)."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import requests

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
