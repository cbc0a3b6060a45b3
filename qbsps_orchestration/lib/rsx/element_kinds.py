"""What kind of value each RSX 7.7 element holds, by element name.

XML carries no types: a repeated group that occurs once looks like a single object and a quantity
looks like text. To give XML documents the same shape as their JSON twins we need, per element
name, whether it is a repeating group, an object, or a number/integer/boolean. Across every RSX
7.7.0 and 7.7.7 schema (Orders, Invoices, Shipments, OrderAcks, ItemRegistries) each name has one
kind everywhere, except PackValue and PalletValue, which are strings in ItemRegistries only.
OrderChange (860) has no schema here; its two extra numbers (PreviousOrderQty, VarianceQty) come
from the v7.7.7 OrderChanges sample, which fills every field. Every other element is a string
(dates and times stay ISO strings in the element tree).
"""

from __future__ import annotations

from typing import Literal

RSX_NAMESPACE = "http://www.spscommerce.com/RSX"

ElementKind = Literal["array", "object", "number", "integer", "boolean", "string"]

# Singular document element -> plural wrapper element, for every family we read or write.
PLURAL_ROOTS: dict[str, str] = {
    "Order": "Orders",
    "Invoice": "Invoices",
    "Shipment": "Shipments",
    "OrderAck": "OrderAcks",
    "OrderChange": "OrderChanges",
    "ItemRegistry": "ItemRegistries",
}
DOC_TYPES: frozenset[str] = frozenset(PLURAL_ROOTS)
SINGULAR_ROOTS: dict[str, str] = {plural: singular for singular, plural in PLURAL_ROOTS.items()}

# The element under Header that names the document, and the header keys the schema requires.
REQUIRED_HEADER_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Order": ("OrderHeader", ("TradingPartnerId", "PurchaseOrderNumber")),
    "OrderAck": ("OrderHeader", ("TradingPartnerId", "PurchaseOrderNumber")),
    "OrderChange": ("OrderHeader", ("TradingPartnerId", "PurchaseOrderNumber")),
    "Invoice": ("InvoiceHeader", ("TradingPartnerId", "InvoiceNumber")),
    "Shipment": ("ShipmentHeader", ("TradingPartnerId", "ShipmentIdentification")),
    "ItemRegistry": ("HeaderReport", ("TradingPartnerId", "DocumentId")),
}


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


ARRAY_ELEMENTS = _names(
    """
    AdditionalContactDetails AdditionalPOTypeCodes Address CarrierInformation
    CarrierSpecialHandlingDetail ChargesAllowances Commodity ConditionOfSale Contacts ContainerLevel
    Dates FOBRelatedInstruction FloorReady HazardousInformation ItemAttribute ItemLevel ItemLoadInfo
    LeadTime LineItem LineItemAcknowledgement LocationQuantity MarksAndNumbersCollection
    MasterItemAttribute Measurements MonetaryAmounts Notes OrderLevel PackLevel Packaging
    PalletInformation Paperwork PaymentTerms PhysicalDetails PriceDetails PriceInformation PricingArea
    ProductID ProductOrItemDescription ProductTypes QuantitiesSchedulesLocations QuantityAndWeight
    QuantityTotals ReferenceIDs References RegulatoryCompliances RequirementLocations
    RestrictionsOrConditions SealNumbers ServiceLevelCodes SpecialLabeling Structure Subline Taxes
    """
)

OBJECT_ELEMENTS = _names(
    """
    Container Header HeaderReport InventoryLine InvoiceHeader InvoiceLine ItemLoad Meta
    NRFStandardColorAndSize OrderHeader OrderLine Pack ShipmentHeader ShipmentLine SublineItemDetail
    Summary
    """
)

NUMBER_ELEMENTS = _names(
    """
    AllowChrgAmt AllowChrgPercent AllowChrgQty AllowChrgQty2 AllowChrgRate Amount
    AmountSubjectToDiscount CumulativeQty DiscountAmountDue ExchangeRate ExtendedItemTotal
    FlashpointTemperature Height InvoiceAmtDueByTermsDate InvoiceQty ItemScheduleQty
    LatePaymentChargePercent LeadTimeQuantity Length LoadSize MeasurementValue MonetaryAmount
    MultiplePriceQuantity OrderQty PackHeight PackLength PackSize PackVolume PackWeight PackWidth
    PalletVolume PalletWeight PercentDollarBasis PercentOfInvoicePayable PriceMultiplier PurchasePrice
    Qty QtyLeftToReceive QtyPer Quantity Quantity1 RangeMaximum RangeMinimum RebateAmount ShipQty
    TaxAmount TaxPercent TermsDeferredAmountDue TermsDiscountAmount TermsDiscountPercentage
    TotalAllowancesAmount TotalAmount TotalCartonCount TotalChargesAmount TotalFreightCharges
    TotalNonFreightCharges TotalQty TotalQuantity TotalSalesAmount TotalTaxesAndCharges
    TotalTermsDiscountAmount TransitTime UnitPrice UnitPriceBasisMultiplier UnitWeight UnitsShipped
    UnloadedHeight Value Volume Weight Width
    PreviousOrderQty VarianceQty
    """
)

INTEGER_ELEMENTS = _names(
    """
    BatchTotal CalculationSequence LadingQuantity NumberOfLoads PackValue PalletBlocks PalletTiers
    PalletValue ReportCopiesNeeded TermsDiscountDueDays TermsDueDay TermsNetDueDays
    TotalLineItemNumber TotalOrders
    """
)

BOOLEAN_ELEMENTS = frozenset({"IsDropShip"})

# The two names whose kind depends on the document family.
_STRING_IN: dict[str, frozenset[str]] = {"ItemRegistry": frozenset({"PackValue", "PalletValue"})}


def element_kind(name: str, doc_type: str) -> ElementKind:
    """Kind of the element `name` inside a document of family `doc_type` ("string" if unknown)."""
    if name in _STRING_IN.get(doc_type, frozenset()):
        return "string"
    if name in ARRAY_ELEMENTS:
        return "array"
    if name in OBJECT_ELEMENTS:
        return "object"
    if name in NUMBER_ELEMENTS:
        return "number"
    if name in INTEGER_ELEMENTS:
        return "integer"
    if name in BOOLEAN_ELEMENTS:
        return "boolean"
    return "string"
