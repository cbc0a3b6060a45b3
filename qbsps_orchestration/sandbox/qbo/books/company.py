"""The company file's own profile: the ``CompanyInfo`` singleton, shaped as QBO returns it.

QBO keeps one CompanyInfo per realm (Id "1"), read at ``/companyinfo/{realmId}`` or queried with
``SELECT * FROM CompanyInfo``. Clients cannot create or delete it; the sandbox does not update it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..timefmt import company_date, meta_time


@dataclass(frozen=True)
class CompanyProfile:
    name: str
    line1: str
    city: str
    state: str  # CountrySubDivisionCode
    postal_code: str
    country: str = "US"
    email: str | None = None
    phone: str | None = None


# The seeded company is the demo supplier that `qbsps sandbox --write-config` describes.
SEED_COMPANY = CompanyProfile(
    name="qbsps Demo Supplier Co",
    line1="100 Warehouse Way",
    city="Minneapolis",
    state="MN",
    postal_code="55401",
    email="orders@demo-supplier.example",
    phone="(612) 555-0100",
)
# An unseeded sandbox is named the way Intuit names a new developer sandbox company.
BLANK_COMPANY = CompanyProfile(
    name="Sandbox Company_US_1",
    line1="123 Sierra Way",
    city="San Pablo",
    state="CA",
    postal_code="87999",
)

COMPANY_INFO_ID = "1"


def company_info(profile: CompanyProfile, created: datetime) -> dict:
    """A CompanyInfo row as the API returns it (minor version 75)."""

    def address() -> dict:
        # QBO gives each of the company's addresses the same Id "1".
        return {
            "Id": "1",
            "Line1": profile.line1,
            "City": profile.city,
            "Country": profile.country,
            "CountrySubDivisionCode": profile.state,
            "PostalCode": profile.postal_code,
        }

    row: dict = {
        "CompanyName": profile.name,
        "LegalName": profile.name,
        "CompanyAddr": address(),
        "CustomerCommunicationAddr": address(),
        "LegalAddr": address(),
        "CompanyStartDate": company_date(created),
        "FiscalYearStartMonth": "January",
        "Country": profile.country,
        "WebAddr": {},
        "SupportedLanguages": "en",
        "NameValue": [
            {"Name": "NeoEnabled", "Value": "true"},
            {"Name": "IndustryType", "Value": "Wholesale Trade"},
            {"Name": "SubscriptionStatus", "Value": "PAID"},
            {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
            {"Name": "PayrollFeature", "Value": "false"},
            {"Name": "AccountantFeature", "Value": "false"},
        ],
        "domain": "QBO",
        "sparse": False,
        "Id": COMPANY_INFO_ID,
        "SyncToken": "0",
        "MetaData": {"CreateTime": meta_time(created), "LastUpdatedTime": meta_time(created)},
    }
    if profile.email:
        row["Email"] = {"Address": profile.email}
        row["CustomerCommunicationEmailAddr"] = {"Address": profile.email}
    if profile.phone:
        row["PrimaryPhone"] = {"FreeFormNumber": profile.phone}
    return row
