from __future__ import annotations

from qbsps_orchestration.lib.config.gtin import gs1_check_digit_ok, gtin_shape_problem, to_gtin14


def test_check_digit_on_published_codes() -> None:
    # GTIN-12, GTIN-13, GTIN-14 and GTIN-8 examples with correct check digits
    for code in (
        "859563003863",
        "884502115161",
        "4006381333931",
        "00884502115161",
        "10614141000415",
        "96385074",
    ):
        assert gs1_check_digit_ok(code), code
    for code in ("859563003864", "043000186706", "4006381333932", "", "7", "12a4"):
        assert not gs1_check_digit_ok(code), code


def test_shape_and_normalisation() -> None:
    assert gtin_shape_problem("859563003863") is None
    assert gtin_shape_problem("043000186706") is None  # shape is fine; only the check digit is wrong
    assert gtin_shape_problem("1234567") == "'1234567' has 7 digits; a UPC/EAN/GTIN has 8, 12, 13 or 14"
    assert to_gtin14("859563003863") == "00859563003863"
    assert to_gtin14("96385074") == "00000096385074"
    assert to_gtin14(" 10614141000415 ") == "10614141000415"
