"""QBO's query language: a tokenizer and a recursive-descent parser.

``SELECT * | count(*) FROM <Entity> [WHERE f op v (AND f op v)*] [ORDERBY f [ASC|DESC], ...]
[STARTPOSITION n] [MAXRESULTS n]`` with ``=, <, >, <=, >=, IN (...), LIKE '%...%'``. No OR, no joins,
no expressions. Projections are accepted (python-quickbooks sends ``SELECT *, Sku``) and ignored,
as QBO always returns whole entities. Anything else is a 4000 "Error parsing query".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .. import faults

COMPARISONS = ("=", "<", ">", "<=", ">=")
KEYWORDS = {
    "select",
    "from",
    "where",
    "and",
    "or",
    "in",
    "like",
    "orderby",
    "order",
    "by",
    "asc",
    "desc",
    "startposition",
    "maxresults",
    "count",
    "true",
    "false",
}


@dataclass(frozen=True)
class Token:
    kind: str  # word, string, number, symbol, end
    text: str
    position: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


@dataclass(frozen=True)
class Condition:
    path: tuple[str, ...]
    operator: str  # one of COMPARISONS, "in" or "like"
    values: tuple[object, ...]  # str, Decimal or bool


@dataclass(frozen=True)
class Ordering:
    path: tuple[str, ...]
    descending: bool


@dataclass
class Query:
    entity: str
    count: bool = False
    conditions: list[Condition] = field(default_factory=list)
    ordering: list[Ordering] = field(default_factory=list)
    start_position: int = 1
    max_results: int | None = None


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "'":
            start, i, chars = i, i + 1, []
            while True:
                if i >= n:
                    raise faults.query_parse_error(f"Unterminated string starting at column {start + 1}")
                if text[i] == "\\" and i + 1 < n:  # backslash escapes the next character
                    chars.append(text[i + 1])
                    i += 2
                elif text[i] == "'":
                    i += 1
                    break
                else:
                    chars.append(text[i])
                    i += 1
            tokens.append(Token("string", "".join(chars), start))
        elif ch.isdigit() or (ch == "-" and i + 1 < n and text[i + 1].isdigit()):
            start = i
            i += 1
            while i < n and (text[i].isdigit() or text[i] == "."):
                i += 1
            tokens.append(Token("number", text[start:i], start))
        elif ch.isalpha() or ch == "_":
            start = i
            while i < n and (text[i].isalnum() or text[i] == "_"):
                i += 1
            tokens.append(Token("word", text[start:i], start))
        elif text.startswith(("<=", ">="), i):
            tokens.append(Token("symbol", text[i : i + 2], i))
            i += 2
        elif ch in "*,().=<>;":
            tokens.append(Token("symbol", ch, i))
            i += 1
        else:
            raise faults.query_parse_error(f'Lexical error at line 1, column {i + 1}. Encountered: "{ch}"')
    tokens.append(Token("end", "", n))
    return tokens


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    def parse(self) -> Query:
        self._keyword("select")
        count = self._select_list()
        self._keyword("from")
        entity = self._word("an entity name")
        query = Query(entity=entity, count=count)
        if self._peek().is_word("where"):
            self._next()
            query.conditions.append(self._condition())
            while self._peek().is_word("and"):
                self._next()
                query.conditions.append(self._condition())
            if self._peek().is_word("or"):
                self._fail("OR is not supported; join filters with AND")
        if self._peek().is_word("orderby", "order"):
            if self._next().is_word("order"):
                self._keyword("by")
            query.ordering.append(self._ordering())
            while self._peek_symbol(","):
                self._next()
                query.ordering.append(self._ordering())
        if self._peek().is_word("startposition"):
            self._next()
            # QBO positions are 1-based but it accepts 0 as "from the start".
            query.start_position = max(1, self._whole_number("STARTPOSITION", minimum=0))
        if self._peek().is_word("maxresults"):
            self._next()
            query.max_results = self._whole_number("MAXRESULTS", minimum=1)
        if self._peek_symbol(";"):
            self._next()
        if self._peek().kind != "end":
            self._fail("Encountered unexpected text")
        return query

    # --- grammar pieces ---------------------------------------------------------------------

    def _select_list(self) -> bool:
        if self._peek().is_word("count"):
            self._next()
            for symbol in "(*)":
                self._symbol(symbol)
            return True
        while True:
            if self._peek_symbol("*"):
                self._next()
            else:
                self._path()
            if not self._peek_symbol(","):
                return False
            self._next()

    def _condition(self) -> Condition:
        path = self._path()
        token = self._next()
        if token.kind == "symbol" and token.text in COMPARISONS:
            return Condition(path, token.text, (self._value(),))
        if token.is_word("like"):
            pattern = self._next()
            if pattern.kind != "string":
                self._fail("LIKE needs a quoted pattern", pattern)
            return Condition(path, "like", (pattern.text,))
        if token.is_word("in"):
            self._symbol("(")
            values = [self._value()]
            while self._peek_symbol(","):
                self._next()
                values.append(self._value())
            self._symbol(")")
            return Condition(path, "in", tuple(values))
        self._fail("Expected one of =, <, >, <=, >=, IN, LIKE", token)
        raise AssertionError("unreachable")

    def _ordering(self) -> Ordering:
        path = self._path()
        descending = False
        if self._peek().is_word("asc", "desc"):
            descending = self._next().is_word("desc")
        return Ordering(path, descending)

    def _path(self) -> tuple[str, ...]:
        parts = [self._word("a property name")]
        while self._peek_symbol("."):
            self._next()
            parts.append(self._word("a property name"))
        return tuple(parts)

    def _value(self) -> object:
        token = self._next()
        if token.kind == "string":
            return token.text
        if token.kind == "number":
            try:
                return Decimal(token.text)
            except ArithmeticError:
                self._fail("Bad number", token)
        if token.is_word("true", "false"):
            return token.text.lower() == "true"
        self._fail("Expected a quoted string, a number, true or false", token)
        raise AssertionError("unreachable")

    def _whole_number(self, clause: str, minimum: int) -> int:
        token = self._next()
        if token.kind != "number" or not token.text.isdigit() or int(token.text) < minimum:
            self._fail(f"{clause} needs a whole number of at least {minimum}", token)
        return int(token.text)

    # --- token helpers ----------------------------------------------------------------------

    def _peek(self) -> Token:
        return self.tokens[self.index]

    def _peek_symbol(self, symbol: str) -> bool:
        token = self._peek()
        return token.kind == "symbol" and token.text == symbol

    def _next(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def _keyword(self, word: str) -> None:
        token = self._next()
        if not token.is_word(word):
            self._fail(f"Expected {word.upper()}", token)

    def _symbol(self, symbol: str) -> None:
        token = self._next()
        if token.kind != "symbol" or token.text != symbol:
            self._fail(f'Expected "{symbol}"', token)

    def _word(self, what: str) -> str:
        token = self._next()
        if token.kind != "word" or token.text.lower() in KEYWORDS:
            self._fail(f"Expected {what}", token)
        return token.text

    def _fail(self, reason: str, token: Token | None = None) -> None:
        token = token or self._peek()
        shown = "<EOF>" if token.kind == "end" else token.text
        raise faults.query_parse_error(
            f'Encountered "{shown}" at line 1, column {token.position + 1}. {reason}.'
        )


def parse_query(text: str) -> Query:
    if not text or not text.strip():
        raise faults.query_parse_error('Encountered "<EOF>" at line 1, column 1. Expected SELECT.')
    return Parser(text).parse()
