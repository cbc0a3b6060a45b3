"""Per-entity business rules: what QBO requires, defaults and computes before it stores a row."""

from __future__ import annotations

from datetime import datetime

from .. import faults
from ..timefmt import company_date
from .lines import normalize_lines
from .schema import COMPUTED_FIELDS, DOC_NUMBER_MAX, FIELDS, SALES_FORMS, SYSTEM_FIELDS, TXN_TYPE_LABEL
from .store import RealmStore
from .values import boolean, check_length, money, resolve_ref, text

CLASSIFICATION = {
    "Bank": ("Asset", "Checking"),
    "Accounts Receivable": ("Asset", "AccountsReceivable"),
    "Other Current Asset": ("Asset", "OtherCurrentAssets"),
    "Fixed Asset": ("Asset", "OtherFixedAssets"),
    "Other Asset": ("Asset", "OtherLongTermAssets"),
    "Accounts Payable": ("Liability", "AccountsPayable"),
    "Credit Card": ("Liability", "CreditCard"),
    "Other Current Liability": ("Liability", "OtherCurrentLiabilities"),
    "Long Term Liability": ("Liability", "OtherLongTermLiabilities"),
    "Equity": ("Equity", "OpeningBalanceEquity"),
    "Income": ("Revenue", "SalesOfProductIncome"),
    "Other Income": ("Revenue", "OtherMiscellaneousIncome"),
    "Cost of Goods Sold": ("Expense", "SuppliesMaterialsCogs"),
    "Expense": ("Expense", "OtherMiscellaneousServiceCost"),
    "Other Expense": ("Expense", "OtherMiscellaneousExpense"),
}
ITEM_TYPES = (
    "Inventory",
    "NonInventory",
    "Service",
    "Category",
    "Group",
    "Bundle",
    "Assembly",
    "Fixed Asset",
    "Other Charge",
    "Payment",
    "Subtotal",
    "Discount",
    "Tax",
    "Tax Group",
)
NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
USD = {"value": "USD", "name": "United States Dollar"}


def check_fields(entity: str, body: dict) -> None:
    """2010 for a top-level field the entity does not have (a typo would otherwise be lost)."""
    allowed = FIELDS[entity]
    for key in body:
        if key not in allowed:
            raise faults.unrecognized_field(entity, key)


def writable(entity: str, body: dict) -> dict:
    """The client-writable part of a body: system and computed fields are QBO's to set, and a JSON
    null reads as "not given" (QBO's deserializer leaves such a field unset)."""
    owned = SYSTEM_FIELDS | set(COMPUTED_FIELDS.get(entity, ()))
    return {key: value for key, value in body.items() if key not in owned and value is not None}


def normalize(
    entity: str,
    record: dict,
    store: RealmStore,
    now: datetime,
    *,
    own_id: str | None,
    allow_duplicate_doc_number: bool = False,
) -> dict:
    """Validate and complete one row (without system fields); raises QboError."""
    if entity == "Account":
        _account(record, store, own_id)
    elif entity in ("Vendor", "Customer"):
        _person(entity, record, store, own_id)
    elif entity == "Item":
        _item(record, store, own_id)
    else:
        _transaction(entity, record, store, now, own_id, allow_duplicate_doc_number)
    return record


# --- name lists ----------------------------------------------------------------------------------


def _active(record: dict, entity: str) -> None:
    record["Active"] = boolean(record.get("Active", True), f"{entity}.Active")


def _no_separators(value: str, element: str, forbidden: str) -> None:
    if any(ch in value for ch in forbidden):
        shown = ", ".join(repr(ch) for ch in forbidden)
        raise faults.business_rule(f"{element} cannot contain {shown}.", element)


def _unique_name(
    entities: tuple[str, ...], key: str, value: str, store: RealmStore, own_id: str | None
) -> None:
    wanted = value.casefold()

    def clashes(row: dict) -> bool:
        return row["Id"] != own_id and row.get("Active", True) and str(row.get(key, "")).casefold() == wanted

    for entity in entities:
        if store.first(entity, clashes) is not None:
            raise faults.duplicate_name(value)


def _account(record: dict, store: RealmStore, own_id: str | None) -> None:
    name = text(record.get("Name") or "", "Name").strip()
    if not name:
        raise faults.required_missing("Name")
    check_length(record, "Name", 100)
    _no_separators(name, "Account.Name", '":')
    account_type = record.get("AccountType")
    if not account_type:
        raise faults.required_missing("AccountType")
    if account_type not in CLASSIFICATION:
        raise faults.invalid_enumeration("AccountType", account_type)
    classification, default_subtype = CLASSIFICATION[account_type]
    record["Name"] = name
    record["Classification"] = classification
    record.setdefault("AccountSubType", default_subtype)
    record["FullyQualifiedName"] = name
    record["SubAccount"] = bool(record.get("SubAccount", False))
    record.setdefault("CurrencyRef", dict(USD))
    record.setdefault("CurrentBalance", 0)
    record.setdefault("CurrentBalanceWithSubAccounts", 0)
    _active(record, "Account")
    _unique_name(("Account",), "Name", name, store, own_id)


def _person(entity: str, record: dict, store: RealmStore, own_id: str | None) -> None:
    display = record.get("DisplayName")
    if display in (None, ""):
        parts = [text(record[p], p).strip() for p in NAME_PARTS if record.get(p)]
        display = " ".join(p for p in parts if p)
    display = text(display, f"{entity}.DisplayName").strip()
    if not display:
        raise faults.required_missing("DisplayName")
    record["DisplayName"] = display
    check_length(record, "DisplayName", 500)
    check_length(record, "CompanyName", 100)
    _no_separators(display, f"{entity}.DisplayName", ":\t\n")
    if not record.get("PrintOnCheckName"):
        record["PrintOnCheckName"] = display
    record["FullyQualifiedName"] = display
    record["Balance"] = 0
    record.setdefault("CurrencyRef", dict(USD))
    if entity == "Vendor":
        record["Vendor1099"] = boolean(record.get("Vendor1099", False), "Vendor.Vendor1099")
        resolve_ref(store, record, "APAccountRef", "Account")
    else:
        record["BalanceWithJobs"] = 0
        record["Job"] = boolean(record.get("Job", False), "Customer.Job")
        record.setdefault("BillWithParent", False)
        record.setdefault("PreferredDeliveryMethod", "Print")
    _active(record, entity)
    if record["Active"]:
        # DisplayName is unique across Customer, Vendor and Employee (the sandbox has no Employees).
        _unique_name(("Vendor", "Customer"), "DisplayName", display, store, own_id)


def _item(record: dict, store: RealmStore, own_id: str | None) -> None:
    name = text(record.get("Name") or "", "Name").strip()
    if not name:
        raise faults.required_missing("Name")
    check_length(record, "Name", 100)
    check_length(record, "Sku", 100)
    check_length(record, "Description", 4000)
    _no_separators(name, "Item.Name", ":\t\n")
    item_type = record.get("Type") or "Service"
    if item_type not in ITEM_TYPES:
        raise faults.invalid_enumeration("Type", item_type)
    record["Name"] = name
    record["Type"] = item_type
    record["FullyQualifiedName"] = name
    for key in ("UnitPrice", "PurchaseCost", "QtyOnHand"):
        if record.get(key) not in (None, ""):
            record[key] = money(record[key], f"Item.{key}")
    record.setdefault("UnitPrice", 0)
    if item_type in ("Inventory", "Service"):
        resolve_ref(store, record, "IncomeAccountRef", "Account", required=True)
    else:
        resolve_ref(store, record, "IncomeAccountRef", "Account")
    resolve_ref(store, record, "ExpenseAccountRef", "Account", required=item_type == "Inventory")
    if item_type == "Inventory":
        resolve_ref(store, record, "AssetAccountRef", "Account", required=True)
        record["TrackQtyOnHand"] = True
        if record.get("QtyOnHand") in (None, ""):
            raise faults.required_missing("QtyOnHand")
        if not record.get("InvStartDate"):
            raise faults.business_rule("As of date for initial quantity on hand is required.", "InvStartDate")
    else:
        resolve_ref(store, record, "AssetAccountRef", "Account")
        record["TrackQtyOnHand"] = boolean(record.get("TrackQtyOnHand", False), "Item.TrackQtyOnHand")
    record["Taxable"] = boolean(record.get("Taxable", False), "Item.Taxable")
    _active(record, "Item")
    if record["Active"]:
        _unique_name(("Item",), "Name", name, store, own_id)


# --- transactions --------------------------------------------------------------------------------


def _transaction(
    entity: str, record: dict, store: RealmStore, now: datetime, own_id: str | None, allow_duplicate: bool
) -> None:
    if entity == "PurchaseOrder":
        resolve_ref(store, record, "VendorRef", "Vendor", required=True)
        if record.get("APAccountRef"):
            account = resolve_ref(store, record, "APAccountRef", "Account")
            if account and account.get("AccountType") != "Accounts Payable":
                detail = "APAccountRef must be an Accounts Payable account."
                raise faults.business_rule(detail, "APAccountRef")
        else:
            record["APAccountRef"] = _default_ap_account(store)
        status = record.setdefault("POStatus", "Open")
        if status not in ("Open", "Closed"):
            raise faults.invalid_enumeration("POStatus", status)
    else:
        resolve_ref(store, record, "CustomerRef", "Customer", required=True)
        if entity == "Estimate":
            record.setdefault("TxnStatus", "Pending")
    record.setdefault("TxnDate", company_date(now))
    record.setdefault("CurrencyRef", dict(USD))
    record.setdefault("EmailStatus", "NotSet")
    record.setdefault("PrintStatus", "NotSet")
    check_length(record, "Memo", 4000)
    check_length(record, "PrivateNote", 4000)
    _doc_number(entity, record, store, own_id, allow_duplicate)
    total = normalize_lines(entity, record, store)
    record["TotalAmt"] = total
    if entity == "Invoice":
        record["Balance"] = total


def _default_ap_account(store: RealmStore) -> dict:
    account = store.first(
        "Account", lambda row: row.get("AccountType") == "Accounts Payable" and row.get("Active", True)
    )
    if account is not None:
        return {"value": account["Id"], "name": account["Name"]}
    raise faults.business_rule("An Accounts Payable account is required.", "APAccountRef")


def _doc_number(
    entity: str, record: dict, store: RealmStore, own_id: str | None, allow_duplicate: bool
) -> None:
    doc_number = record.get("DocNumber")
    auto = record.pop("AutoDocNumber", False) is True or doc_number == "AUTO_GENERATE"
    if (doc_number in (None, "") or auto) and entity in SALES_FORMS:
        record["DocNumber"] = store.next_doc_number(entity)
        return
    if doc_number in (None, ""):
        record.pop("DocNumber", None)
        return
    doc_number = text(doc_number, "DocNumber")
    if len(doc_number) > DOC_NUMBER_MAX:
        raise faults.string_too_long("DocNumber", DOC_NUMBER_MAX, len(doc_number))
    record["DocNumber"] = doc_number
    if allow_duplicate or not store.unique_doc_numbers.get(entity, True):
        return
    current = store.get(entity, own_id) if own_id else None
    if current is not None and current.get("DocNumber") == doc_number:
        return  # an update that keeps its number is checked only when the number changes
    clash = store.first(entity, lambda row: row["Id"] != own_id and row.get("DocNumber") == doc_number)
    if clash is not None:
        raise faults.duplicate_doc_number(doc_number, TXN_TYPE_LABEL[entity], clash["Id"])
