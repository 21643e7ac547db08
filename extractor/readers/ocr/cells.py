"""What a table cell's crop holds: no ink (a printed blank), or lines of ink to be read.

Blank is an observation: a cell is blank only when its interior holds no ink once the rules
around it, the specks of a scan and the remnants of rules are removed (:func:`cell_lines`). A cell
with ink is always read, however small its text — a lone ``0`` in a narrow cell is the commonest
printed value — so the recogniser sees every inked cell and a cell it cannot read is *unreadable*
(:data:`extractor.model.UNREADABLE`), never blank.

Lengths are in inches and turned into pixels with the page's dpi.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import cv2
import numpy as np

log = logging.getLogger(__name__)

BBox = tuple[float, float, float, float]

CELL_INSET = 0.01  # inches kept clear of a cell's rules (half a rule); what the blur and residual skew
# leave of a rule inside is cleared by :func:`clear_rule_remnants`
INK_CONTRAST = 55  # grey levels below the paper that are surely print (where the page's running text is)
INK_LOW = 25  # grey levels below the paper that count as ink in a cell (a faint 9 pt stroke's edge) ...
INK_HIGH = 45  # ... within ``INK_REACH`` of a pixel at least this dark (a stroke's edge, not the faint
# strokes of a seal or paper grain that touch it)
INK_REACH = 0.02  # inches
SPECK_SIZE = 0.055  # inches: ink no longer or taller than this is a speck or dust, not a character (a
# digit of 9 pt text is 0.09 tall)
MINUS_ASPECT = 2.0  # a speck-sized stroke this many times wider than tall ...
MINUS_GAP = 0.03  # ... at most this far (inches) left of a character, level with its middle, is a minus
EDGE_DEPTH = 0.025  # inches from a crop's edge where rows (columns) inked across most of it are a rule's
EDGE_COVER = 0.6  # share of the crop's width (height) that makes an edge row (column) a rule's remnant
RULE_REMNANT = 0.012  # inches: a thinner run along a crop's edge is what is left of a rule
LINE_SPAN = 1.3  # a text line is at most this many times the page's typical ink height tall
DASH_HEIGHT = 0.04  # inches: a dash is no thicker than this ...
DASH_ASPECT = 2.5  # ... and at least this many times as long as it is thick
STRAY_RULE = 0.8  # a run across this share of a cell's width or height ...
RULE_ASPECT = 6.0  # ... this many times longer than thick ...
STRAY_LENGTH = 0.25  # ... and longer than this (inches; a ``1`` is a fifth of it) is a rule, not a character
LINE_SHARE = 0.5  # a component joins a line it overlaps by at least this share of its own height
WORD_GAP = 3.0  # line heights of blank between two runs of ink on one line that are read apart
LINE_CUT = 0.6  # a component taller than a line is cut no nearer its ends than this many line heights
LINE_MARGIN = 0.25  # share of a line's height kept around its ink when cropping it


@dataclass(frozen=True, slots=True)
class Ink:
    """One component of ink in a cell: its bbox in page pixels."""

    x0: int
    top: int
    x1: int
    bottom: int
    dark: tuple[int, ...] = field(default=(), compare=False)  # its dark pixels in each of its rows

    @property
    def height(self) -> int:
        return self.bottom - self.top


def _px(inches: float, dpi: float) -> int:
    return max(1, round(inches * dpi))


def interior(cell: BBox, dpi: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The cell's box shrunk clear of its rules, clipped to the page (integer pixels)."""
    inset = CELL_INSET * dpi
    h, w = shape[:2]
    x0, top = max(0, int(np.ceil(cell[0] + inset))), max(0, int(np.ceil(cell[1] + inset)))
    x1, bottom = min(w, int(cell[2] - inset)), min(h, int(cell[3] - inset))
    return x0, top, max(x0, x1), max(top, bottom)


def clear_rule_remnants(mask: np.ndarray, dpi: float) -> None:
    """Clear, in place, the rows (columns) within ``EDGE_DEPTH`` of the mask's top and bottom (left
    and right) edges that are inked across most of its width (height): what is left of the rule
    there, blurred or skewed into the crop. Text touching the rule keeps its other pixels."""
    h, w = mask.shape
    depth = _px(EDGE_DEPTH, dpi)
    rows = mask.mean(axis=1) >= EDGE_COVER
    cols = mask.mean(axis=0) >= EDGE_COVER
    for edge in (*range(min(depth, h)), *range(max(0, h - depth), h)):
        if rows[edge]:
            mask[edge] = 0
    for edge in (*range(min(depth, w)), *range(max(0, w - depth), w)):
        if cols[edge]:
            mask[:, edge] = 0


def cell_ink(contrast: np.ndarray, cell: BBox, dpi: float) -> list[Ink]:
    """The ink components inside a cell, without specks and rule remnants (page pixels).

    Ink is traced down to ``INK_LOW`` next to pixels of at least ``INK_HIGH`` (hysteresis): the thin
    strokes of a small, faint character break apart at any single threshold high enough to ignore
    the paper, and a character's pieces are each as small as a speck.
    """
    x0, top, x1, bottom = interior(cell, dpi, contrast.shape)
    if x1 - x0 < 2 or bottom - top < 2:
        return []
    region = contrast[top:bottom, x0:x1]
    reach = 2 * _px(INK_REACH, dpi) + 1
    strong = cv2.dilate((region >= INK_HIGH).astype(np.uint8), np.ones((reach, reach), np.uint8))
    mask = ((region >= INK_LOW) & (strong > 0)).astype(np.uint8)
    clear_rule_remnants(mask, dpi)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    peak = np.zeros(n, np.int32)
    np.maximum.at(peak, labels.ravel().astype(np.intp), np.where(mask.ravel() > 0, region.ravel(), 0))
    speck, thin = _px(SPECK_SIZE, dpi), _px(RULE_REMNANT, dpi)
    h, w = mask.shape
    out = []
    small = []
    for label, (x, y, cw, ch, _) in enumerate(stats[1:n], start=1):
        if peak[label] < INK_HIGH:
            continue  # paper grain
        if cw <= speck and ch <= speck:
            if cw >= MINUS_ASPECT * ch:
                small.append(Ink(x0 + int(x), top + int(y), x0 + int(x + cw), top + int(y + ch)))
            continue  # a speck or a dust spot (or a minus sign, kept below)
        along_edge = (ch <= thin and (y == 0 or y + ch >= h)) or (cw <= thin and (x == 0 or x + cw >= w))
        longest = max(cw, ch) >= STRAY_LENGTH * dpi  # longer than any character
        across = longest and (
            (ch >= STRAY_RULE * h and ch >= RULE_ASPECT * cw) or (cw >= STRAY_RULE * w and cw >= RULE_ASPECT * ch)
        )
        if along_edge or across:
            continue  # what is left of a rule the inset did not clear, or a rule the grid did not take
        dark = ((labels[y : y + ch] == label) & (region[y : y + ch] >= INK_HIGH)).sum(axis=1)
        out.append(Ink(x0 + int(x), top + int(y), x0 + int(x + cw), top + int(y + ch), tuple(int(v) for v in dark)))
    return out + [m for m in small if _is_minus(m, out, dpi)]


def _is_minus(mark: Ink, ink: list[Ink], dpi: float) -> bool:
    """A short flat stroke just left of a character and level with its middle: a minus sign, which
    is no bigger than a speck."""
    mid = (mark.top + mark.bottom) / 2
    return any(
        0 <= c.x0 - mark.x1 <= MINUS_GAP * dpi
        and c.height >= 2 * mark.height
        and c.top + c.height / 4 <= mid <= c.bottom - c.height / 4
        for c in ink
    )


def cut_lines(comp: Ink, line_height: float) -> list[Ink]:
    """A component taller than a text line (``LINE_SPAN × line_height``) cut into lines at its rows
    with the fewest dark pixels.

    Traced down to faint pixels, the characters of two lines set close in a cell (结 above 维)
    touch through their blurred strokes and are one component; where the lines meet, few of its
    pixels are dark. A cut is never nearer an end than ``LINE_CUT`` line heights."""
    if comp.height <= LINE_SPAN * line_height or len(comp.dark) != comp.height:
        return [comp]
    lo = int(LINE_CUT * line_height)
    hi = comp.height - lo
    if hi <= lo:
        return [comp]
    at = lo + int(np.argmin(comp.dark[lo:hi]))
    above = Ink(comp.x0, comp.top, comp.x1, comp.top + at, comp.dark[:at])
    below = Ink(comp.x0, comp.top + at, comp.x1, comp.bottom, comp.dark[at:])
    return cut_lines(above, line_height) + cut_lines(below, line_height)


def ink_lines(ink: list[Ink], line_height: float) -> list[list[Ink]]:
    """The components grouped into text lines, top to bottom (those taller than a line cut first).

    A component joins the line above when it overlaps it by half its own height (``LINE_SHARE``;
    the blurred tails of the line above reach into the next one when lines are set close) or the
    line stays no taller than ``LINE_SPAN × line_height``: the strokes of 三 or 二 are separate
    bands, a text line is one. A line is split where its ink is apart by more than ``WORD_GAP`` line
    heights; the runs are read one by one and joined again in the cell, left to right.
    """
    bands: list[list[Ink]] = []
    pieces = [piece for comp in ink for piece in cut_lines(comp, line_height)]
    for comp in sorted(pieces, key=lambda c: c.top):
        if bands:
            band = bands[-1]
            top, bottom = min(c.top for c in band), max(c.bottom for c in band)
            overlaps = bottom - comp.top >= LINE_SHARE * comp.height
            fits = max(bottom, comp.bottom) - top <= LINE_SPAN * line_height
            if overlaps or fits:
                band.append(comp)
                continue
        bands.append([comp])
    return [run for band in bands for run in _runs(band, WORD_GAP * line_height)]


def _runs(line: list[Ink], gap: float) -> list[list[Ink]]:
    """A line's components in runs apart by more than ``gap`` (a label and its number in one merged
    cell are read apart: together in one crop the recogniser drops part of either)."""
    runs: list[list[Ink]] = []
    right = -np.inf
    for comp in sorted(line, key=lambda c: c.x0):
        if runs and comp.x0 - right <= gap:
            runs[-1].append(comp)
        else:
            runs.append([comp])
        right = max(right, comp.x1)
    return runs


def is_dash(line: list[Ink], dpi: float) -> bool:
    """A line that is one thin horizontal stroke: a printed dash (—), which the recogniser reads as
    nothing or as 一."""
    if len(line) != 1:
        return False
    c = line[0]
    return c.height <= DASH_HEIGHT * dpi and (c.x1 - c.x0) >= DASH_ASPECT * c.height


def line_box(line: list[Ink], shape: tuple[int, ...]) -> BBox:
    """A text line's crop: its ink plus a margin of a quarter of its height (page pixels)."""
    top, bottom = min(c.top for c in line), max(c.bottom for c in line)
    margin = max(2.0, LINE_MARGIN * (bottom - top))
    h, w = shape[:2]
    return (
        max(0.0, min(c.x0 for c in line) - margin),
        max(0.0, top - margin),
        min(float(w), max(c.x1 for c in line) + margin),
        min(float(h), bottom + margin),
    )


def typical_height(inks: list[list[Ink]]) -> float:
    """The page's typical text height: the median of the tallest component per inked cell."""
    heights = [max(c.height for c in ink) for ink in inks if ink]
    return float(np.median(heights)) if heights else 1.0


def cell_crop(page: np.ndarray, box: BBox, cell: BBox, dpi: float) -> np.ndarray:
    """The pixels of a text line's ``box`` inside its ``cell``: what lies outside the cell's interior
    (the rules around it, the next cell's text) is painted as paper, so text that touches a rule is
    read whole and the rule never is."""
    x0, top, x1, bottom = (int(v) for v in box)
    x1, bottom = max(x1, x0 + 1), max(bottom, top + 1)
    out = np.full((bottom - top, x1 - x0, *page.shape[2:]), 255, page.dtype)
    ix0, itop, ix1, ibottom = interior(cell, dpi, page.shape)
    cx0, ctop, cx1, cbottom = max(x0, ix0), max(top, itop), min(x1, ix1), min(bottom, ibottom)
    if cx1 > cx0 and cbottom > ctop:
        out[ctop - top : cbottom - top, cx0 - x0 : cx1 - x0] = page[ctop:cbottom, cx0:cx1]
    return out


def crop(image: np.ndarray, box: BBox) -> np.ndarray:
    """The pixels of ``box`` (page pixels, clipped to the image)."""
    h, w = image.shape[:2]
    x0, top = max(0, int(box[0])), max(0, int(box[1]))
    x1, bottom = min(w, int(np.ceil(box[2]))), min(h, int(np.ceil(box[3])))
    return image[top : max(bottom, top + 1), x0 : max(x1, x0 + 1)]
