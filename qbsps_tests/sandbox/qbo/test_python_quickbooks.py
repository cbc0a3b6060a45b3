"""A well-known third-party client works against the sandbox unchanged except for its base URL.

intuit-oauth reads the sandbox's discovery document and refreshes through its token endpoint;
python-quickbooks takes its API host from the class attribute ``api_url_v3``, overridden here on
the instance. Nothing else about either library is patched (oauthlib's documented
``OAUTHLIB_INSECURE_TRANSPORT`` switch lets it talk to the plain-HTTP loopback server).
"""

from __future__ import annotations

import pytest
from intuitlib.client import AuthClient
from quickbooks import QuickBooks
from quickbooks.exceptions import AuthorizationException, QuickbooksException
from quickbooks.objects.account import Account
from quickbooks.objects.detailline import ItemBasedExpenseLine, ItemBasedExpenseLineDetail
from quickbooks.objects.item import Item
from quickbooks.objects.purchaseorder import PurchaseOrder
from quickbooks.objects.vendor import Vendor

from .conftest import Qbo

DISCOVERY_PATH = "/.well-known/openid_sandbox_configuration"


def _client(qbo: Qbo, monkeypatch: pytest.MonkeyPatch) -> QuickBooks:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # requests must reach loopback directly
    # The sandbox listens on plain http://127.0.0.1; oauthlib refuses non-TLS URLs unless told this
    # is a local test through its documented switch.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    settings = qbo.sandbox.settings
    refresh_token = qbo.sandbox.authority.issue_refresh_token()
    auth_client = AuthClient(
        settings.client_id,
        settings.client_secret,
        "https://localhost/callback",
        environment=qbo.base_url + DISCOVERY_PATH,
        refresh_token=refresh_token,
    )
    client = QuickBooks(
        auth_client=auth_client, refresh_token=refresh_token, company_id=settings.realm_id, minorversion=75
    )
    client.api_url_v3 = qbo.base_url + "/v3"  # the only change: where the API lives
    return client


def test_vendor_item_and_purchase_order_round_trip(qbo: Qbo, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client(qbo, monkeypatch)

    vendor = Vendor()
    vendor.DisplayName = "PyQB Supplies"
    vendor.CompanyName = "PyQB Supplies Inc"
    vendor = vendor.save(qb=client)
    assert vendor.Id and vendor.SyncToken == "0"

    income = Account.filter(Name="Sales of Product Income", qb=client)[0]
    cogs = Account.filter(Name="Cost of Goods Sold", qb=client)[0]
    item = Item()
    item.Name = "PyQB Widget"
    item.Sku = "PYQB-W-1"
    item.Type = "NonInventory"
    item.UnitPrice = 25
    item.IncomeAccountRef = income.to_ref()
    item.ExpenseAccountRef = cogs.to_ref()
    item = item.save(qb=client)
    assert item.Sku == "PYQB-W-1"

    detail = ItemBasedExpenseLineDetail()
    detail.ItemRef = item.to_ref()
    detail.Qty = 3
    detail.UnitPrice = 10
    line = ItemBasedExpenseLine()
    line.Amount = 30
    line.ItemBasedExpenseLineDetail = detail
    order = PurchaseOrder()
    order.DocNumber = "PYQB-1"
    order.VendorRef = vendor.to_ref()
    order.Line = [line]
    order = order.save(qb=client)
    assert order.TotalAmt == 30.0 and order.POStatus == "Open"

    assert [v.Id for v in Vendor.where("DisplayName = 'PyQB Supplies'", qb=client)] == [vendor.Id]
    assert [i.Name for i in Item.filter(Sku="PYQB-W-1", qb=client)] == ["PyQB Widget"]
    assert "PyQB Widget" in [i.Name for i in Item.all(qb=client)]  # sends "SELECT *, Sku FROM Item"
    found = PurchaseOrder.filter(DocNumber="PYQB-1", qb=client)
    assert [po.Id for po in found] == [order.Id]
    assert found[0].Line[0].ItemBasedExpenseLineDetail.ItemRef.value == item.Id
    assert PurchaseOrder.count(qb=client) == 1
    assert PurchaseOrder.get(order.Id, qb=client).VendorRef.name == "PyQB Supplies"


def test_stale_sync_token_raises_the_libraries_own_exception(
    qbo: Qbo, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(qbo, monkeypatch)
    vendor = Vendor()
    vendor.DisplayName = "Stale Token Traders"
    vendor = vendor.save(qb=client)

    mine, theirs = Vendor.get(vendor.Id, qb=client), Vendor.get(vendor.Id, qb=client)
    theirs.AcctNum = "THEIRS"
    theirs.save(qb=client)  # SyncToken 0 -> 1 on the server
    mine.AcctNum = "MINE"
    with pytest.raises(QuickbooksException) as caught:
        mine.save(qb=client)
    # python-quickbooks maps codes 5000-9999 to its generic QuickbooksException, not a subclass.
    assert type(caught.value) is QuickbooksException
    assert caught.value.error_code == 5010 and caught.value.message == "Stale Object Error"
    assert Vendor.get(vendor.Id, qb=client).AcctNum == "THEIRS"


def test_a_bad_token_raises_its_authorization_exception(qbo: Qbo, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client(qbo, monkeypatch)
    client.session.access_token = "revoked-or-made-up"
    with pytest.raises(AuthorizationException) as caught:
        Vendor.all(qb=client)
    assert caught.value.error_code == 401 and '"fault"' in caught.value.detail
