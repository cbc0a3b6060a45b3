"""The naive outbound baseline: what a supplier writes by hand with plain `requests`, given the
changed invoices' ids (as a webhook names them) and the orders it received. For each invoice in
sequence: read it from QBO (one request), build its 810 and 856 (qbsps's own mapping: the naive
part is the API use, not the documents), upload each (one request per document). No ledger, no
concurrency, no batch; a QBO 429 waits a second and tries again, as the inbound baseline does."""

from __future__ import annotations

import itertools
import json
import time
from decimal import Decimal

from qbsps_orchestration.lib.config import QbspsConfig
from qbsps_orchestration.lib.documents.invoice.invoice import build_invoice
from qbsps_orchestration.lib.documents.shipment.ship_notice import build_ship_notice
from qbsps_orchestration.lib.rsx import read_rsx

from .naive import MINOR, THROTTLED_WAIT_SECONDS, NaiveClient
from .orders import PARTNER


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
