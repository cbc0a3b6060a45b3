"""Pydantic building blocks shared by RSX documents: the base model and repeating groups.

Every model keeps unknown elements (`extra="allow"`) so a document read and written back loses
nothing, and field names are the RSX element names. Money and quantities are Decimal.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

T = TypeVar("T")


def _one_or_many(value: Any) -> Any:
    # XML gives a repeating group that occurs once as a single object; RSX means a list of one.
    if value is None:
        return []
    if isinstance(value, dict | BaseModel):
        return [value]
    return value


RsxList = Annotated[list[T], BeforeValidator(_one_or_many), Field(default_factory=list)]


def _blank_to_none(value: Any) -> Any:
    # An empty XML element (<PurchaseOrderDate/>) means "not given", not "invalid date".
    return None if isinstance(value, str) and not value.strip() else value


OptionalDate = Annotated[date | None, BeforeValidator(_blank_to_none)]


class RsxModel(BaseModel):
    """Base of all RSX models: RSX names, unknown elements kept, assignment validated."""

    model_config = ConfigDict(extra="allow", validate_assignment=True, populate_by_name=True)

    def to_data(self) -> dict[str, Any]:
        """The RSX element tree this model was read from (plus changes), ready for the writer.

        Only elements that were given (or assigned) are written, so defaults never add empty
        groups; dates go back to ISO text so the result equals what the reader produces.
        """
        return _plain(self.model_dump(mode="python", exclude_unset=True))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


class PaymentTerms(RsxModel):
    TermsType: str | None = None
    TermsBasisDateCode: str | None = None
    TermsDiscountPercentage: Decimal | None = None
    TermsDiscountDate: OptionalDate = None
    TermsDiscountDueDays: int | None = None
    TermsNetDueDate: OptionalDate = None
    TermsNetDueDays: int | None = None
    TermsDiscountAmount: Decimal | None = None
    TermsDescription: str | None = None
    TermsDueDay: int | None = None


class DateReference(RsxModel):
    """One entry of a `Dates` group: a qualifier (e.g. 010 Requested Ship) and a date."""

    DateTimeQualifier: str | None = None
    Date: OptionalDate = None
    Time: str | None = None  # HH:MM:SS, optionally with an offset; kept as written
    DateTimePeriod: str | None = None


class Contact(RsxModel):
    ContactTypeCode: str | None = None
    ContactName: str | None = None
    PrimaryPhone: str | None = None
    PrimaryFax: str | None = None
    PrimaryEmail: str | None = None


class Reference(RsxModel):
    ReferenceQual: str | None = None
    ReferenceID: str | None = None
    Description: str | None = None


class Note(RsxModel):
    NoteCode: str | None = None
    Note: str | None = None


class Address(RsxModel):
    AddressTypeCode: str | None = None  # ST ship to, BT bill to, SF ship from, VN vendor, ...
    LocationCodeQualifier: str | None = None
    AddressLocationNumber: str | None = None
    AddressName: str | None = None
    AddressAlternateName: str | None = None
    Address1: str | None = None
    Address2: str | None = None
    Address3: str | None = None
    Address4: str | None = None
    City: str | None = None
    State: str | None = None
    PostalCode: str | None = None
    Country: str | None = None
    Contacts: RsxList[Contact]


class FOBRelatedInstruction(RsxModel):
    FOBPayCode: str | None = None
    FOBLocationQualifier: str | None = None
    FOBLocationDescription: str | None = None


class ServiceLevelCode(RsxModel):
    ServiceLevelCode: str | None = None


class CarrierInformation(RsxModel):
    CarrierTransMethodCode: str | None = None
    CarrierAlphaCode: str | None = None  # SCAC, e.g. UPSN
    CarrierRouting: str | None = None
    ServiceLevelCodes: RsxList[ServiceLevelCode]


class ChargeAllowance(RsxModel):
    """One `ChargesAllowances` entry: A = allowance (subtracts), C = charge (adds), N = none."""

    AllowChrgIndicator: str | None = None
    AllowChrgCode: str | None = None
    AllowChrgAmt: Decimal | None = None
    AllowChrgPercentQual: str | None = None
    AllowChrgPercent: Decimal | None = None
    PercentDollarBasis: Decimal | None = None
    AllowChrgRate: Decimal | None = None
    AllowChrgQty: Decimal | None = None
    AllowChrgQtyUOM: str | None = None
    AllowChrgHandlingCode: str | None = None
    AllowChrgHandlingDescription: str | None = None


class Tax(RsxModel):
    TaxTypeCode: str | None = None
    TaxAmount: Decimal | None = None
    TaxPercent: Decimal | None = None


class ProductID(RsxModel):
    PartNumberQual: str | None = None  # SK SKU, MG manufacturer part, VA vendor style, ...
    PartNumber: str | None = None


class ProductOrItemDescription(RsxModel):
    ProductCharacteristicCode: str | None = None  # 08 product description, 73 colour, 74 size
    ProductDescription: str | None = None


class PriceInformation(RsxModel):
    PriceTypeIDCode: str | None = None  # RTL retail, WHL wholesale, ...
    UnitPrice: Decimal | None = None
    UnitPriceBasis: str | None = None


class LocationQuantity(RsxModel):
    Location: str | None = None
    Qty: Decimal | None = None


class QuantitiesSchedulesLocations(RsxModel):
    """Quantities per location: the multi-store split of a line."""

    QuantityQualifier: str | None = None
    TotalQty: Decimal | None = None
    TotalQtyUOM: str | None = None
    LocationCodeQualifier: str | None = None
    LocationQuantity: RsxList[LocationQuantity]
