"""GS1 mod-10 check digits, GTIN-14 normalisation and SSCC-18 construction."""

from __future__ import annotations

import re

import pytest

from qbsps_orchestration.lib import gs1

from .rsx.shared_samples import sps_samples_dir

# Known-good keys: the first five appear in the SPS samples; 036000291452 and 4006381333931 are
# widely published UPC-A / EAN-13 examples.
GOOD = [
    ("859563003863", "UPC-A"),  # ConsumerPackageCode in every SPS 850 sample
    ("496099966745", "UPC-A"),  # UPCCaseCode
    ("00859563003863", "GTIN-14"),  # GTIN of the same item
    ("10384478861804", "GTIN-14"),  # PurchaseOrderTest.xml line 1
    ("007774760000006927", "SSCC-18"),  # a ShippingSerialID in the consolidated 856, without AI 00
    ("036000291452", "UPC-A"),
    ("4006381333931", "EAN-13"),
]


@pytest.mark.parametrize(("code", "kind"), GOOD)
def test_known_good_codes_verify(code: str, kind: str) -> None:
    assert gs1.is_valid(code, kind=kind)
    assert gs1.is_valid(code)
    assert gs1.check_digit(code[:-1]) == code[-1]
    assert gs1.with_check_digit(code[:-1]) == code
    assert gs1.verify(f" {code} ", kind=kind) == code


def test_every_check_digit_but_the_right_one_fails() -> None:
    body = "85956300386"
    assert [d for d in "0123456789" if gs1.is_valid(body + d)] == ["3"]


def test_bad_check_digit_error_names_the_expected_digit() -> None:
    # 043000186706 is the third item in several SPS samples. By hand: the weighted sum of
    # 04300018670 (weights 3,1,... from the right) is 49, so the check digit should be 1.
    assert not gs1.is_valid("043000186706")
    with pytest.raises(ValueError, match="UPC-A 043000186706 has check digit 6, expected 1"):
        gs1.verify("043000186706", kind="UPC-A")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gs1.is_valid("12345"), "8, 12, 13, 14 or 18 digits, got 5"),
        (lambda: gs1.is_valid("85956300386X"), "only digits"),
        (lambda: gs1.is_valid("８５９５６３００３８６３"), "only digits"),  # full-width digits are not ASCII
        (lambda: gs1.is_valid("859563003863", kind="EAN-13"), "EAN-13 has 13 digits, got 12"),
        (lambda: gs1.is_valid("859563003863", kind="UPC"), "unknown GS1 key 'UPC'"),
        (lambda: gs1.check_digit("1" * 18), "at most 17 digits"),
        (lambda: gs1.check_digit(""), "only digits"),
        (lambda: gs1.normalize_gtin14("85956300386"), "8, 12, 13 or 14 digits, got 11"),
        (lambda: gs1.normalize_gtin14("859563003864"), "expected 3"),
    ],
)
def test_bad_input_is_a_clear_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_normalize_gtin14_pads_every_gtin_length() -> None:
    assert gs1.normalize_gtin14("859563003863") == "00859563003863"
    assert gs1.normalize_gtin14("4006381333931") == "04006381333931"
    assert gs1.normalize_gtin14("00859563003863") == "00859563003863"
    assert gs1.normalize_gtin14("96385074") == "00000096385074"  # GTIN-8
    assert gs1.is_valid(gs1.normalize_gtin14("036000291452"), kind="GTIN-14")


def test_gtin_shape_and_unverified_padding() -> None:
    # The shape (digits, a GTIN length) is checked apart from the check digit: a cross-reference row
    # may accept a retailer's code with a wrong one (verify_check_digit: false), padded as sent.
    assert gs1.gtin_shape_problem("859563003863") is None
    assert gs1.gtin_shape_problem("043000186706") is None  # shape is fine; only the check digit is wrong
    assert gs1.gtin_shape_problem("1234567") == "'1234567' has 7 digits; a UPC/EAN/GTIN has 8, 12, 13 or 14"
    assert gs1.gtin_shape_problem("12a4") == "'12a4' must contain digits only"
    assert gs1.pad_gtin14("043000186706") == "00043000186706"
    assert gs1.pad_gtin14(" 10614141000415 ") == "10614141000415"
    for code in (
        "859563003863",
        "884502115161",
        "4006381333931",
        "00884502115161",
        "10614141000415",
        "96385074",
    ):
        assert gs1.is_valid_gtin(code), code
    for code in ("859563003864", "043000186706", "4006381333932", "", "7", "12a4", "007774760000006927"):
        assert not gs1.is_valid_gtin(code), code  # the last is a valid SSCC-18, not a GTIN


def test_sscc18_builds_the_sample_serial() -> None:
    # 0 extension + company prefix 0777476 + serial 000000692 -> check digit 7.
    assert gs1.sscc18(0, "0777476", 692) == "007774760000006927"
    # By hand: 10614141123456789 has weighted sum 143 -> check digit 7.
    assert gs1.sscc18("1", "0614141", "123456789") == "106141411234567897"
    code = gs1.sscc18(9, "123456789012", 1)
    assert len(code) == 18 and code.startswith("91234567890120001") and gs1.is_valid(code, kind="SSCC-18")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((10, "0777476", 1), "one digit 0-9"),
        (("x", "0777476", 1), "only digits"),
        ((0, "12345", 1), "6 to 12 digits, got 5"),
        ((0, "0777476", 10**9), "does not fit: a 7-digit company prefix leaves 9 digits"),
        ((0, "0777476", -1), "must not be negative"),
    ],
)
def test_sscc18_refuses_bad_parts(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        gs1.sscc18(*args)


def test_normalize_sscc18_drops_the_application_identifier() -> None:
    assert gs1.normalize_sscc18("00007774760000006927") == "007774760000006927"
    assert gs1.normalize_sscc18("007774760000006927") == "007774760000006927"
    with pytest.raises(ValueError, match="expected 7"):
        gs1.normalize_sscc18("00007774760000006929")
    with pytest.raises(ValueError, match="18 digits"):
        gs1.normalize_sscc18("9996999")


@pytest.mark.shared
def test_sample_codes_classified() -> None:
    """The sample codes that are real GS1 keys verify; the filler ones are caught."""
    root = sps_samples_dir()
    po = (root / "rsx_json_samples" / "Orders_850" / "PO584615-1-v7.7-BulkImport.json").read_text("utf-8-sig")
    upcs = re.findall(r'"ConsumerPackageCode" : "(\d+)"', po)
    assert upcs == ["859563003863", "884502115161", "043000186706"]
    assert [gs1.is_valid(code, kind="UPC-A") for code in upcs] == [True, True, False]
    shipment = root / "rsx_json_samples" / "Shipments_856" / "Consolidated_Shipment-v7.7-MultiOrders.json"
    serials = sorted(set(re.findall(r'"ShippingSerialID" : "(\d+)"', shipment.read_text("utf-8-sig"))))
    valid = []
    for serial in serials:
        try:
            valid.append(gs1.normalize_sscc18(serial))
        except ValueError:
            continue
    assert valid == ["007774760000006927"]
