"""Inbound RSX Order → RSX 855: SPS's sample orders acknowledged, checked against SPS's v7.7.7
OrderAcks.json, written as JSON and XML and read back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from qbsps_orchestration.lib.documents.order_ack.order_ack import LineAck, build_order_ack
from qbsps_orchestration.lib.documents.rules import validate
from qbsps_orchestration.lib.rsx import read_rsx
from qbsps_tests.lib.outbound.qbo_world import (
    BULK_IMPORT,
    DROP_SHIP,
    XML_ORDER,
    QboWorld,
    qbo_world,
    sample_order,
    v777_schemas,
)

ACK_DATE = date(2020, 12, 2)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QboWorld]:
    with qbo_world(tmp_path_factory.mktemp("qbo")) as running:
        yield running


def _ack(world: QboWorld, order_file: str, partner_id: str = "SPSALLTESTID", **kwargs):
    order = sample_order(order_file)
    document = build_order_ack(
        order, partner=world.partner(partner_id), config=world.config, ack_date=ACK_DATE, **kwargs
    )
    return validate(document, schemas=v777_schemas(), order=order), order


def test_order_accepted_as_ordered(world: QboWorld) -> None:
    document, order = _ack(world, DROP_SHIP)
    assert document.problems == [] and document.ready
    assert v777_schemas().problems("OrderAck", document.data) == []
    assert document.file_name == "PRPO584615-1-SPSALLTESTID-v7.7.json"
    assert document.business_key == "PO584615-1"
    header = document.data["Header"]["OrderHeader"]
    assert (header["AcknowledgementType"], header["AcknowledgementDate"], header["TsetPurposeCode"]) == (
        "AD",
        "2020-12-02",
        "00",
    )
    assert (header["PurchaseOrderNumber"], header["PurchaseOrderDate"], header["Vendor"]) == (
        "PO584615-1",
        "2020-12-01",
        "VEND6174",
    )
    (line,) = document.data["LineItem"]
    assert line["OrderLine"]["OrderQty"] == order.LineItem[0].OrderLine.OrderQty == Decimal(5)
    assert line["LineItemAcknowledgement"] == [
        {
            "ItemStatusCode": "IA",
            "ItemScheduleQty": Decimal(5),
            "ItemScheduleUOM": "EA",
            "ItemScheduleQualifier": "068",
            "ItemScheduleDate": "2020-12-15",  # the order's requested ship date
        }
    ]
    assert document.data["Summary"] == {"TotalAmount": Decimal("100.00"), "TotalLineItemNumber": 1}


def test_unknown_item_rejected_and_changed_quantity(world: QboWorld) -> None:
    statuses = {0: LineAck.quantity_changed(Decimal(3), ship_date=date(2020, 12, 18)), 1: LineAck.rejected()}
    document, _ = _ack(world, XML_ORDER, "525GROMM", line_status=statuses)
    acks = [line["LineItemAcknowledgement"][0] for line in document.data["LineItem"]]
    assert [(a["ItemStatusCode"], a["ItemScheduleQty"]) for a in acks] == [
        ("IQ", Decimal(3)),
        ("IR", Decimal(0)),
        ("IA", Decimal(3)),
    ]
    assert acks[0]["ItemScheduleDate"] == "2020-12-18" and "ItemScheduleDate" not in acks[1]
    assert document.data["Header"]["OrderHeader"]["AcknowledgementType"] == "AC"
    assert document.data["Summary"]["TotalAmount"] == Decimal("210.00")  # 3 × 20 + 0 + 3 × 50
    # The XML sample's line 2 GTIN and line 3 UPC have wrong check digits: the ack leaves those
    # codes off (the lines are still known by their part numbers) and says so.
    assert document.ready, document.problems
    assert "GTIN" not in document.data["LineItem"][1]["OrderLine"]
    assert "ConsumerPackageCode" not in document.data["LineItem"][2]["OrderLine"]
    assert document.data["LineItem"][2]["OrderLine"]["BuyerPartNumber"] == "SPSBuyerItem3"
    assert any(
        "LineItem[2].OrderLine.ConsumerPackageCode" in w and "043000186706" in w for w in document.warnings
    )
    assert v777_schemas().problems("OrderAck", document.data) == []


def test_all_lines_rejected_is_a_rejection_with_detail(world: QboWorld) -> None:
    document, _ = _ack(world, DROP_SHIP, line_status={0: LineAck.rejected()})
    assert document.ready, document.problems
    assert document.data["Header"]["OrderHeader"]["AcknowledgementType"] == "RD"
    assert document.data["Summary"]["TotalAmount"] == Decimal("0.00")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_written_ack_reads_back_as_the_same_document(world: QboWorld, fmt: str) -> None:
    partner_id, order_file = ("SPSALLTESTID", DROP_SHIP) if fmt == "json" else ("525GROMM", XML_ORDER)
    document, _ = _ack(world, order_file, partner_id, line_status={2: LineAck.quantity_changed(Decimal(1))})
    assert document.format == fmt
    (read,) = read_rsx(document.content(), source=document.file_name, doc_type="OrderAck")
    assert read.doc_type == "OrderAck" and read.format == fmt
    assert read.data == document.data


def test_sample_upc_with_a_bad_check_digit_is_left_off_the_ack(world: QboWorld) -> None:
    """SPS's sample UPC 043000186706 fails the GS1 check: never repeated, and the ack still goes."""
    document, _ = _ack(world, BULK_IMPORT)
    assert document.ready, document.problems
    line = document.data["LineItem"][2]["OrderLine"]
    assert "ConsumerPackageCode" not in line and "GTIN" not in line and line["VendorPartNumber"]
    assert sum("043000186706" in w for w in document.warnings) == 2


def test_line_status_for_a_line_the_order_lacks_is_a_problem(world: QboWorld) -> None:
    document, _ = _ack(world, DROP_SHIP, line_status={4: LineAck.rejected()})
    assert (
        f"{document.file_name}: LineItem: line_status names line 4, but the order has 1 lines"
        in document.problems
    )


def test_ack_to_another_partner_is_refused(world: QboWorld) -> None:
    document, _ = _ack(world, DROP_SHIP, "525GROMM")
    assert (
        f"{document.file_name}: Header.OrderHeader.TradingPartnerId: order PO584615-1 came from trading "
        "partner SPSALLTESTID, not 525GROMM"
    ) in document.problems


def test_one_item_on_two_lines_is_acknowledged_line_by_line(world: QboWorld) -> None:
    """An order may list one item twice (another quantity, another date) without line numbers: each
    855 line answers the order line at its own position, not the first with that item."""
    order = sample_order(DROP_SHIP).model_copy(deep=True)
    first = order.LineItem[0]
    first.OrderLine.LineSequenceNumber = None
    second = first.model_copy(deep=True)
    second.OrderLine.OrderQty = Decimal(19)
    order.LineItem.append(second)
    document = validate(
        build_order_ack(order, partner=world.partner("SPSALLTESTID"), config=world.config, ack_date=ACK_DATE),
        schemas=v777_schemas(),
        order=order,
    )
    assert document.problems == [] and document.ready
    quantities = [line["OrderLine"]["OrderQty"] for line in document.data["LineItem"]]
    assert quantities == [Decimal(5), Decimal(19)]
