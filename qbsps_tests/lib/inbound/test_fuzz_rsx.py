"""Hypothesis fuzzing of RSX Order files, XML and JSON, through the real inbound path: each file is
delivered to the sandbox's SPS mailbox and goes over HTTP through `fetch_order_file` then
`sync_order_file` into the sandbox's QBO, with the real SQLite ledger. One sandbox per test.

Fuzzed: fully valid random orders (partners, lines, Decimal quantities and prices, every file shape
SPS delivers), element-tree mutations of valid orders (keys dropped, renamed or duplicated, wrong
types, NaN/1E+30/huge numbers, empty and control-character text, lone surrogates, deep nesting,
CDATA, comments, entity and character references), and byte mutations (truncation, inserted and
flipped bytes, BOMs, re-encodings, mixed encodings, DTDs and entity tricks, random bytes).

Asserted per file: nothing but `InboundDocumentError` escapes; every document of the file ends
landed in QBO exactly once, or quarantined/failed with a reason naming the file, its bytes kept
(two designed outcomes besides: a cancellation of an order never seen is `cancelled`, nothing in
QBO; an original whose PO number an earlier example already used is a held conflict); the file
leaves the mailbox; a good sibling order in the same pass lands; a valid order lands with exactly
its lines and amounts; and a replay of the partition, and the same file delivered again, change
nothing. Derandomized (`derandomize=True`, no example database) so CI runs the same inputs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from qbsps_orchestration.lib.inbound import (
    DocumentResult,
    InboundDocumentError,
    fetch_order_file,
    sync_order_file,
)
from qbsps_orchestration.lib.ledger import Disposition, DocumentState
from qbsps_orchestration.lib.mapping.doc_number import order_marker
from qbsps_orchestration.lib.qbo import QboClient
from qbsps_orchestration.lib.rsx import RSX_NAMESPACE
from qbsps_orchestration.lib.sps import SpsClient
from qbsps_orchestration.sandbox.seed_catalog import ITEMS
from qbsps_tests.lib.inbound.rsx_strategies import (
    Line,
    ValidOrder,
    mutated_bytes,
    mutated_trees,
    valid_orders,
)
from qbsps_tests.lib.inbound.rsx_writers import FileShape, shapes
from qbsps_tests.lib.outbound.landed_orders import order_bytes
from qbsps_tests.sandboxed import SandboxedConnector


def fuzz(max_examples: int) -> settings:
    """Derandomized (the same examples every run, no example database): a CI failure reproduces
    locally. No shrinking: every example shares one sandbox, where shrinking runs for minutes; the
    failing input is printed whole instead (see `note`). Counts keep each test under ~60 s here."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        report_multiple_bugs=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


ENDED = {DocumentState.SYNCED, DocumentState.QUARANTINED, DocumentState.FAILED, DocumentState.CANCELLED}


@dataclass
class Inbound:
    """One sandbox shared by every example of a test; clients made once (SPS rate-limits tokens)."""

    c: SandboxedConnector
    sps: SpsClient
    qbo: QboClient
    numbers: Iterator[int] = field(default_factory=itertools.count)
    first_file: dict[int, str] = field(default_factory=dict)  # document id -> the file that made it
    versions_seen: set[int] = field(default_factory=set)

    def token(self) -> str:
        return f"FZ{next(self.numbers):05d}"

    def deliver(self, name: str, raw: bytes) -> None:
        self.c.box.sps.put_file(self.c.orders_folder + name, raw)

    def run(self, name: str) -> tuple[list[DocumentResult], list[DocumentResult]]:
        """fetch then sync, as the two assets do; only the documented per-document error may escape."""
        fetched = _documented(lambda: fetch_order_file(self.c.config, self.c.ledger, self.sps, name))
        synced = _documented(lambda: sync_order_file(self.c.config, self.c.ledger, self.qbo, name))
        return fetched, synced

    def in_qbo(self, partner: str, po: str) -> list[dict]:
        marker = order_marker(partner, po)
        return self.c.box.qbo.where(
            "PurchaseOrder",
            lambda row: (note_ := row.get("PrivateNote") or "") == marker or note_.startswith(marker + "\n"),
        )

    def snapshot(self) -> tuple[int, list[int], list[int]]:
        ledger = self.c.ledger
        return (
            self.c.box.qbo.count("PurchaseOrder"),
            sorted(d.id for d in ledger.failed_documents(limit=1_000_000)),
            sorted(v.id for v in ledger.held_conflicts(limit=1_000_000)),
        )

    def settle(self, name: str, raw: bytes, fetched: list[DocumentResult]) -> list[tuple[int, int]]:
        """Every document of the file ended in a designed state; returns the file's documents."""
        c = self.c
        path = c.orders_folder + name
        assert name not in c.order_files(), f"{name} is still in the mailbox"
        pairs = c.ledger.file_documents(path)
        assert pairs, f"{name}: fetched but no document recorded"
        assert fetched, f"{name}: fetch reported no document"
        for result in fetched:  # each document read is accounted for in the ledger
            assert (result.document_id, result.version_id) in pairs, f"{name}: {result} not recorded"
        failed = {d.id: d for d in c.ledger.failed_documents(limit=1_000_000)}
        held = {v.id for v in c.ledger.held_conflicts(limit=1_000_000)}
        for doc_id, version_id in pairs:
            doc, version = c.ledger.document(doc_id), c.ledger.version(version_id)
            assert version.payload or not raw, f"{name}: document {doc_id} kept no bytes"
            if version_id not in self.versions_seen and len(fetched) == 1:
                assert version.payload == raw, f"{name}: the raw bytes were not kept as delivered"
            self.versions_seen.add(version_id)
            origin = self.first_file.setdefault(doc_id, name)
            where = f"{name}: document {doc_id} ({doc.trading_partner_id}/{doc.business_key[:60]!r})"
            landed = (
                []
                if doc.business_key.startswith("unreadable:")
                else self.in_qbo(doc.trading_partner_id, doc.business_key)
            )
            if version.disposition is Disposition.CONFLICT:  # a PO number an earlier example used
                assert version_id in held and origin != name, f"{where}: a conflict not held"
                assert len(landed) <= 1, f"{where}: {len(landed)} POs in QBO"
            elif doc.state is DocumentState.SYNCED:
                assert len(landed) == 1, f"{where}: synced but {len(landed)} POs in QBO"
                assert landed[0]["Id"] == doc.qbo_id, f"{where}: the ledger points at another PO"
            elif doc.state in (DocumentState.QUARANTINED, DocumentState.FAILED):
                assert doc_id in failed, f"{where}: {doc.state} but not listed for an operator"
                reason = doc.reason or ""
                assert origin in reason, f"{where}: reason does not name the file: {reason!r}"
                assert len(reason) > len(origin) + 5, f"{where}: reason says nothing: {reason!r}"
                assert landed == [], f"{where}: {doc.state} yet in QBO"
            elif doc.state is DocumentState.CANCELLED:  # TsetPurposeCode 01 for an order never seen
                assert landed == [], f"{where}: cancelled yet in QBO"
            else:
                pytest.fail(f"{where}: left {doc.state.value}, neither landed nor quarantined")
            assert doc.state in ENDED or version.disposition is Disposition.CONFLICT
        return pairs

    def good_sibling(self, token: str) -> str:
        name = f"{token}-good.json"
        self.deliver(name, order_bytes(f"{token}-G"))
        return name

    def check_good_sibling(self, token: str) -> None:
        [row] = self.in_qbo("SPSALLTESTID", f"{token}-G")
        assert row["TotalAmt"] == Decimal("80.00")

    def pass_and_replay(self, token: str, name: str, raw: bytes) -> list[tuple[int, int]]:
        """The file beside a good sibling in one pass, then a replay and a re-delivery."""
        good = self.good_sibling(token)
        self.deliver(name, raw)
        fetched, _ = self.run(name)
        self.run(good)
        pairs = self.settle(name, raw, fetched)
        self.check_good_sibling(token)

        before = self.snapshot()
        self.run(name)  # the partition again: the file already left the mailbox
        self.run(good)
        self.deliver(name, raw)  # SPS delivers the very same file again
        again, _ = self.run(name)
        assert self.snapshot() == before, f"{name}: a re-run changed QBO or the ledger"
        assert set(self.settle(name, raw, again)) == set(pairs)
        self.check_good_sibling(token)
        return pairs


def _documented(step: Callable[[], list[DocumentResult]]) -> list[DocumentResult]:
    try:
        return step()
    except InboundDocumentError as exc:  # the one documented failure: a document of the file failed
        return exc.results


@pytest.fixture()
def inbound(empty_connector: SandboxedConnector) -> Inbound:
    return Inbound(empty_connector, empty_connector.sps(), empty_connector.qbo())


def _item_ids(inbound: Inbound) -> dict[str, str]:
    return {item.name: inbound.c.box.qbo.find("Item", Name=item.name)[0]["Id"] for item in ITEMS}


@pytest.mark.long
@fuzz(max_examples=80)
@given(data=st.data())
def test_valid_random_orders_land_once_with_exactly_their_lines(
    inbound: Inbound, data: st.DataObject
) -> None:
    token = inbound.token()
    count = data.draw(st.integers(min_value=1, max_value=3), label="orders in the file")
    orders: list[ValidOrder] = [
        data.draw(valid_orders(f"{token}-{n}"), label=f"order {n}") for n in range(count)
    ]
    shape: FileShape = data.draw(shapes(), label="shape")
    name = f"{token}.{shape.ext}"
    raw = shape.render([order.tree() for order in orders])
    note(raw.decode("utf-8", "replace")[:2000])

    inbound.pass_and_replay(token, name, raw)
    item_ids = _item_ids(inbound)
    for order in orders:
        [row] = inbound.in_qbo(order.partner, order.po)
        assert row["PrivateNote"] == order_marker(order.partner, order.po)  # no totals warning
        lines = [line for line in row["Line"] if line["DetailType"] == "ItemBasedExpenseLineDetail"]
        assert len(lines) == len(row["Line"]) == len(order.lines)
        for got, want in zip(lines, order.lines, strict=True):
            detail = got["ItemBasedExpenseLineDetail"]
            assert detail["ItemRef"]["value"] == item_ids[want.item.name]
            assert (detail["Qty"], detail["UnitPrice"], got["Amount"]) == (want.qty, want.price, want.amount)
        assert row["TotalAmt"] == order.total


@pytest.mark.long
@fuzz(max_examples=120)
@given(data=st.data())
def test_mutated_documents_land_once_or_are_quarantined_with_their_reason(
    inbound: Inbound, data: st.DataObject
) -> None:
    token = inbound.token()
    base = data.draw(valid_orders(f"{token}-B"), label="order")
    bad, done = data.draw(mutated_trees(base.tree()), label="mutated tree")
    note(f"mutations: {done}")
    shape = data.draw(shapes(), label="shape")
    beside = data.draw(st.booleans(), label="with a good order in the same file")
    sibling = ValidOrder("SPSALLTESTID", f"{token}-S", base.lines[:1])
    documents = [sibling.tree(), bad] if beside else [bad]
    if beside and data.draw(st.booleans(), label="bad one first"):
        documents.reverse()
    name = f"{token}.{shape.ext}"
    raw = shape.render(documents)
    note(raw.decode("utf-8", "replace")[:2000])

    pairs = inbound.pass_and_replay(token, name, raw)
    if beside:  # lands, unless the file as a whole could not be read (one quarantine, its bytes)
        whole = len(pairs) == 1 and inbound.c.ledger.version(pairs[0][1]).payload == raw
        whole = whole and inbound.c.ledger.document(pairs[0][0]).business_key.startswith("unreadable:")
        assert whole or len(inbound.in_qbo(sibling.partner, sibling.po)) == 1


@pytest.mark.long
@fuzz(max_examples=120)
@given(data=st.data())
def test_mangled_bytes_are_quarantined_with_their_reason_and_bytes(
    inbound: Inbound, data: st.DataObject
) -> None:
    token = inbound.token()
    base = data.draw(valid_orders(f"{token}-B"), label="order")
    shape = data.draw(shapes(), label="shape")
    tree = base.tree()
    if data.draw(st.booleans(), label="tree mutation first"):
        tree, done = data.draw(mutated_trees(tree), label="mutated tree")
        note(f"mutations: {done}")
    raw, how = data.draw(mutated_bytes(shape.render([tree]), shape.fmt), label="mangled bytes")
    note(f"bytes: {how}")
    note(repr(raw[:2000]))
    inbound.pass_and_replay(token, f"{token}.{shape.ext}", raw)


def test_an_unsupported_purpose_code_is_quarantined_naming_the_file(inbound: Inbound) -> None:
    """The minimal input behind a fuzzer find: the ledger's reason for an unknown TsetPurposeCode."""
    order = ValidOrder("SPSALLTESTID", "FZ-TSET-1", (Line(ITEMS[0], Decimal("4"), Decimal("20.00")),))
    tree = order.tree()
    tree["Header"]["OrderHeader"]["TsetPurposeCode"] = "zz"
    inbound.pass_and_replay("FZ-TSET", "FZ-TSET.json", FileShape("json", "bare").render([tree]))


def test_a_replay_of_a_plural_file_with_an_array_for_a_document_adds_nothing(inbound: Inbound) -> None:
    """The minimal input behind a fuzzer find: an array where a plural file holds a document is
    quarantined with its own bytes, which a replay reads again as a file of two documents."""
    raw = b'{"Orders": [{}, [1, 2]]}'
    inbound.pass_and_replay("FZ-ARRAY", "FZ-ARRAY.json", raw)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("FZ-EMPTY-1.json", b"[]"),
        ("FZ-EMPTY-2.json", b'{"Orders": []}'),
        ("FZ-EMPTY-3.json", b'{"Order": []}'),
        ("FZ-EMPTY-4.xml", b"<Orders/>"),
        ("FZ-EMPTY-5.xml", f'<Orders xmlns="{RSX_NAMESPACE}"></Orders>'.encode()),
    ],
)
def test_a_file_of_no_documents_is_kept_not_lost(inbound: Inbound, name: str, raw: bytes) -> None:
    """The minimal inputs behind a fuzzer find: a wrapper with no document in it leaves the mailbox,
    and unless the ledger keeps it (quarantined with its bytes) nothing says it ever arrived."""
    inbound.pass_and_replay(name.removesuffix(".json").removesuffix(".xml"), name, raw)
