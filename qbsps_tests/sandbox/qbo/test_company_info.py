"""CompanyInfo over real HTTP: the company file's profile, read at the realm id and queried, as
Intuit's API returns it; and python-quickbooks reads it unchanged."""

from __future__ import annotations

import pytest
from quickbooks.objects.company_info import CompanyInfo

from qbsps_orchestration.sandbox.clock import SandboxClock
from qbsps_orchestration.sandbox.faults import FaultInjector
from qbsps_orchestration.sandbox.qbo.app import QboSandbox
from qbsps_orchestration.sandbox.settings import QboSandboxSettings

from .conftest import Qbo, fault_codes
from .test_python_quickbooks import _client


def test_read_at_the_realm_id_returns_the_seeded_company(qbo: Qbo) -> None:
    response = qbo.read("CompanyInfo", qbo.realm_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"CompanyInfo", "time"}
    info = body["CompanyInfo"]
    assert (info["Id"], info["SyncToken"], info["domain"], info["sparse"]) == ("1", "0", "QBO", False)
    assert info["CompanyName"] == info["LegalName"] == "qbsps Demo Supplier Co"
    address = {
        "Id": "1",
        "Line1": "100 Warehouse Way",
        "City": "Minneapolis",
        "Country": "US",
        "CountrySubDivisionCode": "MN",
        "PostalCode": "55401",
    }
    assert info["CompanyAddr"] == info["LegalAddr"] == info["CustomerCommunicationAddr"] == address
    assert info["Country"] == "US" and info["SupportedLanguages"] == "en"
    assert info["FiscalYearStartMonth"] == "January"
    assert {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"} in info["NameValue"]
    # The company predates the connection, as the rest of the seed does.
    created = info["MetaData"]["CreateTime"]
    assert created == info["MetaData"]["LastUpdatedTime"] and created[-6:] in ("-08:00", "-07:00")
    assert info["CompanyStartDate"] == created[:10]


def test_any_other_id_is_not_found(qbo: Qbo) -> None:
    for other in ("1", "4620816365037572"):
        response = qbo.read("CompanyInfo", other)
        assert response.status_code == 400 and fault_codes(response) == ["610"]


def test_query_returns_the_one_row(qbo: Qbo) -> None:
    rows = qbo.query("select * from CompanyInfo").json()["QueryResponse"]["CompanyInfo"]
    assert [row["CompanyName"] for row in rows] == ["qbsps Demo Supplier Co"]
    counted = qbo.query("SELECT COUNT(*) FROM CompanyInfo").json()["QueryResponse"]
    assert counted == {"totalCount": 1}
    named = qbo.query("SELECT * FROM CompanyInfo WHERE CompanyName = 'qbsps Demo Supplier Co'")
    assert len(named.json()["QueryResponse"]["CompanyInfo"]) == 1


def test_it_cannot_be_created_or_deleted(qbo: Qbo) -> None:
    created = qbo.create("CompanyInfo", {"CompanyName": "Another Co"})
    assert created.status_code == 400
    assert (
        qbo.read("CompanyInfo", qbo.realm_id).json()["CompanyInfo"]["CompanyName"] == "qbsps Demo Supplier Co"
    )


def test_a_reset_company_file_keeps_its_profile(qbo: Qbo) -> None:
    qbo.sandbox.reset()
    assert qbo.read("CompanyInfo", qbo.realm_id).json()["CompanyInfo"]["Id"] == "1"


def test_an_unseeded_company_is_named_as_intuit_names_a_new_sandbox() -> None:
    sandbox = QboSandbox(QboSandboxSettings(seed=False), SandboxClock(), FaultInjector())
    try:
        info = sandbox.service.store.company_info()
    finally:
        sandbox.close()
    assert info is not None and info["CompanyName"] == "Sandbox Company_US_1"
    assert sandbox.find("Vendor") == []


def test_python_quickbooks_reads_it(qbo: Qbo, monkeypatch: pytest.MonkeyPatch) -> None:
    company = CompanyInfo.get(qbo.realm_id, qb=_client(qbo, monkeypatch))
    assert company.CompanyName == "qbsps Demo Supplier Co"
    assert company.CompanyAddr.City == "Minneapolis" and company.CompanyAddr.CountrySubDivisionCode == "MN"
