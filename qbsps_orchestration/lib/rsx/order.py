"""RSX 7.7 Order (X12 850): the fields a supplier's books need, everything else kept as extras."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from .segments import (
    Address,
    CarrierInformation,
    ChargeAllowance,
    Contact,
    DateReference,
    FOBRelatedInstruction,
    Note,
    OptionalDate,
    PaymentTerms,
    PriceInformation,
    ProductID,
    ProductOrItemDescription,
    QuantitiesSchedulesLocations,
    Reference,
    RsxList,
    RsxModel,
    Tax,
)


class OrderMeta(RsxModel):
    """`Meta`: SPS-internal routing data; OrderManagement tells BulkImport/DropShip/... apart."""

    IsDropShip: bool | None = None
    OrderManagement: str | None = None
    Version: str | None = None


class OrderHeader(RsxModel):
    # The two keys the schema requires; together they identify the order (the dedup key).
    TradingPartnerId: str = Field(min_length=1, max_length=15)
    PurchaseOrderNumber: str = Field(min_length=1)
    TsetPurposeCode: str | None = None  # 00 original, 01 cancellation, 05 replace, 06 confirmation
    PrimaryPOTypeCode: str | None = None  # SA stand-alone, DS drop ship, KN cross dock, ...
    PurchaseOrderDate: OptionalDate = None
    PurchaseOrderTime: str | None = None
    ReleaseNumber: str | None = None
    Vendor: str | None = None  # the number the buyer assigned to the supplier
    Department: str | None = None
    Division: str | None = None
    BuyersCurrency: str | None = None
    SellersCurrency: str | None = None
    ExchangeRate: Decimal | None = None
    CustomerAccountNumber: str | None = None
    CustomerOrderNumber: str | None = None  # the consumer's order, typical for drop-ship
    DepositorOrderNumber: str | None = None
    ShipCompleteCode: str | None = None
    AcknowledgementType: str | None = None
    JobNumber: str | None = None
    DocumentVersion: str | None = None
    DocumentRevision: str | None = None


class OrderHeaderGroup(RsxModel):
    """`Header` of an Order: the OrderHeader element plus the header-level repeating groups."""

    OrderHeader: OrderHeader
    PaymentTerms: RsxList[PaymentTerms]
    Dates: RsxList[DateReference]
    Contacts: RsxList[Contact]
    Address: RsxList[Address]
    FOBRelatedInstruction: RsxList[FOBRelatedInstruction]
    CarrierInformation: RsxList[CarrierInformation]
    References: RsxList[Reference]
    Notes: RsxList[Note]
    Taxes: RsxList[Tax]
    ChargesAllowances: RsxList[ChargeAllowance]


class OrderLine(RsxModel):
    LineSequenceNumber: str | None = None
    BuyerPartNumber: str | None = None
    VendorPartNumber: str | None = None
    ConsumerPackageCode: str | None = None  # UPC of the consumer unit
    EAN: str | None = None
    GTIN: str | None = None
    UPCCaseCode: str | None = None
    ProductID: RsxList[ProductID]
    OrderQty: Decimal | None = None
    OrderQtyUOM: str | None = None  # EA each, CA case, ...
    PurchasePrice: Decimal | None = None
    PurchasePriceBasis: str | None = None  # PE per each, CA per case, PD per dozen, UM per UOM
    PurchasePriceType: str | None = None
    BuyersCurrency: str | None = None
    ShipDate: OptionalDate = None
    ExtendedItemTotal: Decimal | None = None
    ProductSizeDescription: str | None = None
    ProductColorDescription: str | None = None
    Department: str | None = None
    Class: str | None = None


class OrderLineItem(RsxModel):
    """One `LineItem`. OrderLine is required here: a line without it cannot be booked."""

    OrderLine: OrderLine
    Dates: RsxList[DateReference]
    PriceInformation: RsxList[PriceInformation]
    ProductOrItemDescription: RsxList[ProductOrItemDescription]
    QuantitiesSchedulesLocations: RsxList[QuantitiesSchedulesLocations]
    Address: RsxList[Address]
    References: RsxList[Reference]
    Notes: RsxList[Note]
    Taxes: RsxList[Tax]
    ChargesAllowances: RsxList[ChargeAllowance]


class OrderSummary(RsxModel):
    TotalAmount: Decimal | None = None
    TotalLineItemNumber: int | None = None
    Description: str | None = None


class Order(RsxModel):
    """An RSX 7.7 Order (850) as the buyer sent it."""

    Meta: OrderMeta | None = None
    Header: OrderHeaderGroup
    LineItem: RsxList[OrderLineItem]
    Summary: OrderSummary | None = None

    @property
    def header(self) -> OrderHeader:
        return self.Header.OrderHeader

    def address(self, type_code: str) -> Address | None:
        """The first header address of a type (ST ship-to, BT bill-to, ...), if any."""
        return next((a for a in self.Header.Address if a.AddressTypeCode == type_code), None)

    def date(self, qualifier: str) -> DateReference | None:
        """The first header date with a qualifier (010 requested ship, 002 delivery, ...)."""
        return next((d for d in self.Header.Dates if d.DateTimeQualifier == qualifier), None)
