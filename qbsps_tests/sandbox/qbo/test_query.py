"""The query language: parser units, then operators, paging, count and errors over real HTTP."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from qbsps_orchestration.sandbox.qbo.faults import QboError
from qbsps_orchestration.sandbox.qbo.query.parse import parse_query

from .conftest import Qbo, fault_codes


def test_parser_reads_the_whole_grammar() -> None:
    query = parse_query(
        "select * from Item where Name LIKE 'HD%' AND UnitPrice >= 10 and Sku in ('A', 'B\\'s') "
        "ORDER BY Name DESC, Id STARTPOSITION 2 MAXRESULTS 5;"
    )
    assert query.entity == "Item" and not query.count
    assert [(c.path, c.operator, c.values) for c in query.conditions] == [
        (("Name",), "like", ("HD%",)),
        (("UnitPrice",), ">=", (Decimal(10),)),
        (("Sku",), "in", ("A", "B's")),
    ]
    assert [(o.path, o.descending) for o in query.ordering] == [(("Name",), True), (("Id",), False)]
    assert (query.start_position, query.max_results) == (2, 5)
    assert parse_query("SELECT COUNT(*) FROM Vendor").count
    assert parse_query("SELECT *, Sku FROM Item ORDERBY Metadata.LastUpdatedTime").ordering[0].path == (
        "Metadata",
        "LastUpdatedTime",
    )


@pytest.mark.parametrize(
    "statement",
    [
        "select * from Vendor where DisplayName = 'a' OR Active = true",
        "select * from Vendor where DisplayName == 'a'",
        "select * from Vendor where DisplayName = 'unterminated",
        "select from Vendor",
        "select * Vendor",
        "select * from Vendor MAXRESULTS ten",
        "select * from Vendor where Balance != 0",
        "",
    ],
)
def test_parser_rejects_what_qbo_rejects(statement: str) -> None:
    with pytest.raises(QboError) as caught:
        parse_query(statement)
    assert caught.value.code == "4000" and caught.value.detail.startswith("QueryParserError:")


def _names(response) -> list[str]:
    assert response.status_code == 200, response.text
    body = response.json()["QueryResponse"]
    return [row.get("DisplayName") or row.get("Name") for row in body.get(next(iter(body), ""), [])]


def test_operators_over_http(qbo: Qbo) -> None:
    assert _names(qbo.query("select * from Item where Sku = 'SPSSupplierHD-40'")) == ["HD-40 Sample Item 2"]
    assert _names(qbo.query("select * from Item where Name like 'hd-40%' orderby Name")) == [
        "HD-40 Sample Item 2",
        "HD-40 Sample Item 3",
    ]
    assert _names(
        qbo.query("select * from Item where UnitPrice > 10 AND UnitPrice <= 50 orderby UnitPrice desc")
    ) == [
        "HD-40 Sample Item 3",
        "HD-20 Sample Item 1",
    ]
    assert _names(qbo.query("select * from Item where UnitPrice < 10")) == ["Handling Fee"]
    assert _names(qbo.query("select * from Vendor where DisplayName in ('The Grommet', 'Nobody')")) == [
        "The Grommet"
    ]
    vendor = qbo.one("Vendor", DisplayName="The Grommet")
    assert _names(qbo.query(f"select * from Vendor where Id = '{vendor['Id']}'")) == ["The Grommet"]
    assert _names(qbo.query("select * from Item where Type = 'Inventory' and TrackQtyOnHand = true")) == [
        "HD-20 Sample Item 1"
    ]
    ap = qbo.query(
        "select * from Account where Classification = 'Liability' and AccountSubType = 'AccountsPayable'"
    )
    assert _names(ap) == ["Accounts Payable (A/P)"]


def test_reference_and_metadata_filters(qbo: Qbo) -> None:
    vendor = qbo.one("Vendor", DisplayName="The Grommet")
    item = qbo.one("Item", Sku="SPSSupplierHD-20")
    line = {
        "DetailType": "ItemBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 1, "UnitPrice": 5},
    }
    before = qbo.clock.now() - timedelta(seconds=1)
    po = qbo.made(
        "PurchaseOrder", {"DocNumber": "PO-Q1", "VendorRef": {"value": vendor["Id"]}, "Line": [line]}
    )
    by_vendor = qbo.query(f"select * from PurchaseOrder where VendorRef = '{vendor['Id']}'")
    assert [row["Id"] for row in by_vendor.json()["QueryResponse"]["PurchaseOrder"]] == [po["Id"]]
    stamp = before.strftime("%Y-%m-%dT%H:%M:%S%z")  # Intuit's own example uses -0700 offsets
    recent = qbo.query(f"select * from PurchaseOrder where Metadata.LastUpdatedTime > '{stamp}'")
    assert recent.json()["QueryResponse"]["maxResults"] == 1
    later = (qbo.clock.now() + timedelta(hours=1)).isoformat()
    assert (
        qbo.query(f"select * from PurchaseOrder where MetaData.LastUpdatedTime > '{later}'").json()[
            "QueryResponse"
        ]
        == {}
    )


def test_name_lists_hide_inactive_rows_unless_asked(qbo: Qbo) -> None:
    vendor = qbo.one("Vendor", DisplayName="The Grommet")
    qbo.update(
        "Vendor", {"Id": vendor["Id"], "SyncToken": vendor["SyncToken"], "sparse": True, "Active": False}
    )
    assert _names(qbo.query("select * from Vendor")) == ["SPS All Test Retail"]
    both = qbo.query("select * from Vendor where Active IN (true, false) orderby DisplayName")
    assert _names(both) == ["SPS All Test Retail", "The Grommet"]
    assert _names(qbo.query("select * from Vendor where Active = false")) == ["The Grommet"]


def test_paging_count_and_limits(qbo: Qbo) -> None:
    service = qbo.sandbox.service  # set-up through the store's own rules; the queries go over HTTP
    for number in range(1, 1006):
        service.create("Customer", {"DisplayName": f"Paging Customer {number:04d}"})
    first = qbo.query("select * from Customer where DisplayName like 'Paging%' orderby DisplayName")
    page = first.json()["QueryResponse"]
    assert (page["startPosition"], page["maxResults"], len(page["Customer"])) == (1, 100, 100)  # default 100
    third = qbo.query(
        "select * from Customer where DisplayName like 'Paging%' orderby DisplayName "
        "startposition 201 maxresults 50"
    ).json()["QueryResponse"]
    assert third["Customer"][0]["DisplayName"] == "Paging Customer 0201" and third["maxResults"] == 50
    capped = qbo.query("select * from Customer maxresults 5000").json()["QueryResponse"]
    assert capped["maxResults"] == 1000 == len(capped["Customer"])
    count = qbo.query("select count(*) from Customer where DisplayName like 'Paging%'")
    assert count.json()["QueryResponse"] == {"totalCount": 1005}
    past_the_end = qbo.query("select * from Customer startposition 5000")
    assert past_the_end.json()["QueryResponse"] == {} and "time" in past_the_end.json()


def test_post_query_with_application_text(qbo: Qbo) -> None:
    response = qbo.http.post(
        "/query",
        content="SELECT * FROM Vendor WHERE DisplayName = 'The Grommet'",
        headers={"Content-Type": "application/text"},
    )
    assert _names(response) == ["The Grommet"]


def test_query_errors_are_faults(qbo: Qbo) -> None:
    parse = qbo.query("select * from Vendor where DisplayName = 'x' or Active = true")
    assert parse.status_code == 400 and fault_codes(parse) == ["4000"]
    assert parse.json()["Fault"]["Error"][0]["Message"] == "Error parsing query"
    assert fault_codes(qbo.query("select * from vendor")) == ["4001"]  # entity names are case-sensitive
    assert fault_codes(qbo.query("select * from Vendor where Colour = 'red'")) == ["4001"]
