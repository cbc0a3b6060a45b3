"""QBO Invoice → RSX 7.7 Invoice (810). Pure: the caller passes the invoice, the partner, the
config and the originating inbound Order (from the ledger); nothing here does I/O.

Whatever stands in the way of a correct 810 (no PONumber, an item the partner has no code for, a
QBO total that disagrees with the lines) is recorded on the document as a problem naming the QBO
field, so the partition fails with a reason an operator can act on; nothing is guessed.
"""

from __future__ import annotations

from typing import Any

from ...config import QbspsConfig, TradingPartner
from ...rsx import Order, OrderLine, OrderLineItem
from ..addresses import order_address, qbo_address, supplier_address
from ..document import OutboundDocument, outbound_file_name
from ..order_lines import bad_gs1_codes, line_identifiers, resolve_order_lines, take_order_line
from ..totals import extended_total, invoice_totals, summary
from .qbo_invoice import QboInvoiceView, SalesLine, read_qbo_invoice
from .terms import discount_amount, payment_terms

TSET_ORIGINAL = "00"
INVOICE_DEBIT = "DR"
DEFAULT_UOM = "EA"
DEFAULT_PRICE_BASIS = "PE"  # per each
DISCOUNT_CODE = "C310"  # AllowChrgCode: discount
SHIPPING_CODE = "G830"  # AllowChrgCode: shipping and handling
ALL_TAXES = "TX"  # TaxTypeCode: total of all taxes
DESCRIPTION = "08"  # ProductCharacteristicCode: product description

# Where a QBO field ends up in the 810, so its problem is reported at that RSX path.
_RSX_PATH_OF = {
    "DocNumber": "Header.InvoiceHeader.InvoiceNumber",
    "TxnDate": "Header.InvoiceHeader.InvoiceDate",
    "PONumber": "Header.InvoiceHeader.PurchaseOrderNumber",
    "ShipDate": "Header.InvoiceHeader.ShipDate",
    "DueDate": "Header.PaymentTerms",
    "CustomerRef": "Header.InvoiceHeader.TradingPartnerId",
    "TotalAmt": "Summary.TotalAmount",
    "TxnTaxDetail": "Header.Taxes",
    "Line": "LineItem",
}


def build_invoice(
    invoice: dict[str, Any],
    *,
    partner: TradingPartner,
    config: QbspsConfig,
    order: Order | None,
    customer: dict[str, Any] | None = None,
) -> OutboundDocument:
    """The 810 for `invoice`, in `partner`'s format; check it with `rules.validate` before sending."""
    view = read_qbo_invoice(invoice)
    key = view.doc_number or (f"QBO-{view.qbo_id}" if view.qbo_id else "UNNUMBERED")
    fmt = partner.rsx_format
    doc = OutboundDocument(
        doc_type="Invoice",
        trading_partner_id=partner.trading_partner_id,
        business_key=key,
        data={},
        file_name=outbound_file_name("Invoice", key, partner.trading_partner_id, fmt),
        format=fmt,
    )
    for qbo_field, reason in view.problems:
        _qbo_problem(doc, view, qbo_field, reason)
    _check_routing(doc, view, partner, order)

    header = _invoice_header(doc, view, partner, order)
    groups: dict[str, Any] = {"InvoiceHeader": header}
    terms = payment_terms(view.sales_term, invoice_date=view.txn_date, due_date=view.due_date)
    if terms is not None:
        groups["PaymentTerms"] = [terms.data]
    groups["Address"] = _addresses(doc, view, config, order, customer)
    if view.total_tax:
        groups["Taxes"] = [{"TaxTypeCode": ALL_TAXES, "TaxAmount": view.total_tax}]
    allowances = [_charge("A", DISCOUNT_CODE, amount) for _, amount in view.discounts]
    charges = [_charge("C", SHIPPING_CODE, amount) for _, amount in view.shipping]
    if allowances or charges:
        groups["ChargesAllowances"] = allowances + charges
    lines = _lines(doc, view, partner, config, order)
    doc.data = {"Header": {k: v for k, v in groups.items() if v}, "LineItem": lines}

    totals = invoice_totals(doc.data)
    doc.data["Summary"] = summary(totals, terms_discount=discount_amount(terms, totals.total))
    if view.total_amt is not None and view.total_amt != totals.total:
        _qbo_problem(
            doc,
            view,
            "TotalAmt",
            f"is {view.total_amt} but the lines, discounts, shipping and tax add up to {totals.total}; "
            "correct the invoice in QuickBooks",
        )
    return doc


def _qbo_problem(doc: OutboundDocument, view: QboInvoiceView, qbo_field: str, reason: str) -> None:
    root = qbo_field.split(".")[0].split("[")[0]
    doc.problem(_RSX_PATH_OF.get(root, "Header"), f"{view.label} field {qbo_field}: {reason}")


def _check_routing(
    doc: OutboundDocument, view: QboInvoiceView, partner: TradingPartner, order: Order | None
) -> None:
    """The invoice must belong to this partner's QBO customer and answer this partner's order."""
    wanted = partner.qbo_customer
    same = (wanted.id is not None and view.customer_id == wanted.id) or (
        wanted.name is not None and view.customer_name == wanted.name
    )
    if not same:
        shown = view.customer_id or "none"
        _qbo_problem(
            doc,
            view,
            "CustomerRef",
            f"customer {shown} ({view.customer_name or 'no name'}) is not the QBO customer of trading "
            f"partner {partner.trading_partner_id} ({wanted})",
        )
    if not view.po_number:
        _qbo_problem(
            doc,
            view,
            "PONumber",
            "missing; SPS retail partners require the purchase order number on every invoice "
            "(enter the retailer's PO number in the invoice's PO Number field)",
        )
    elif order is None:
        doc.warn(
            "Header.InvoiceHeader.PurchaseOrderNumber",
            f"no inbound order {view.po_number} from {partner.trading_partner_id} is known; purchase "
            "order date, line numbers and ordered quantities cannot be checked",
        )
    elif order.header.PurchaseOrderNumber != view.po_number:
        _qbo_problem(
            doc,
            view,
            "PONumber",
            f"is {view.po_number!r} but the order given is {order.header.PurchaseOrderNumber!r}",
        )


def _invoice_header(
    doc: OutboundDocument, view: QboInvoiceView, partner: TradingPartner, order: Order | None
) -> dict[str, Any]:
    if view.doc_number is None:
        _qbo_problem(doc, view, "DocNumber", "missing; the invoice number identifies the 810")
    if view.txn_date is None:
        _qbo_problem(doc, view, "TxnDate", "missing; the invoice date is required")
    po = order.header if order is not None else None
    if po is not None and po.Vendor and po.Vendor != partner.vendor_number:
        doc.warn(
            "Header.InvoiceHeader.Vendor",
            f"the order names vendor {po.Vendor!r}, the partner profile {partner.vendor_number!r}; "
            "the profile's is sent",
        )
    header = {
        "TradingPartnerId": partner.trading_partner_id,
        "InvoiceNumber": view.doc_number or doc.business_key,
        "InvoiceDate": view.txn_date,
        "PurchaseOrderDate": po.PurchaseOrderDate.isoformat() if po and po.PurchaseOrderDate else None,
        "PurchaseOrderNumber": view.po_number,
        "PrimaryPOTypeCode": po.PrimaryPOTypeCode if po else None,
        "ReleaseNumber": po.ReleaseNumber if po else None,
        "InvoiceTypeCode": INVOICE_DEBIT,
        "TsetPurposeCode": TSET_ORIGINAL,
        "BuyersCurrency": (po.BuyersCurrency if po else None) or view.currency,
        "Department": po.Department if po else None,
        "Vendor": partner.vendor_number,
        "Division": po.Division if po else None,
        "CustomerOrderNumber": po.CustomerOrderNumber if po else None,
        "ShipDate": view.ship_date,
    }
    return {key: value for key, value in header.items() if value}


def _addresses(
    doc: OutboundDocument,
    view: QboInvoiceView,
    config: QbspsConfig,
    order: Order | None,
    customer: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    name = (customer or {}).get("CompanyName") or (customer or {}).get("DisplayName") or view.customer_name
    customer_bill = (customer or {}).get("BillAddr")
    ship_to = order_address(order, "ST") or qbo_address(view.ship_addr, "ST", name)
    bill_to = (
        order_address(order, "BT")
        or qbo_address(view.bill_addr, "BT", name)
        or qbo_address(customer_bill if isinstance(customer_bill, dict) else None, "BT", name)
    )
    found = [a for a in (bill_to, ship_to) if a]
    if ship_to is None:
        doc.warn("Header.Address", "no ship-to (ST) address on the order or the QBO invoice")
    if config.supplier is None:
        doc.warn("Header.Address", "no `supplier` in the config: remit-to (RI) and ship-from (SF) left out")
    else:
        found += [supplier_address(config.supplier, "RI"), supplier_address(config.supplier, "SF")]
    return found


def _lines(
    doc: OutboundDocument,
    view: QboInvoiceView,
    partner: TradingPartner,
    config: QbspsConfig,
    order: Order | None,
) -> list[dict[str, Any]]:
    crossref = config.item_crossref
    candidates = resolve_order_lines(order, partner.trading_partner_id, crossref) if order else []
    used: set[int] = set()
    out = []
    for number, sales in enumerate(view.lines):
        path = f"LineItem[{number}].InvoiceLine"
        matched = take_order_line(candidates, used, item_id=sales.item_id, item_name=sales.item_name)
        order_line = matched.line if matched else None
        known = crossref.identifiers_for(
            partner.trading_partner_id, item_id=sales.item_id, item_name=sales.item_name
        )
        identifiers = line_identifiers(order_line, known)
        for name, code in bad_gs1_codes(order_line):
            doc.warn(
                f"{path}.{name}", f"the order's {code!r} has a wrong GS1 check digit; left off the invoice"
            )
        item = f"{sales.item_name or ''} (ItemRef {sales.item_id})".strip()
        if not identifiers:
            _qbo_problem(
                doc,
                view,
                f"{sales.where}.SalesItemLineDetail.ItemRef",
                f"item {item} has no buyer/vendor part number or UPC for partner "
                f"{partner.trading_partner_id}; add it to the item cross-reference",
            )
        if order is not None and matched is None:
            doc.warn(path, f"item {item} matches no line of order {order.header.PurchaseOrderNumber}")
        out.append(_line(doc, view, sales, identifiers, order_line, path))
        if order is not None and matched is not None:
            _copy_description(out[-1], order.LineItem[matched.index])
    return out


def _line(
    doc: OutboundDocument,
    view: QboInvoiceView,
    sales: SalesLine,
    identifiers: dict[str, str],
    order_line: OrderLine | None,
    path: str,
) -> dict[str, Any]:
    extended = extended_total(sales.qty, sales.unit_price)
    if sales.amount != extended:
        _qbo_problem(
            doc,
            view,
            f"{sales.where}.Amount",
            f"is {sales.amount} but Qty {sales.qty} × UnitPrice {sales.unit_price} is {extended}",
        )
    ordered = order_line or OrderLine()
    if ordered.PurchasePrice is not None and ordered.PurchasePrice != sales.unit_price:
        doc.warn(
            f"{path}.PurchasePrice",
            f"invoiced at {sales.unit_price}, ordered at {ordered.PurchasePrice}",
        )
    line: dict[str, Any] = {
        "LineSequenceNumber": ordered.LineSequenceNumber,
        **identifiers,
        "InvoiceQty": sales.qty,
        "InvoiceQtyUOM": ordered.OrderQtyUOM or DEFAULT_UOM,
        "PurchasePrice": sales.unit_price,
        "PurchasePriceBasis": ordered.PurchasePriceBasis or DEFAULT_PRICE_BASIS,
        "ExtendedItemTotal": extended,
    }
    item: dict[str, Any] = {"InvoiceLine": {k: v for k, v in line.items() if v is not None}}
    if sales.description:
        item["ProductOrItemDescription"] = [
            {"ProductCharacteristicCode": DESCRIPTION, "ProductDescription": sales.description}
        ]
    return item


def _copy_description(item: dict[str, Any], order_item: OrderLineItem) -> None:
    """Without a QBO line description, repeat the retailer's own description of the item."""
    if "ProductOrItemDescription" in item:
        return
    described = [d for d in order_item.ProductOrItemDescription if d.ProductDescription]
    if described:
        item["ProductOrItemDescription"] = [
            {
                "ProductCharacteristicCode": d.ProductCharacteristicCode or DESCRIPTION,
                "ProductDescription": d.ProductDescription,
            }
            for d in described
        ]


def _charge(indicator: str, code: str, amount: Any) -> dict[str, Any]:
    return {"AllowChrgIndicator": indicator, "AllowChrgCode": code, "AllowChrgAmt": amount}
