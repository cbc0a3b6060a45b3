"""UPC / EAN / GTIN codes in the item cross-reference: validation and normalisation to GTIN-14.

RSX lines carry the same product code in several shapes (`ConsumerPackageCode` as a 12-digit
UPC-A, `GTIN` as 14 digits with leading zeros, `EAN` as 13), so the cross-reference compares them
all as GTIN-14.
"""

from __future__ import annotations

GTIN_LENGTHS = (8, 12, 13, 14)  # GTIN-8 (EAN-8), GTIN-12 (UPC-A), GTIN-13 (EAN-13), GTIN-14


def gs1_check_digit_ok(code: str) -> bool:
    """The GS1 mod-10 check: weights 3,1,3,… from the rightmost data digit leftwards."""
    if not code.isdigit() or len(code) < 2:
        return False
    data, check = code[:-1], int(code[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(data)))
    return (10 - total % 10) % 10 == check


def gtin_shape_problem(code: str) -> str | None:
    """Why `code` cannot be a GTIN at all (characters, length), or None."""
    if not code.isdigit():
        return f"{code!r} must contain digits only"
    if len(code) not in GTIN_LENGTHS:
        return f"{code!r} has {len(code)} digits; a UPC/EAN/GTIN has 8, 12, 13 or 14"
    return None


def to_gtin14(code: str) -> str:
    """Left-pad a valid GTIN-8/12/13/14 to 14 digits, the form every shape is compared in."""
    return code.strip().zfill(14)
