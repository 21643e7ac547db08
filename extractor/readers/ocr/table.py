"""Tables on a scanned page: ruling lines → spanned cell grid → OCR'd text boxes placed in cells.

The grid comes from the rules found in the image (:mod:`extractor.readers.ocr.imaging`) through the same
geometry as ruled PDF tables (:func:`extractor.readers.layout.tables.find_cell_groups` and
:func:`extractor.readers.layout.tables.layout_cells`): a rule segment missing between two cells is what merges
them, which gives every merged cell its rowspan and colspan. The grid itself is built by
:func:`extractor.readers.grid.build_table`, so a merged cell's text is stored once.

Text boxes from the detector are cut at cell borders before recognition (:func:`split_boxes`), so
a box that runs over a rule (``0 | 0``) is read as two pieces, each in its own cell, and the rule
itself is never in a crop.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from extractor.model import Provenance, Table
from extractor.readers.grid import RawCell, build_table
from extractor.readers.layout.lines import is_cjk, join_cell_lines, join_texts
from extractor.readers.layout.primitives import Ruling
from extractor.readers.layout.tables import TableLayout, TableSettings, find_cell_groups, layout_cells

log = logging.getLogger(__name__)

BBox = tuple[float, float, float, float]

RULE_TOLERANCE = 0.04  # inches: rule ends this close are snapped, joined and said to meet
RULE_GAP = 0.03  # inches: a vertical rule broken by a gap no longer than this is one rule
RULE_END = 0.03  # inches: a vertical rule's end this close to a horizontal rule meets it
RULE_INSET = 0.012  # inches: half a rule's thickness, kept out of cell crops
MIN_PIECE_SHARE = 0.45  # a piece of a text box narrower than this share of its height is the box's overflow
LINE_OVERLAP = 0.5  # share of the smaller box's height two boxes share to be on one line
CONFUSABLE_PENALTY = 0.9  # confidence factor for a number read with letters that look like digits
# Letters the recogniser returns for lone digits in narrow cells (a lone "0" is often read "o").
_DIGIT_LOOKALIKES = str.maketrans({"o": "0", "O": "0", "○": "0", "〇": "0", "。": "0", "l": "1", "I": "1", "|": "1"})
_NUMBERISH = re.compile(r"^[\d.,oO○〇。lI|]+$")
# A cell read as a few Latin letters and nothing else: these tables print numbers, dashes and CJK
# labels, and the recogniser returns such letters for a digit it cannot make out (0 → Q, D, r).
_SPECK_MARKS = "'`‘’\"·"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_STRAY_LATIN = re.compile(r"^[A-Za-z]{1,3}[.,:;'\"]?$")


@dataclass(frozen=True, slots=True)
class Piece:
    """A text box (or the part of one inside a cell) in pixels, with what was read there."""

    bbox: BBox
    text: str = ""
    confidence: float = 0.0

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]

    @property
    def cx(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2

    @property
    def cy(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2


def _join_collinear(rules: list[Ruling], gap: float) -> list[Ruling]:
    """Vertical rules on one line whose ends are at most ``gap`` apart, joined (a broken rule is one)."""
    columns: list[list[Ruling]] = []
    for r in sorted(rules, key=lambda r: r.x0):
        if columns and r.x0 - columns[-1][-1].x0 <= gap / 2:
            columns[-1].append(r)
        else:
            columns.append([r])
    out: list[Ruling] = []
    for column in columns:
        x = float(np.median([r.x0 for r in column]))
        top, bottom = None, None
        for r in sorted(column, key=lambda r: r.top):
            if top is not None and bottom is not None and r.top - bottom <= gap:
                bottom = max(bottom, r.bottom)
                continue
            if top is not None and bottom is not None:
                out.append(Ruling(x, top, x, bottom))
            top, bottom = r.top, r.bottom
        if top is not None and bottom is not None:
            out.append(Ruling(x, top, x, bottom))
    return out


def cell_borders(rulings: Sequence[Ruling], dpi: float) -> list[Ruling]:
    """The rulings that can be cell borders: every horizontal rule, and each vertical rule that meets
    or crosses at least two horizontal ones, trimmed to the outermost two.

    A table's vertical rules run from rule to rule. The blurred vertical strokes of characters in two
    tight rows can fuse, through the rule between them, into a run as long as a rule; it crosses
    that one rule only. A rule that overshoots into text below the table is cut back to its border.
    """
    horizontal = [r for r in rulings if r.horizontal]
    vertical = _join_collinear([r for r in rulings if not r.horizontal], RULE_GAP * dpi)
    end = RULE_END * dpi
    kept = []
    for v in vertical:
        ys = sorted(
            h.top for h in horizontal if v.top - end <= h.top <= v.bottom + end and h.x0 - end <= v.x0 <= h.x1 + end
        )
        if len(ys) >= 2:
            kept.append(Ruling(v.x0, ys[0], v.x1, ys[-1]))
    return horizontal + kept


def table_layouts(rulings: Sequence[Ruling], dpi: float) -> list[TableLayout]:
    """The page's tables as grids of spanned cells (pixels); a lone framed box is not a table."""
    rulings = cell_borders(rulings, dpi)
    tol = RULE_TOLERANCE * dpi
    settings = TableSettings(snap_tolerance=tol, join_tolerance=tol, edge_min_length=tol, intersection_tolerance=tol)
    layouts = [layout_cells(group) for group in find_cell_groups(rulings, settings)]
    return [lay for lay in layouts if len(lay.cells) > 1]


def _inside(x: float, y: float, bbox: BBox) -> bool:
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def split_boxes(
    boxes: Sequence[BBox], layouts: Sequence[TableLayout], dpi: float
) -> tuple[dict[tuple[int, int], list[BBox]], list[BBox]]:
    """Cut each text box inside a table at the cell borders it crosses.

    Returns the pieces per ``(table index, cell index)`` and the boxes outside every table.
    """
    inset = RULE_INSET * dpi
    per_cell: dict[tuple[int, int], list[BBox]] = {}
    free: list[BBox] = []
    for box in boxes:
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        t = next((i for i, lay in enumerate(layouts) if _inside(cx, cy, lay.bbox)), None)
        if t is None:
            free.append(box)
            continue
        height = box[3] - box[1]
        for c, cell in enumerate(layouts[t].cells):
            x0, top, x1, bottom = cell.bbox
            ix0, ix1 = max(box[0], x0 + inset), min(box[2], x1 - inset)
            it, ib = max(box[1], top + inset), min(box[3], bottom - inset)
            if ix1 - ix0 < MIN_PIECE_SHARE * height or ib - it < LINE_OVERLAP * min(height, bottom - top):
                continue
            per_cell.setdefault((t, c), []).append((ix0, it, ix1, ib))
    return per_cell, free


def group_lines(pieces: Sequence[Piece]) -> list[list[Piece]]:
    """Pieces on the same text line, lines top to bottom, pieces left to right."""
    lines: list[list[Piece]] = []
    for p in sorted(pieces, key=lambda p: p.cy):
        for line in lines:
            ref = line[-1]
            overlap = min(ref.bbox[3], p.bbox[3]) - max(ref.bbox[1], p.bbox[1])
            if overlap >= LINE_OVERLAP * min(ref.height, p.height):
                line.append(p)
                break
        else:
            lines.append([p])
    return [sorted(line, key=lambda p: p.bbox[0]) for line in lines]


def line_text(line: Sequence[Piece]) -> str:
    """The pieces' texts joined, with a space only between two Latin letters or digits."""
    return join_texts((p.text.strip() for p in line), " ", lambda a, b: is_cjk(a) or is_cjk(b))


def as_number(text: str, confidence: float) -> tuple[str, float]:
    """A cell piece made only of digits and digit look-alikes (``o``, ``l``) read as the number.

    Only whole pieces with at least one look-alike or a speck's mark at an end (``'0``) and nothing
    else are changed, and the confidence is lowered; a label such as ``Io`` among CJK text is never a candidate because
    table labels are CJK. A piece that is otherwise a few Latin letters alone (``Q``, ``VLO``) is
    no reading of the cell: its confidence is 0, and the cell is unreadable.
    """
    stripped = text.strip()
    # a speck beside a number is read as a quote mark (``'0``); never a dot, which ends a row
    # label's numbering (``3.`` of 3.补正后…, when the rest of the label is not read)
    bare = stripped.strip(_SPECK_MARKS)
    fixed = bare.translate(_DIGIT_LOOKALIKES)
    if bare and _NUMBERISH.match(bare) and fixed != stripped and _NUMBER.fullmatch(fixed):
        return fixed, confidence * CONFUSABLE_PENALTY
    if _STRAY_LATIN.match(stripped):
        return text, 0.0
    return text, confidence


def fill_table(layout: TableLayout, pieces: dict[int, list[Piece]], page: int | None, scale: float) -> Table:
    """The grid of one table, each cell's text from its recognised pieces, with the lowest confidence."""

    def out(b: BBox) -> BBox:
        return (b[0] * scale, b[1] * scale, b[2] * scale, b[3] * scale)

    rows: list[list[RawCell]] = [[] for _ in range(layout.n_rows)]
    for i, cell in enumerate(layout.cells):
        read = [p for p in pieces.get(i, []) if p.text.strip()]
        text = join_cell_lines([line_text(line) for line in group_lines(read)])
        confidence = min((p.confidence for p in read), default=None)
        rows[cell.row].append(
            RawCell(
                text,
                cell.rowspan,
                cell.colspan,
                Provenance(page=page, bbox=out(cell.bbox)),
                None if confidence is None else round(confidence, 4),
            )
        )
    return build_table(rows, Provenance(page=page, bbox=out(layout.bbox)), method="ocr")
