"""The one error type of the RSX layer: always names the document and the element."""

from __future__ import annotations


class RsxError(ValueError):
    """A document that cannot be read or written as RSX.

    `source` names the document (file name or upload path), `field` is a dotted RSX path such as
    ``Header.OrderHeader.PurchaseOrderNumber`` or ``LineItem[1].OrderLine.OrderQty`` (list indexes
    are 0-based, like the JSON arrays), or None when the document as a whole is unreadable. For
    files holding several documents, `index` is the 0-based position of the failing one. `line` and
    `column` (1-based) locate syntax errors in the raw bytes.
    """

    def __init__(
        self,
        reason: str,
        *,
        source: str,
        field: str | None = None,
        index: int | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.reason = reason
        self.source = source
        self.field = field
        self.index = index
        self.line = line
        self.column = column
        super().__init__(str(self))

    @property
    def document(self) -> str:
        """The document as a human would name it: the source, plus its position in a batch."""
        return self.source if self.index is None else f"{self.source} (document #{self.index + 1})"

    def __str__(self) -> str:
        where = self.document
        if self.line is not None:
            where += f", line {self.line}" + (f", column {self.column}" if self.column is not None else "")
        if self.field:
            where += f", element {self.field}"
        return f"{where}: {self.reason}"

    def __reduce__(self) -> tuple:
        # Keyword-only arguments: teach pickle (process pools, run workers) to rebuild the error.
        fields = {
            "source": self.source,
            "field": self.field,
            "index": self.index,
            "line": self.line,
            "column": self.column,
        }
        return (_rebuild, (self.reason, fields))

    def at(self, *, index: int | None) -> RsxError:
        """The same error, placed at document `index` of a multi-document file."""
        return RsxError(
            self.reason, source=self.source, field=self.field, index=index, line=self.line, column=self.column
        )


def _rebuild(reason: str, fields: dict) -> RsxError:
    return RsxError(reason, **fields)
