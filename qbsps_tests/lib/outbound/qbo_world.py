"""Real inputs for the outbound builders: invoices created over HTTP in the QBO sandbox and read
back through the connector's own QBO client, SPS's sample orders read by `read_rsx`, and SPS's
v7.7.7 schemas (read in place from the shared folder, never copied)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from qbsps_orchestration.lib.config import QbspsConfig, TradingPartner
from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.qbo import QboClient
from qbsps_orchestration.lib.rsx import Order, read_rsx
from qbsps_tests.sandboxed import sandboxed_connector
from qbsps_tests.support import shared_dir

ORDERS = "rsx_json_samples/Orders_850"
BULK_IMPORT = f"{ORDERS}/PO584615-1-v7.7-BulkImport.json"  # lines 1-3 ordered 5, 2, 3 EA
DROP_SHIP = f"{ORDERS}/PO584616-1-v7.7-DropShip.json"
XML_ORDER = "rsx_xml_samples/PurchaseOrderTest.xml"  # trading partner 525GROMM


def sample_order(relative: str) -> Order:
    path = shared_dir() / "sps_samples" / relative
    document = read_rsx(path.read_bytes(), source=path.name, doc_type="Order")[0]
    assert document.order is not None
    return document.order


def v777_schemas() -> RsxSchemas:
    folder = shared_dir() / "sps_samples" / "schemas" / "v777"
    schemas = RsxSchemas(folder)
    assert schemas.available("Invoice") and schemas.available("OrderAck"), f"no v777 schemas in {folder}"
    return schemas


@dataclass
class QboWorld:
    config: QbspsConfig
    qbo: QboClient
    items: dict[str, str]  # QBO Item Name -> Id
    _count: int = 0

    def partner(self, trading_partner_id: str) -> TradingPartner:
        return self.config.partner(trading_partner_id)

    def item_id(self, name: str) -> str:
        return self.items[name]

    def create_invoice(
        self, trading_partner_id: str, lines: list[tuple[str, str, str]], **fields: Any
    ) -> dict[str, Any]:
        """A QBO Invoice for the partner's customer, created over HTTP and read back (money as
        Decimal, as the connector gets it). `lines` are (item name, qty, unit price)."""
        self._count += 1
        customer = self.partner(trading_partner_id).qbo_customer
        body: dict[str, Any] = {
            "CustomerRef": {"value": customer.id},
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": (Decimal(qty) * Decimal(price)).quantize(Decimal("0.01"), ROUND_HALF_UP),
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": self.items[name]},
                        "Qty": Decimal(qty),
                        "UnitPrice": Decimal(price),
                    },
                }
                for name, qty, price in lines
            ],
            **fields,
        }
        created = self.qbo.create("Invoice", body, request_id=f"outbound-test-{self._count}")
        return self.qbo.read("Invoice", created["Id"])


@contextmanager
def qbo_world(tmp_path: Path) -> Iterator[QboWorld]:
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        sandboxed_connector(tmp_path, monkeypatch, samples=False) as running,
    ):
        items = {row["Name"]: str(row["Id"]) for row in running.box.qbo.find("Item")}
        yield QboWorld(running.config, running.qbo(), items)
