"""What the sandbox knows about each entity: its writable top-level fields (from Intuit's v3 XSDs,
``Finance.xsd`` with inherited base types), its kind, and the line detail types it takes."""

from __future__ import annotations


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


NAME_LISTS = ("Account", "Customer", "Vendor", "Item")  # never hard-deleted: Active=false instead
TRANSACTIONS = ("PurchaseOrder", "Invoice", "Estimate")
ENTITIES = NAME_LISTS + TRANSACTIONS
BY_PATH = {name.lower(): name for name in ENTITIES}  # /v3/company/{realm}/purchaseorder -> PurchaseOrder
QUERYABLE = (*ENTITIES, "CompanyInfo")  # CompanyInfo: read and queried, one row per company file

SALES_FORMS = ("Invoice", "Estimate")  # numbered by QBO when DocNumber is omitted
DOC_NUMBER_MAX = 21

# The TxnType label QBO prints in a 6140 detail.
TXN_TYPE_LABEL = {"PurchaseOrder": "Purchase Order", "Invoice": "Invoice", "Estimate": "Estimate"}

_SALES_LINES = (
    "SalesItemLineDetail",
    "SubTotalLineDetail",
    "DiscountLineDetail",
    "DescriptionOnly",
    "GroupLineDetail",
)
LINE_DETAIL_TYPES = {
    "PurchaseOrder": ("ItemBasedExpenseLineDetail", "AccountBasedExpenseLineDetail", "DescriptionOnly"),
    "Invoice": _SALES_LINES,
    "Estimate": _SALES_LINES,
}
# DescriptionOnly lines carry their detail under this key, per the XSD.
DETAIL_KEY = {"DescriptionOnly": "DescriptionLineDetail"}

LINE_FIELDS = _names(
    "Id LineNum Description Amount Received LinkedTxn DetailType PaymentLineDetail DiscountLineDetail "
    "TaxLineDetail SalesItemLineDetail DescriptionLineDetail ItemBasedExpenseLineDetail "
    "AccountBasedExpenseLineDetail ReimburseLineDetail DepositLineDetail PurchaseOrderItemLineDetail "
    "SalesOrderItemLineDetail ItemReceiptLineDetail JournalEntryLineDetail GroupLineDetail "
    "SubTotalLineDetail TDSLineDetail ItemAdjustmentLineDetail CustomField ProjectRef CostAmount "
    "HomeCostAmount"
)

# Fields the server owns: whatever a client sends is overwritten.
SYSTEM_FIELDS = frozenset(("Id", "SyncToken", "MetaData", "domain", "sparse", "status"))
COMPUTED_FIELDS = {
    "PurchaseOrder": ("TotalAmt",),
    "Invoice": ("TotalAmt", "Balance", "HomeTotalAmt", "HomeBalance"),
    "Estimate": ("TotalAmt", "HomeTotalAmt"),
    "Vendor": ("Balance", "FullyQualifiedName"),
    "Customer": ("Balance", "BalanceWithJobs", "FullyQualifiedName", "Level"),
    "Item": ("FullyQualifiedName", "Level", "QtyOnPurchaseOrder", "QtyOnSalesOrder"),
    "Account": ("FullyQualifiedName", "CurrentBalance", "CurrentBalanceWithSubAccounts"),
}


# Top-level elements and attributes of each entity in Finance.xsd, inherited ones included.
FIELDS: dict[str, frozenset[str]] = {
    "Account": _names(
        "Id SyncToken MetaData CustomField AttachableRef domain status sparse Name SubAccount ParentRef "
        "Description FullyQualifiedName AccountAlias TxnLocationType Active Classification AccountType "
        "AccountSubType AccountPurposes AcctNum AcctNumExtn BankNum OpeningBalance OpeningBalanceDate "
        "CurrentBalance CurrentBalanceWithSubAccounts CurrencyRef TaxAccount TaxCodeRef "
        "OnlineBankingEnabled FIName JournalCodeRef"
    ),
    "Customer": _names(
        "Id SyncToken MetaData CustomField AttachableRef domain status sparse IntuitId Organization Title "
        "GivenName MiddleName FamilyName Suffix FullyQualifiedName CompanyName DisplayName "
        "PrintOnCheckName UserId Active V4IDPseudonym PrimaryPhone AlternatePhone Mobile Fax "
        "PrimaryEmailAddr WebAddr OtherContactInfo DefaultTaxCodeRef Taxable BillAddr ShipAddr OtherAddr "
        "ContactName AltContactName Notes Job BillWithParent RootCustomerRef ParentRef Level "
        "CustomerTypeRef SalesTermRef SalesRepRef TaxGroupCodeRef TaxRateRef PaymentMethodRef CCDetail "
        "PriceLevelRef Balance OpenBalanceDate BalanceWithJobs CreditLimit AcctNum CurrencyRef "
        "OverDueBalance TotalRevenue TotalExpense PreferredDeliveryMethod ResaleNum JobInfo TDSEnabled "
        "SecondaryTaxIdentifier ARAccountRef PrimaryTaxIdentifier TaxExemptionReasonId IsProject "
        "BusinessNumber GSTIN GSTRegistrationType IsCISContractor ClientCompanyId ClientEntityId Source "
        "TaxRegime"
    ),
    "Vendor": _names(
        "Id SyncToken MetaData CustomField AttachableRef domain status sparse IntuitId Organization Title "
        "GivenName MiddleName FamilyName Suffix FullyQualifiedName CompanyName DisplayName "
        "PrintOnCheckName UserId Active V4IDPseudonym PrimaryPhone AlternatePhone Mobile Fax "
        "PrimaryEmailAddr WebAddr OtherContactInfo DefaultTaxCodeRef ContactName AltContactName Notes "
        "BillAddr ShipAddr OtherAddr TaxCountry TaxIdentifier TaxIdEffectiveDate BusinessNumber ParentRef "
        "VendorTypeRef TermRef PrefillAccountRef Balance BillRate OpenBalanceDate CreditLimit AcctNum "
        "Vendor1099 T4AEligible T5018Eligible CurrencyRef TDSEnabled TDSEntityTypeId TDSSectionTypeId "
        "TDSOverrideThreshold TaxReportingBasis APAccountRef GSTIN GSTRegistrationType IsSubContractor "
        "SubcontractorType CISRate HasTPAR VendorPaymentBankDetail Source CostRate"
    ),
    "Item": _names(
        "Id SyncToken MetaData CustomField AttachableRef domain status sparse Name Sku Description Active "
        "SubItem ParentRef Level FullyQualifiedName Taxable SalesTaxIncluded PercentBased UnitPrice "
        "RatePercent Type PaymentMethodRef UOMSetRef IncomeAccountRef PurchaseDesc PurchaseTaxIncluded "
        "PurchaseCost ExpenseAccountRef COGSAccountRef AssetAccountRef PrefVendorRef AvgCost "
        "TrackQtyOnHand QtyOnHand QtyOnPurchaseOrder QtyOnSalesOrder ReorderPoint ManPartNum "
        "DepositToAccountRef SalesTaxCodeRef PurchaseTaxCodeRef InvStartDate BuildPoint PrintGroupedItems "
        "SpecialItem SpecialItemType ItemGroupDetail ItemAssemblyDetail AbatementRate ReverseChargeRate "
        "ServiceType ItemCategoryType TaxClassificationRef UQCDisplayText UQCId ClassRef Source "
        "DeferredRevenue"
    ),
    "CompanyInfo": _names(
        "Id SyncToken MetaData CustomField AttachableRef domain status sparse CompanyName LegalName "
        "CompanyAddr CustomerCommunicationAddr LegalAddr CompanyEmailAddr CustomerCommunicationEmailAddr "
        "CompanyURL PrimaryPhone OtherContactInfo CompanyFileName FlavorStratum SampleFile CompanyUserId "
        "CompanyUserAdminEmail CompanyStartDate EmployerId FiscalYearStartMonth TaxYearStartMonth "
        "QBVersion Country ShipAddr OtherAddr Mobile Fax Email WebAddr LastImportedTime LastSyncTime "
        "SupportedLanguages DefaultTimeZone MultiByteCharsSupported NameValue FifoCalculationStatus"
    ),
    "PurchaseOrder": _names(
        "Id SyncToken MetaData CustomField AttachableRef domain status sparse DocNumber TxnDate "
        "DepartmentRef CurrencyRef ExchangeRate PrivateNote TxnStatus LinkedTxn Line TxnTaxDetail "
        "TxnSource TaxFormType TaxFormNum TransactionLocationType Tag TxnApprovalInfo RecurDataRef "
        "RecurringInfo ProjectRef TotalCostAmount HomeTotalCostAmount VendorRef APAccountRef TotalAmt "
        "BillEmail ReplyEmail Memo GlobalTaxCalculation TaxCodeRef ClassRef ReimbursableInfoRef "
        "SalesTermRef DueDate ExpectedDate VendorAddr ShipTo DropShipToEntity InventorySiteRef ShipAddr "
        "ShipMethodRef FOB POEmail TemplateRef PrintStatus EmailStatus ManuallyClosed POStatus"
    ),
    "Invoice": _names(
        "Id SyncToken MetaData CustomField AttachableRef domain status sparse DocNumber TxnDate "
        "DepartmentRef CurrencyRef ExchangeRate PrivateNote TxnStatus LinkedTxn Line TxnTaxDetail "
        "TxnSource TaxFormType TaxFormNum TransactionLocationType Tag TxnApprovalInfo RecurDataRef "
        "RecurringInfo ProjectRef TotalCostAmount HomeTotalCostAmount AutoDocNumber CustomerRef "
        "CustomerMemo BillAddr ShipAddr FreeFormAddress ShipFromAddr RemitToRef ClassRef SalesTermRef "
        "DueDate SalesRepRef PONumber FOB ShipMethodRef ShipDate TrackingNum GlobalTaxCalculation "
        "TotalAmt HomeTotalAmt ApplyTaxAfterDiscount ShippingTaxIncludedInTotalTax TemplateRef "
        "PrintStatus EmailStatus BillEmail BillEmailCc BillEmailBcc ARAccountRef Balance HomeBalance "
        "FinanceCharge PaymentMethodRef PaymentRefNum PaymentType CheckPayment CreditCardPayment "
        "DepositToAccountRef DeliveryInfo DiscountRate DiscountAmt GovtTxnRefIdentifier TaxExemptionRef "
        "Deposit AllowIPNPayment AllowOnlinePayment AllowOnlineCreditCardPayment AllowOnlineACHPayment "
        "AllowOnlinePayPalPayment EInvoiceStatus ECloudStatusTimeStamp CfdiUse Exportation GlobalInfo "
        "invoiceStatus callToAction invoiceStatusLog LessCIS InvoiceLink PaymentDetailsMessage "
        "ConvenienceFeeDetail InvoiceLinkSecurityCode InvoiceLinkExpiryDate AutoPayEligible "
        "SchedulePayEligible ScheduledPaymentId GratuityEnabled FinancingProductType "
        "SubscriptionPaymentsSetting"
    ),
    "Estimate": _names(
        "Id SyncToken MetaData CustomField AttachableRef domain status sparse DocNumber TxnDate "
        "DepartmentRef CurrencyRef ExchangeRate PrivateNote TxnStatus LinkedTxn Line TxnTaxDetail "
        "TxnSource TaxFormType TaxFormNum TransactionLocationType Tag TxnApprovalInfo RecurDataRef "
        "RecurringInfo ProjectRef TotalCostAmount HomeTotalCostAmount AutoDocNumber CustomerRef "
        "CustomerMemo BillAddr ShipAddr FreeFormAddress ShipFromAddr RemitToRef ClassRef SalesTermRef "
        "DueDate SalesRepRef PONumber FOB ShipMethodRef ShipDate TrackingNum GlobalTaxCalculation "
        "TotalAmt HomeTotalAmt ApplyTaxAfterDiscount ShippingTaxIncludedInTotalTax TemplateRef "
        "PrintStatus EmailStatus BillEmail BillEmailCc BillEmailBcc ARAccountRef Balance HomeBalance "
        "FinanceCharge PaymentMethodRef PaymentRefNum PaymentType CheckPayment CreditCardPayment "
        "DepositToAccountRef DeliveryInfo DiscountRate DiscountAmt GovtTxnRefIdentifier TaxExemptionRef "
        "ExpirationDate AcceptedBy AcceptedDate"
    ),
}
