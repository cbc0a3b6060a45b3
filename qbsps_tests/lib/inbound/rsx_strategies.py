"""Hypothesis strategies for RSX Order files, JSON and XML: fully valid random orders (whose QBO
lines are known in advance) and hostile mutations of them, on the element tree and on the bytes.

The writers (rsx_writers.py) are our own, so a mutation can be anything a hostile sender writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import strategies as st

from qbsps_orchestration.sandbox.seed_catalog import ITEMS, PARTNERS, SeedItem
from qbsps_tests.lib.outbound.landed_orders import SHIP_TO

from .rsx_writers import Pairs, Raw, encode, json_string

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Line:
    item: SeedItem
    qty: Decimal
    price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.qty * self.price).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ValidOrder:
    partner: str
    po: str
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))

    def tree(self) -> dict[str, Any]:
        """The RSX element tree: JSON names, Decimal numbers, lists for repeating groups."""
        header = {
            "TradingPartnerId": self.partner,
            "PurchaseOrderNumber": self.po,
            "TsetPurposeCode": "00",
            "PurchaseOrderDate": "2026-11-20",
            "Vendor": "VEND6174",
        }
        items = [
            {
                "OrderLine": {
                    "LineSequenceNumber": str(number),
                    "BuyerPartNumber": line.item.buyer_part_number,
                    "ConsumerPackageCode": line.item.upc,
                    "OrderQty": line.qty,
                    "OrderQtyUOM": "EA",
                    "PurchasePrice": line.price,
                },
                "ProductOrItemDescription": [
                    {"ProductCharacteristicCode": "08", "ProductDescription": line.item.description}
                ],
            }
            for number, line in enumerate(self.lines, start=1)
        ]
        return {
            "Header": {"OrderHeader": header, "Address": [dict(SHIP_TO)]},
            "LineItem": items,
            # Unrounded, as the lines add up: a stated total off by rounding would add a warning.
            "Summary": {
                "TotalAmount": sum((line.qty * line.price for line in self.lines), Decimal("0")),
                "TotalLineItemNumber": len(self.lines),
            },
        }


# ---- valid orders ----------------------------------------------------------------------------


quantities = st.one_of(
    st.integers(min_value=1, max_value=10_000).map(Decimal),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("5000"), places=3),
)
prices = st.one_of(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("999.9999"), places=4),
)
lines = st.builds(Line, item=st.sampled_from(ITEMS), qty=quantities, price=prices)


@st.composite
def valid_orders(draw: st.DrawFn, po: str) -> ValidOrder:
    partner = draw(st.sampled_from([p.trading_partner_id for p in PARTNERS]))
    return ValidOrder(partner, po, tuple(draw(st.lists(lines, min_size=1, max_size=6))))


# ---- hostile values and tree mutations --------------------------------------------------------

NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "\x1b[31m",
    "\u202e\u0645",
    "\ufeff",
    "\uffff",
    "\ud800",
    "\U0001f4a9" * 3,
    "e\u0301" * 40,
    "x" * 5000,
    "\r\n\t",
    "２０",  # fullwidth digits: Decimal() reads them as 20
    "1_000",  # Decimal() accepts underscores
    " 20 ",
    "0x10",
    "12abc",
    "1E+30",
    "NaN",
    "-Infinity",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "<Order>",
    "]]>",
    "&amp;",
    "{}",
    "null",
]
RAW_NUMBERS = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1E+30",
    "-1E+30",
    "1e400",
    "1e-400",
    "-0",
    "0E-1000000",
    "1E999999999",
    "123456789012345678901234567890",
    "1" * 5000,
    "9" * 30 + ".5",
    "-5",
    "0",
    "0.000000000000000000000000001",
    "999999999999.999",
    "1.5e3",
    "01",
    "+1",
    ".5",
]
# Element content only XML can carry: CDATA, comments, entity and character references.
XML_TRICKS = [
    "<![CDATA[20.00]]>",
    "<![CDATA[<x>]]>",
    "2<!-- c -->0",
    "<?pi data?>7",
    "&#x41;&#66;C",
    "&#0;",
    "&#xD800;",
    "&#x110000;",
    "&lol;",
    "&amp;&lt;&gt;&quot;&apos;",
    '<x:y xmlns:x="urn:x">1</x:y>',
    "<undeclared:a>1</undeclared:a>",
    '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>',
    "]]>",
    "&",
    "<",
]

scalars = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=30),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3000), max_size=12),
    st.sampled_from(RAW_NUMBERS).map(lambda t: Raw(t, t)),
    st.sampled_from(XML_TRICKS).map(lambda t: Raw(json_string(t), t)),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: Raw(repr(f), repr(f))),
    st.booleans(),
    st.none(),
)
hostile_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["a", "OrderLine", "Header"]), inner)
    ),
    max_leaves=6,
)
key_names = st.one_of(
    st.sampled_from(["", " ", "OrderQty ", "orderqty", "Header\x00", "1abc", "a:b", "xmlns", "Order", "ñ"]),
    st.text(min_size=1, max_size=12),
)

Path = tuple[Any, ...]


def paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every position in a tree (dict keys and list indexes), the root included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def _get(tree: Any, path: Path) -> Any:
    for part in path:
        tree = tree[part]
    return tree


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _replace(tree: Any, path: Path, new: Any) -> Any:
    if not path:
        return new
    parent = _get(tree, path[:-1])
    parent[path[-1]] = new
    return tree


@st.composite
def mutated_trees(draw: st.DrawFn, tree: dict[str, Any]) -> tuple[Any, list[str]]:
    """The tree with one to three mutations; returns it and a description of each."""
    tree = _copy(tree)
    done: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if isinstance(tree, Pairs | Raw):  # a replaced root: nothing left to walk
            break
        where = draw(st.sampled_from(paths(tree)))
        try:
            target = _get(tree, where)
        except (KeyError, IndexError, TypeError):  # an earlier mutation moved it
            continue
        kind = draw(st.sampled_from(["drop", "rename", "duplicate", "type", "deep", "listify", "text"]))
        if kind in ("drop", "rename", "duplicate") and where:
            parent = _get(tree, where[:-1])
            key = where[-1]
            if isinstance(parent, dict):
                if kind == "drop":
                    del parent[key]
                elif kind == "rename":
                    new_key = draw(key_names)
                    parent[new_key] = parent.pop(key)
                else:
                    other = draw(st.one_of(st.just(target), hostile_values))
                    items = [(k, v) for k, v in parent.items()]
                    items.insert(draw(st.integers(0, len(items))), (key, other))
                    _replace(tree, where[:-1], Pairs(tuple(items)))
            elif isinstance(parent, list):
                if kind == "drop":
                    del parent[key]
                else:
                    parent.insert(key, _copy(target))
            done.append(f"{kind} {where}")
        elif kind == "deep":
            depth = draw(st.integers(min_value=1, max_value=120))
            wrapped = target
            for level in range(depth):
                wrapped = [wrapped] if level % 2 else {"a": wrapped}
            tree = _replace(tree, where, wrapped)
            done.append(f"deep {depth} {where}")
        elif kind == "listify":
            tree = _replace(tree, where, [target, target] if draw(st.booleans()) else [])
            done.append(f"listify {where}")
        elif kind == "text" and isinstance(target, str):
            tree = _replace(tree, where, target + draw(st.sampled_from(NASTY_TEXT) | st.text(max_size=8)))
            done.append(f"text {where}")
        else:
            tree = _replace(tree, where, draw(hostile_values))
            done.append(f"type {where}")
    return tree, done


# ---- byte mutations ----------------------------------------------------------------------------

BOMS = [b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"]
XML_PROLOGUES = [
    b'<!DOCTYPE Order [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>',
    b'<!DOCTYPE Order [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE Order [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]>',
    b'<!DOCTYPE Order SYSTEM "http://127.0.0.1:1/order.dtd">',
    b"<!-- a comment before the root -->",
    b"<?xml-stylesheet href='x.xsl'?>",
]


@st.composite
def mutated_bytes(draw: st.DrawFn, raw: bytes, fmt: str) -> tuple[bytes, str]:
    kind = draw(
        st.sampled_from(
            ["truncate", "insert", "flip", "delete", "bom", "reencode", "mixed", "trailing", "random", "deep"]
            + (["prologue", "declaration"] if fmt == "xml" else [])
        )
    )
    size = len(raw)
    if kind == "truncate":
        cut = draw(st.integers(0, max(size - 1, 0)))
        return raw[:cut], f"truncate at {cut}"
    if kind == "insert":
        at = draw(st.integers(0, size))
        junk = draw(
            st.binary(min_size=1, max_size=8) | st.sampled_from([b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80"])
        )
        return raw[:at] + junk + raw[at:], f"insert {junk!r} at {at}"
    if kind == "flip" and size:
        at = draw(st.integers(0, size - 1))
        bit = draw(st.integers(0, 7))
        return raw[:at] + bytes([raw[at] ^ (1 << bit)]) + raw[at + 1 :], f"flip bit {bit} of byte {at}"
    if kind == "delete" and size:
        start = draw(st.integers(0, size - 1))
        end = draw(st.integers(start + 1, min(size, start + 64)))
        return raw[:start] + raw[end:], f"delete {start}:{end}"
    if kind == "bom":
        bom = draw(st.sampled_from(BOMS))
        return bom + raw.removeprefix(b"\xef\xbb\xbf"), f"bom {bom!r}"
    if kind == "reencode":
        codec = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "utf-7"]))
        text = raw.decode("utf-8", "surrogatepass")
        return text.encode(codec, "replace"), f"re-encoded as {codec}"
    if kind == "mixed":
        text = raw.decode("utf-8", "surrogatepass")
        half = draw(st.integers(0, len(text)))
        mixed = encode(text[:half]) + text[half:].encode("latin-1", "replace")
        return mixed, f"utf-8 then latin-1 from char {half}"
    if kind == "trailing":
        tail = draw(st.sampled_from([b"garbage", raw, b"\x00", b"}", b"</Order>", b"\n\n\n"]))
        return raw + tail, f"trailing {tail[:20]!r}"
    if kind == "deep":
        depth = draw(st.sampled_from([65, 1000, 50_000]))
        if fmt == "xml":
            return b"<Order>" + b"<a>" * depth + b"</a>" * depth + b"</Order>", f"deep xml {depth}"
        return b"[" * depth + b"]" * depth, f"deep json {depth}"
    if kind == "prologue":
        body = raw.removeprefix(b"\xef\xbb\xbf")
        if body.startswith(b"<?xml"):
            decl, _, rest = body.partition(b"?>")
            head, body = decl + b"?>", rest
        else:
            head = b""
        prologue = draw(st.sampled_from(XML_PROLOGUES))
        return head + prologue + body, f"prologue {prologue[:40]!r}"
    if kind == "declaration":
        encoding = draw(st.sampled_from([b"UTF-16", b"ISO-8859-1", b"EBCDIC-US", b"bogus", b"UTF-8"]))
        body = raw.removeprefix(b"\xef\xbb\xbf")
        if body.startswith(b"<?xml"):
            body = body.partition(b"?>")[2]
        return b'<?xml version="1.0" encoding="' + encoding + b'"?>' + body, f"declared {encoding!r}"
    junk = draw(st.binary(max_size=200))
    return junk, f"random {len(junk)} bytes"
