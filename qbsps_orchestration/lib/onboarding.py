"""Onboarding a trading partner (`qbsps partners add`): the partner's QBO Vendor and Customer found
or created, the buyer-assigned vendor number recorded on both, its item cross-reference checked
against QBO, and its first catalog sent. Every step looks before it writes, so a re-run changes
nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .config import QboRef, QbspsConfig, TradingPartner
from .documents.schemas import RsxSchemas
from .ledger import Ledger
from .outbound.registries import send_item_registries
from .outbound.send import SendResult
from .qbo import QboClient, QboError
from .qbo.query import select
from .sps import SpsClient

DUPLICATE_NAME = "6240"  # QBO's "Duplicate Name Exists" fault code
CUSTOMER_SUFFIX = " (Customer)"  # QBO keeps DisplayName unique across Vendors and Customers (6240)


@dataclass
class OnboardingReport:
    trading_partner_id: str
    steps: list[str] = field(default_factory=list)  # what was done or found, in order
    problems: list[str] = field(default_factory=list)  # what an operator must fix
    catalogs: list[SendResult] = field(default_factory=list)
    changed: bool = False  # whether anything was written (QBO or SPS)


class OnboardingError(Exception):
    """A partner that cannot be set up as configured; the message says what to change."""


def onboard_partner(
    config: QbspsConfig,
    ledger: Ledger,
    qbo: QboClient,
    sps: SpsClient,
    schemas: RsxSchemas,
    trading_partner_id: str,
    *,
    today: date,
) -> OnboardingReport:
    partner = config.partner(trading_partner_id)  # raises, naming the configured ids, when unknown
    report = OnboardingReport(partner.trading_partner_id)
    vendor = _find_or_create(qbo, report, "Vendor", partner.qbo_vendor, partner.name, partner)
    customer = _find_or_create(
        qbo, report, "Customer", partner.qbo_customer, partner.name + CUSTOMER_SUFFIX, partner
    )
    report.steps.append(
        f"Vendor {vendor['Id']} and Customer {customer['Id']}: pin them in the config as "
        f'qbo_vendor: {{id: "{vendor["Id"]}"}}, qbo_customer: {{id: "{customer["Id"]}"}}'
    )
    _check_items(qbo, config, partner, report)
    report.catalogs = send_item_registries(config, ledger, qbo, sps, schemas, today=today, partners=[partner])
    for result in report.catalogs:
        report.steps.append(f"{result.doc_type} {result.business_key}: {result.outcome}")
        report.changed |= result.outcome in ("sent", "resent")
        report.problems += list(result.problems)
    return report


def _find_or_create(
    qbo: QboClient,
    report: OnboardingReport,
    entity: str,
    ref: QboRef,
    default_name: str,
    partner: TradingPartner,
) -> dict:
    if ref.id is not None:
        row = qbo.read(entity, ref.id)
    else:
        rows = qbo.query(select(entity, {"DisplayName": ref.name or default_name})).get(entity, [])
        row = rows[0] if rows else None
        if row is None:
            body = {
                "DisplayName": ref.name or default_name,
                "CompanyName": partner.name,
                "AcctNum": partner.vendor_number,
            }
            try:
                row = qbo.create(
                    entity, body, request_id=f"onboard-{entity}-{partner.trading_partner_id}"[:50]
                )
            except QboError as exc:
                if any(error.code == DUPLICATE_NAME for error in exc.errors):
                    raise OnboardingError(
                        f"{partner.trading_partner_id}: cannot create QBO {entity} {body['DisplayName']!r}: "
                        "another customer, vendor or employee has that name (QuickBooks keeps names unique "
                        f"across them); give the partner's qbo_{entity.lower()} another name, or its id"
                    ) from None
                raise
            report.changed = True
            report.steps.append(f"created QBO {entity} {row['DisplayName']!r} ({row['Id']})")
            return row
    if row.get("AcctNum") != partner.vendor_number:
        # The buyer-assigned vendor number on the QBO record: bookkeepers see which retailer it is.
        row = qbo.sparse_update(
            entity,
            row["Id"],
            {"AcctNum": partner.vendor_number},
            request_id=f"onboard-acct-{entity}-{row['Id']}-{partner.vendor_number}"[:50],
        )
        report.changed = True
        report.steps.append(f"recorded vendor number {partner.vendor_number} on QBO {entity} {row['Id']}")
    else:
        report.steps.append(f"found QBO {entity} {row['DisplayName']!r} ({row['Id']})")
    return row


def _check_items(
    qbo: QboClient, config: QbspsConfig, partner: TradingPartner, report: OnboardingReport
) -> None:
    items = {
        str(row["Id"]): row
        for row in qbo.query_all("Item", "SELECT * FROM Item WHERE Active IN (true, false)")
    }
    names = {row["Name"]: row for row in items.values()}
    rows = config.item_crossref.items_for_partner(partner.trading_partner_id)
    for source, ref in rows:
        row = items.get(ref.id or "") if ref.id else names.get(ref.name or "")
        if row is None:
            report.problems.append(f"{source}: QBO Item {ref} does not exist")
        elif not row.get("Active", True):
            report.problems.append(f"{source}: QBO Item {ref} ({row['Name']}) is inactive")
    report.steps.append(
        f"item cross-reference: {len(rows)} rows for {partner.trading_partner_id}, "
        f"{len(report.problems)} problems"
    )
