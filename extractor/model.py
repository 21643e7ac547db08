"""The typed intermediate model that every reader emits and every rule reads.

A reader turns a file into a :class:`Document`: an ordered sequence of blocks (paragraphs and
table grids), each with its :class:`Provenance`. Readers know nothing about annual reports.
Merged table cells are expanded once, in :func:`extractor.readers.grid.build_table`, never per reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """How completely a document was read."""

    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


class FileFormat(StrEnum):
    HTML = "html"
    TEXT = "text"
    PDF = "pdf"
    DOCX = "docx"
    DOC = "doc"
    WPS = "wps"
    RTF = "rtf"
    IMAGE = "image"
    MHT = "mht"  # MIME web archive ("single file web page"), often published under a .doc name
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a fragment came from.

    ``page`` is 1-based for paged formats; ``bbox`` is ``(x0, top, x1, bottom)`` in PDF points with
    the origin at the page's top left (pixels for images); ``locator`` is a DOM path, a
    ``table/row/col`` index or a line number for the other formats.
    """

    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    locator: str | None = None

    def bbox_str(self) -> str | None:
        if self.bbox is None:
            return None
        return ",".join(f"{v:.1f}" for v in self.bbox)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A run of text: a line, a paragraph, a heading."""

    text: str
    prov: Provenance = field(default_factory=Provenance)
    confidence: float | None = None  # the recogniser's, for OCR'd text; None when read from a text layer
    # a line of plain text (a text file, or a table flattened into text): like a line of a text file,
    # it does not end a table row, so cells printed one per line still make rows
    line: bool = False


# The text of a table cell that holds ink no reading explains (an OCR'd cell the recogniser could not
# read): not blank, not a value. The rules leave such a cell out with a warning naming its page and bbox.
UNREADABLE = "\ufffd"


@dataclass(frozen=True, slots=True)
class TableCell:
    """One physical cell of a table; it covers ``rowspan`` × ``colspan`` grid slots."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    prov: Provenance = field(default_factory=Provenance)
    confidence: float | None = None  # the recogniser's, for OCR'd text; None when read from a text layer


@dataclass(frozen=True, slots=True)
class Table:
    """A table grid. ``slots[r][c]`` is the index into ``cells`` of the cell covering that slot
    (``None`` for a slot no cell covers). A merged cell's text belongs to it once."""

    cells: tuple[TableCell, ...]
    slots: tuple[tuple[int | None, ...], ...]
    prov: Provenance = field(default_factory=Provenance)
    method: str | None = None  # how the grid was read when not implied by the format (e.g. "ocr")
    _by_row: tuple[tuple[int, ...], ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        by_row: list[list[int]] = [[] for _ in self.slots]
        for i, c in enumerate(self.cells):
            if 0 <= c.row < len(by_row):
                by_row[c.row].append(i)
        for idx in by_row:
            idx.sort(key=lambda i: self.cells[i].col)
        object.__setattr__(self, "_by_row", tuple(tuple(x) for x in by_row))

    @property
    def n_rows(self) -> int:
        return len(self.slots)

    @property
    def n_cols(self) -> int:
        return len(self.slots[0]) if self.slots else 0

    def cell_at(self, row: int, col: int) -> TableCell | None:
        idx = self.slots[row][col]
        return None if idx is None else self.cells[idx]

    def row_cells(self, row: int) -> list[TableCell]:
        """The distinct cells that start in ``row``, left to right."""
        return [self.cells[i] for i in self._by_row[row]]

    def rows_text(self) -> list[list[str]]:
        """Each row as the texts of the cells that start in it (merged cells once)."""
        return [[c.text for c in self.row_cells(r)] for r in range(self.n_rows)]

    def as_text(self) -> str:
        return "\n".join(" | ".join(t.strip() for t in row) for row in self.rows_text())


Block = Paragraph | Table


@dataclass(frozen=True, slots=True)
class Document:
    """What a reader returns: ordered blocks plus how well the file was read."""

    blocks: tuple[Block, ...]
    file_format: FileFormat
    status: Status = Status.OK
    warnings: tuple[str, ...] = ()
    n_pages: int | None = None
    title: str | None = None

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
