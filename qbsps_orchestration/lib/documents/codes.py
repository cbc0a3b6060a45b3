"""RSX 7.7 code lists qbsps checks outbound documents against without SPS's schemas.

These are the X12 code values RSX uses for the elements qbsps writes (listed in sps.md §4.2). The
unit-of-measure list has 262 codes; qbsps checks its shape and knows the common retail ones, and
SPS's schema (when configured) checks the full list.
"""

from __future__ import annotations

import re
from datetime import date


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TSET_BASE = frozenset({"00", "01", "05", "06", "07", "20", "CN"})
TSET_PURPOSE_CODES: dict[str, frozenset[str]] = {
    "Invoice": _TSET_BASE,
    "Shipment": _TSET_BASE,
    "OrderAck": _TSET_BASE | {"04"},  # acknowledgements may also answer a change
    "ItemRegistry": _TSET_BASE | {"04"},
}
INVOICE_TYPE_CODES = frozenset({"CR", "DR", "PRO", "SELF", "U5"})
ACKNOWLEDGEMENT_TYPES = frozenset({"AC", "AD", "AE", "AH", "AK", "AP", "RD", "RF", "RJ", "RO"})
REJECTING_ACK_TYPES = frozenset({"RD", "RF", "RJ", "RO"})
ITEM_STATUS_CODES = _codes("AA AC AR BP CC DR IA IB IC ID IE IF IH IP IQ IR IS IW R1 R2 R3 R4 R7 ROS SP UM")
PRICE_BASIS_CODES = _codes("CA HF HP HT HTH PD PE PF PG PK PN PO PP PS PT TF TT UM")
ALLOWANCE_INDICATORS = frozenset({"A", "C", "N"})

UOM_SHAPE = re.compile(r"^[0-9A-Z]{1,4}$")
COMMON_UOM_CODES = _codes(
    "EA CA BX DZ PK PR ST CT CS UN PC LB KG OZ GR GA LT ML FT IN YD SF SY RL BG BO DR PL TB JR CN KT "
    "SH PT QT AS CL"
)
UOM_ELEMENTS = frozenset({"InvoiceQtyUOM", "OrderQtyUOM", "ShipQtyUOM", "ItemScheduleUOM", "QuantityUOM"})

# Element -> its code list, checked wherever the element occurs in a document.
CODE_LISTS: dict[str, frozenset[str]] = {
    "InvoiceTypeCode": INVOICE_TYPE_CODES,
    "AcknowledgementType": ACKNOWLEDGEMENT_TYPES,
    "ItemStatusCode": ITEM_STATUS_CODES,
    "PurchasePriceBasis": PRICE_BASIS_CODES,
    "AllowChrgIndicator": ALLOWANCE_INDICATORS,
}

# GS1 keys: element -> what it is called in a problem.
GS1_ELEMENTS = {
    "ConsumerPackageCode": "UPC",
    "GTIN": "GTIN",
    "EAN": "EAN",
    "UPCCaseCode": "UPC case code",
    "ShippingSerialID": "SSCC",
}


def is_rsx_date(value: str) -> bool:
    """RSX dates are CCYY-MM-DD, and real calendar dates."""
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
