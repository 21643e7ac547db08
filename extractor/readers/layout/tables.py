"""Ruled tables on a PDF page: visible rules → cells → grids with real row and column spans.

The geometry follows pdfplumber's pipeline (``merge_edges`` → ``edges_to_intersections`` →
``intersections_to_cells`` → ``cells_to_tables``), fed with the page's *visible* rules only (see
:mod:`extractor.readers.pdf.page`). Each table's cells are then placed on the grid formed by the table's
distinct cell edges, which gives every merged cell its rowspan and colspan; the grid itself is
built by :func:`extractor.readers.grid.build_table`, so a merged cell's text is stored once.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

from extractor.model import Provenance, Table
from extractor.readers.grid import RawCell, build_table
from extractor.readers.layout.lines import join_cell_lines, make_lines
from extractor.readers.layout.primitives import Glyph, Ruling

log = logging.getLogger(__name__)

SNAP_TOLERANCE = 3.0  # rules closer than this (points) are snapped onto one line (pdfplumber default)
JOIN_TOLERANCE = 3.0  # collinear rules with a gap up to this are joined (pdfplumber default)
EDGE_MIN_LENGTH = 3.0  # shorter rules are ticks, not table borders (pdfplumber default)
INTERSECTION_TOLERANCE = 3.0  # a rule ending this close to another still meets it (pdfplumber default)
GRID_TOLERANCE = 1.0  # cell edges closer than this belong to the same grid line
EDGE_MIN_LENGTH_PREFILTER = 1.0  # rules shorter than this are dots of a drawing (pdfplumber default)
MIN_TABLE_EXTENT = 8.0  # points: a "table" lower or narrower than one line of text is a drawing
MAX_RULINGS = 3000  # more rules than this on a page is a vector drawing, not a form's tables


@dataclass(frozen=True, slots=True)
class TableSettings:
    """How rules become cells. Defaults are pdfplumber's, which suit Word and WPS exports."""

    snap_tolerance: float = SNAP_TOLERANCE
    join_tolerance: float = JOIN_TOLERANCE
    edge_min_length: float = EDGE_MIN_LENGTH
    intersection_tolerance: float = INTERSECTION_TOLERANCE
    edge_min_length_prefilter: float = EDGE_MIN_LENGTH_PREFILTER
    max_rulings: int = MAX_RULINGS

    def __post_init__(self) -> None:
        if self.max_rulings < 4:
            raise ValueError("TableSettings.max_rulings must be at least 4 (two across, two down)")
        for name in (
            "snap_tolerance",
            "join_tolerance",
            "edge_min_length",
            "intersection_tolerance",
            "edge_min_length_prefilter",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"TableSettings.{name} must be non-negative")


BBox = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class PlacedCell:
    """A physical cell on its table's grid."""

    bbox: BBox
    row: int
    col: int
    rowspan: int
    colspan: int


@dataclass(frozen=True, slots=True)
class TableLayout:
    """A table's grid lines and cells, before any text is put in."""

    bbox: BBox
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    cells: tuple[PlacedCell, ...]

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1


def rulings_to_edges(rulings: Sequence[Ruling]) -> list[dict[str, Any]]:
    """Rules as the edge dicts pdfplumber's table functions expect."""
    edges = []
    for r in rulings:
        edges.append(
            {
                "x0": r.x0,
                "x1": r.x1,
                "top": r.top,
                "bottom": r.bottom,
                "doctop": r.top,
                "width": r.x1 - r.x0,
                "height": r.bottom - r.top,
                "orientation": "h" if r.horizontal else "v",
                "object_type": "line",
            }
        )
    return edges


def has_grid(rulings: Sequence[Ruling]) -> bool:
    """Whether a page has enough rules to hold a table (two across and two down)."""
    h = sum(1 for r in rulings if r.horizontal)
    return h >= 2 and len(rulings) - h >= 2


def _edge(x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    return rulings_to_edges([Ruling(x0, top, x1, bottom)])[0]


def close_open_ends(edges: list[dict[str, Any]], tolerance: float) -> list[dict[str, Any]]:
    """Add the missing top or bottom border of a table cut by a page break.

    Word and WPS leave a table's last row on a page (and its first row on the next) without a
    horizontal rule, so the vertical rules end in the air and that row would fall out of the
    grid. Where two or more vertical rules end in the air at the same height (no horizontal
    rule meets their end), a rule joining those ends is added.
    """
    verticals = [e for e in edges if e["orientation"] == "v"]
    horizontals = [e for e in edges if e["orientation"] == "h"]

    def in_the_air(x: float, y: float) -> bool:
        return not any(
            abs(h["top"] - y) <= tolerance and h["x0"] - tolerance <= x <= h["x1"] + tolerance for h in horizontals
        )

    added: list[dict[str, Any]] = []
    for key in ("top", "bottom"):
        loose = sorted((v for v in verticals if in_the_air(v["x0"], v[key])), key=lambda e: e[key])
        groups: list[list[dict[str, Any]]] = []
        for v in loose:
            if groups and v[key] - groups[-1][-1][key] <= tolerance:
                groups[-1].append(v)
            else:
                groups.append([v])
        for group in groups:
            if len(group) >= 2:
                y = sum(v[key] for v in group) / len(group)
                added.append(_edge(min(v["x0"] for v in group), y, max(v["x0"] for v in group), y))
    return edges + added


def find_cell_groups(rulings: Sequence[Ruling], settings: TableSettings) -> list[list[BBox]]:
    """Cells (as bboxes) of each table on the page, tables top to bottom."""
    if not has_grid(rulings):
        return []
    edges = merge_edges(
        rulings_to_edges(rulings),
        settings.snap_tolerance,
        settings.snap_tolerance,
        settings.join_tolerance,
        settings.join_tolerance,
    )
    edges = close_open_ends(edges, settings.snap_tolerance)
    edges = merge_edges(
        edges, settings.snap_tolerance, settings.snap_tolerance, settings.join_tolerance, settings.join_tolerance
    )
    edges = [
        e
        for e in edges
        if (e["x1"] - e["x0"] if e["orientation"] == "h" else e["bottom"] - e["top"]) >= settings.edge_min_length
    ]
    tol = settings.intersection_tolerance
    intersections = edges_to_intersections(edges, tol, tol)
    return cells_to_tables(intersections_to_cells(intersections))


def _grid_lines(values: Sequence[float], tolerance: float = GRID_TOLERANCE) -> tuple[float, ...]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return tuple(out)


def _index(lines: Sequence[float], value: float, tolerance: float = GRID_TOLERANCE) -> int:
    i = bisect.bisect_left(lines, value - tolerance)
    return min(i, len(lines) - 1)


def layout_cells(cells: Sequence[BBox]) -> TableLayout:
    """Place cells on the grid of the table's distinct edges; spans follow from the edges a cell
    crosses. Slots no cell covers become empty cells, so every slot has exactly one owner."""
    xs = _grid_lines([c[0] for c in cells] + [c[2] for c in cells])
    ys = _grid_lines([c[1] for c in cells] + [c[3] for c in cells])
    owner: dict[tuple[int, int], int] = {}
    placed: list[PlacedCell] = []
    for x0, top, x1, bottom in sorted(cells, key=lambda c: (c[1], c[0])):
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 <= c0 or r1 <= r0:
            continue
        slots = [(r, c) for r in range(r0, r1) for c in range(c0, c1)]
        if any(s in owner for s in slots):  # overlapping cells: the first (top-left) wins
            log.debug("overlapping table cell at %s dropped", (x0, top, x1, bottom))
            continue
        for s in slots:
            owner[s] = len(placed)
        placed.append(PlacedCell((x0, top, x1, bottom), r0, c0, r1 - r0, c1 - c0))
    for r in range(len(ys) - 1):
        for c in range(len(xs) - 1):
            if (r, c) not in owner:
                owner[(r, c)] = len(placed)
                placed.append(PlacedCell((xs[c], ys[r], xs[c + 1], ys[r + 1]), r, c, 1, 1))
    placed.sort(key=lambda p: (p.row, p.col))
    return TableLayout((xs[0], ys[0], xs[-1], ys[-1]), xs, ys, tuple(placed))


def _inside(g: Glyph, bbox: BBox) -> bool:
    return bbox[0] <= g.cx <= bbox[2] and bbox[1] <= g.cy <= bbox[3]


def fill_table(layout: TableLayout, glyphs: Sequence[Glyph], page: int) -> Table:
    """Put each glyph (by its centre) into the cell covering it and build the grid."""
    slot_owner: dict[tuple[int, int], int] = {}
    for i, cell in enumerate(layout.cells):
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                slot_owner[(r, c)] = i
    per_cell: list[list[Glyph]] = [[] for _ in layout.cells]
    for g in glyphs:  # glyphs on the outer border belong to the nearest edge cell, not nowhere
        c = min(max(bisect.bisect_right(layout.xs, g.cx) - 1, 0), layout.n_cols - 1)
        r = min(max(bisect.bisect_right(layout.ys, g.cy) - 1, 0), layout.n_rows - 1)
        per_cell[slot_owner[(r, c)]].append(g)
    rows: list[list[RawCell]] = [[] for _ in range(layout.n_rows)]
    for cell, cell_glyphs in zip(layout.cells, per_cell, strict=True):
        text = join_cell_lines([line.text for line in make_lines(cell_glyphs)])
        prov = Provenance(page=page, bbox=cell.bbox)
        rows[cell.row].append(RawCell(text, cell.rowspan, cell.colspan, prov))
    table = build_table(rows, Provenance(page=page, bbox=layout.bbox))
    if any((tc.row, tc.col) != (pc.row, pc.col) for tc, pc in zip(table.cells, layout.cells, strict=True)):
        log.warning("page %d: table cells did not land where the rules put them", page)
    return table


class TooManyRulings(Exception):
    """The page draws more rules than a form's tables ever need (a vector map or chart)."""


def read_tables(
    rulings: Sequence[Ruling], glyphs: Sequence[Glyph], page: int, settings: TableSettings
) -> tuple[list[Table], list[Glyph]]:
    """The page's ruled tables and the glyphs left outside them.

    A "table" of a single cell is a frame drawn around text, not a grid: its glyphs stay with the
    running text. Raises :class:`TooManyRulings` rather than spend minutes on a vector drawing
    (intersecting rules is quadratic).
    """
    minimum = settings.edge_min_length_prefilter
    rulings = [r for r in rulings if max(r.x1 - r.x0, r.bottom - r.top) >= minimum]
    if len(rulings) > settings.max_rulings:
        raise TooManyRulings(f"{len(rulings)} rules")
    layouts = [layout_cells(group) for group in find_cell_groups(rulings, settings)]
    layouts = [
        lay
        for lay in layouts
        if len(lay.cells) > 1 and min(lay.bbox[2] - lay.bbox[0], lay.bbox[3] - lay.bbox[1]) >= MIN_TABLE_EXTENT
    ]
    if not layouts:
        return [], list(glyphs)
    tables: list[Table] = []
    outside = list(glyphs)
    for lay in layouts:
        inside = [g for g in outside if _inside(g, lay.bbox)]
        outside = [g for g in outside if not _inside(g, lay.bbox)]
        tables.append(fill_table(lay, inside, page))
    return tables, outside
