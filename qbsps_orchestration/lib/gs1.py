"""GS1 keys: check digits (mod 10) for UPC-A, EAN-13, GTIN-14 and SSCC-18, GTIN-14 normalisation
and SSCC-18 construction. The only place qbsps computes a check digit.

One algorithm covers every GS1 key: from the rightmost data digit leftwards the weights are
3, 1, 3, 1, ...; the check digit brings the weighted sum up to a multiple of ten.

RSX lines carry the same product code in several shapes (`ConsumerPackageCode` as a 12-digit
UPC-A, `GTIN` as 14 digits with leading zeros, `EAN` as 13), so products are compared as GTIN-14.
"""

from __future__ import annotations

# Lengths of the keys we handle, check digit included.
GS1_LENGTHS: dict[str, int] = {"GTIN-8": 8, "UPC-A": 12, "EAN-13": 13, "GTIN-14": 14, "SSCC-18": 18}
GTIN_LENGTHS = (8, 12, 13, 14)  # GTIN-8 (EAN-8), GTIN-12 (UPC-A), GTIN-13 (EAN-13), GTIN-14


def _digits(code: str, what: str) -> str:
    if not isinstance(code, str):
        raise ValueError(f"{what} must be text of digits, got {type(code).__name__}")
    text = code.strip()
    if not text or not text.isascii() or not text.isdigit():
        raise ValueError(f"{what} must contain only digits 0-9, got {code!r}")
    return text


def check_digit(data: str) -> str:
    """The GS1 check digit for `data`, the key without its check digit (1 to 17 digits)."""
    digits = _digits(data, "GS1 data")
    if len(digits) > 17:
        raise ValueError(f"GS1 data is at most 17 digits before the check digit, got {len(digits)}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str(-total % 10)


def with_check_digit(data: str) -> str:
    """`data` followed by its check digit."""
    return _digits(data, "GS1 data") + check_digit(data)


def is_valid(code: str, *, kind: str | None = None) -> bool:
    """True when `code` (check digit included) has a correct check digit.

    Raises ValueError for non-digits or a length that is no GS1 key, or not the length of `kind`
    ("UPC-A", "EAN-13", "GTIN-14", "SSCC-18", "GTIN-8") when given.
    """
    digits = _digits(code, kind or "GS1 code")
    if kind is not None:
        if kind not in GS1_LENGTHS:
            raise ValueError(f"unknown GS1 key {kind!r}; expected one of {sorted(GS1_LENGTHS)}")
        if len(digits) != GS1_LENGTHS[kind]:
            raise ValueError(f"{kind} has {GS1_LENGTHS[kind]} digits, got {len(digits)} in {code!r}")
    elif len(digits) not in GS1_LENGTHS.values():
        raise ValueError(f"a GS1 code has 8, 12, 13, 14 or 18 digits, got {len(digits)} in {code!r}")
    return check_digit(digits[:-1]) == digits[-1]


def verify(code: str, *, kind: str | None = None) -> str:
    """`code` stripped of surrounding blanks, or ValueError naming the expected check digit."""
    digits = _digits(code, kind or "GS1 code")
    if not is_valid(digits, kind=kind):
        raise ValueError(
            f"{kind or 'GS1 code'} {digits} has check digit {digits[-1]}, expected {check_digit(digits[:-1])}"
        )
    return digits


def gtin_shape_problem(code: str) -> str | None:
    """Why `code` cannot be a GTIN at all (characters, length), or None; the check digit is not looked at."""
    if not code.isascii() or not code.isdigit():
        return f"{code!r} must contain digits only"
    if len(code) not in GTIN_LENGTHS:
        return f"{code!r} has {len(code)} digits; a UPC/EAN/GTIN has 8, 12, 13 or 14"
    return None


def pad_gtin14(code: str) -> str:
    """A GTIN-8/12/13/14 left-padded to 14 digits, check digit NOT verified: for codes a retailer
    really sends with a wrong one (a cross-reference row with ``verify_check_digit: false``)."""
    return code.strip().zfill(14)


def normalize_gtin14(code: str) -> str:
    """A GTIN-8, UPC-A (GTIN-12), EAN-13 or GTIN-14 as 14 digits, left-padded with zeros.

    The check digit is verified first: a mistyped UPC must not silently match another item.
    """
    digits = _digits(code, "GTIN")
    if len(digits) not in GTIN_LENGTHS:
        raise ValueError(f"a GTIN has 8, 12, 13 or 14 digits, got {len(digits)} in {code!r}")
    return verify(digits).zfill(14)


def is_valid_gtin(code: str) -> bool:
    """True for a GTIN-8/12/13/14 with a correct check digit; False for anything else, never raises."""
    try:
        normalize_gtin14(code)
    except ValueError:
        return False
    return True


def sscc18(extension_digit: int | str, company_prefix: str, serial: int | str) -> str:
    """The 18-digit SSCC of a carton or pallet (ShippingSerialID in an RSX Shipment).

    Layout: extension digit (0-9, chosen by the company) + GS1 company prefix (6-12 digits) +
    serial reference (zero-padded to fill 16 digits) + check digit.
    """
    extension = _digits(str(extension_digit), "SSCC extension digit")
    if len(extension) != 1:
        raise ValueError(f"SSCC extension digit is one digit 0-9, got {extension_digit!r}")
    prefix = _digits(company_prefix, "GS1 company prefix")
    if not 6 <= len(prefix) <= 12:
        raise ValueError(f"GS1 company prefix has 6 to 12 digits, got {len(prefix)}")
    if isinstance(serial, int) and serial < 0:
        raise ValueError(f"SSCC serial reference must not be negative, got {serial}")
    serial_digits = _digits(str(serial), "SSCC serial reference")
    room = 16 - len(prefix)
    if len(serial_digits) > room:
        raise ValueError(
            f"SSCC serial reference {serial_digits} does not fit: a {len(prefix)}-digit company prefix "
            f"leaves {room} digits"
        )
    return with_check_digit(extension + prefix + serial_digits.zfill(room))


def normalize_sscc18(code: str) -> str:
    """An SSCC as its 18 digits, verified. Labels and some ASNs prefix the application
    identifier 00 (20 digits, as in the SPS sample ShippingSerialIDs); that prefix is removed."""
    digits = _digits(code, "SSCC")
    if len(digits) == 20 and digits.startswith("00"):
        digits = digits[2:]
    if len(digits) != 18:
        raise ValueError(f"an SSCC has 18 digits (20 with the 00 prefix), got {len(digits)} in {code!r}")
    return verify(digits, kind="SSCC-18")
