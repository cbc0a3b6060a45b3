"""The chargeback a partner's rule gives for one late document, in Decimal cents (rounded half up,
as money is billed). None where the rule needs a number the document does not have."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ..config.deadlines import Chargeback, FlatChargeback, PerCartonChargeback, PercentChargeback

CENT = Decimal("0.01")


def estimate(rule: Chargeback | None, *, amount: Decimal | None, cartons: int | None) -> Decimal | None:
    """`amount`: the document's total (invoice, else order); `cartons`: the shipment's cartons."""
    if rule is None:
        return None
    if isinstance(rule, FlatChargeback):
        return rule.amount
    if isinstance(rule, PerCartonChargeback):
        return None if cartons is None else (rule.amount * cartons).quantize(CENT, ROUND_HALF_UP)
    if isinstance(rule, PercentChargeback):
        if amount is None:
            return None
        share = (amount * rule.percent / 100).quantize(CENT, ROUND_HALF_UP)
        return max(share, rule.minimum) if rule.minimum is not None else share
    raise TypeError(f"unknown chargeback rule {rule!r}")


def describe(rule: Chargeback) -> str:
    """The rule in words, for an alert that cannot put a number on it."""
    if isinstance(rule, FlatChargeback):
        return f"{rule.amount} per late document"
    if isinstance(rule, PerCartonChargeback):
        return f"{rule.amount} per carton"
    floor = f", at least {rule.minimum}" if rule.minimum is not None else ""
    return f"{rule.percent}% of the amount{floor}"
