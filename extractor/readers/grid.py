"""Build a :class:`~extractor.model.Table` from rows of physical cells with spans.

This is the one place where rowspan/colspan are expanded. Every grid slot records the index of
the cell covering it; the cell's text stays with the cell, once (unlike pandas, which copies it
into every covered slot and would double-count a merged number).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from extractor.model import Provenance, Table, TableCell

MAX_SPAN = 1000  # hostile markup such as rowspan="99999999" is clipped


@dataclass(frozen=True, slots=True)
class RawCell:
    """A cell as a reader sees it, before placement on the grid."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    prov: Provenance = field(default_factory=Provenance)
    confidence: float | None = None  # the recogniser's, for OCR'd cells


def _clip(span: int) -> int:
    return max(1, min(int(span), MAX_SPAN))


def build_table(rows: Sequence[Sequence[RawCell]], prov: Provenance | None = None, method: str | None = None) -> Table:
    """Place raw cells on a grid, honouring row and column spans (HTML table model)."""
    cells: list[TableCell] = []
    occupied: dict[tuple[int, int], int] = {}
    n_cols = 0
    for r, row in enumerate(rows):
        c = 0
        for raw in row:
            while (r, c) in occupied:
                c += 1
            rowspan, colspan = _clip(raw.rowspan), _clip(raw.colspan)
            rowspan = min(rowspan, len(rows) - r)  # a span past the last row stops there
            idx = len(cells)
            cells.append(TableCell(raw.text, r, c, rowspan, colspan, raw.prov, raw.confidence))
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied[(r + dr, c + dc)] = idx
            c += colspan
            n_cols = max(n_cols, c)
    n_cols = max([n_cols] + [cc + 1 for (_, cc) in occupied])
    slots = tuple(tuple(occupied.get((r, c)) for c in range(n_cols)) for r in range(len(rows)))
    return Table(cells=tuple(cells), slots=slots, prov=prov or Provenance(), method=method)
