"""The seed company: its CompanyInfo (the demo supplier), a chart of accounts, a Vendor and a
Customer per seeded trading partner, and the items of SPS's sample orders, created through the
same rules as API calls."""

from __future__ import annotations

from ...seed_catalog import ITEMS, PARTNERS
from .company import SEED_COMPANY, company_info
from .entities import EntityService

# QBO keeps DisplayName unique across Vendor and Customer (6240), so the partner's Customer record
# cannot share the Vendor's name; both carry the partner's name as CompanyName.
CUSTOMER_SUFFIX = " (Customer)"
NO_EXPENSE_ITEM = "Handling Fee"  # a Service item without an expense account: not allowed on PO lines
INVENTORY_START = "2025-01-01"

ACCOUNTS = (
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable"),
    ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
    ("Sales of Product Income", "Income", "SalesOfProductIncome"),
    ("Services", "Income", "ServiceFeeIncome"),
    ("Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs"),
    ("Inventory Asset", "Other Current Asset", "Inventory"),
    ("Freight & delivery", "Expense", "ShippingFreightDelivery"),
    ("Checking", "Bank", "Checking"),
)


def seed_company(service: EntityService) -> None:
    service.store.set_company_info(company_info(SEED_COMPANY, service.now()))
    refs: dict[str, dict] = {}
    for name, account_type, subtype in ACCOUNTS:
        row = service.create(
            "Account", {"Name": name, "AccountType": account_type, "AccountSubType": subtype}
        )
        refs[name] = {"value": row["Id"], "name": row["Name"]}
    for partner in PARTNERS:
        service.create(
            "Vendor",
            {"DisplayName": partner.name, "CompanyName": partner.name, "AcctNum": partner.vendor_number},
        )
        service.create(
            "Customer",
            {"DisplayName": partner.name + CUSTOMER_SUFFIX, "CompanyName": partner.name},
        )
    for index, item in enumerate(ITEMS):
        body = {
            "Name": item.name,
            "Sku": item.sku,
            "Description": item.description,
            "PurchaseDesc": item.description,
            "UnitPrice": item.unit_price,
            "PurchaseCost": item.purchase_cost,
            "IncomeAccountRef": refs["Sales of Product Income"],
            "ExpenseAccountRef": refs["Cost of Goods Sold"],
        }
        if index == 0:  # one inventory item, so stock-tracked items are exercised too
            body |= {
                "Type": "Inventory",
                "TrackQtyOnHand": True,
                "QtyOnHand": 100,
                "InvStartDate": INVENTORY_START,
                "AssetAccountRef": refs["Inventory Asset"],
            }
        else:
            body["Type"] = "NonInventory"
        service.create("Item", body)
    service.create(
        "Item",
        {"Name": NO_EXPENSE_ITEM, "Type": "Service", "UnitPrice": 5, "IncomeAccountRef": refs["Services"]},
    )
