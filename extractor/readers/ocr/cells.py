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
from dataclasses import dataclass

import cv2
import numpy as np

log = logging.getLogger(__name__)

BBox = tuple[float, float, float, float]

CELL_INSET = 0.02  # inches kept clear of a cell's rules (half a rule, a scanner's blur, residual skew)
INK_CONTRAST = 55  # grey levels below the paper that count as ink in a cell
SPECK_SIZE = 0.045  # inches: ink no longer or taller than this is a speck or dust, not a character
RULE_REMNANT = 0.012  # inches: a thinner run along a crop's edge is what is left of a rule
LINE_SPAN = 1.3  # a text line is at most this many times the page's typical ink height tall
DASH_HEIGHT = 0.04  # inches: a dash is no thicker than this ...
DASH_ASPECT = 2.5  # ... and at least this many times as long as it is thick
STRAY_RULE = 0.8  # a run across this share of a cell's width or height ...
RULE_ASPECT = 6.0  # ... this many times longer than thick ...
STRAY_LENGTH = 0.25  # ... and longer than this (inches; a ``1`` is a fifth of it) is a rule, not a character
LINE_MARGIN = 0.25  # share of a line's height kept around its ink when cropping it


@dataclass(frozen=True, slots=True)
class Ink:
    """One component of ink in a cell: its bbox in page pixels."""

    x0: int
    top: int
    x1: int
    bottom: int

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


def cell_ink(contrast: np.ndarray, cell: BBox, dpi: float) -> list[Ink]:
    """The ink components inside a cell, without specks and rule remnants (page pixels)."""
    x0, top, x1, bottom = interior(cell, dpi, contrast.shape)
    if x1 - x0 < 2 or bottom - top < 2:
        return []
    mask = (contrast[top:bottom, x0:x1] >= INK_CONTRAST).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    speck, thin = _px(SPECK_SIZE, dpi), _px(RULE_REMNANT, dpi)
    h, w = mask.shape
    out = []
    for x, y, cw, ch, _ in stats[1:n]:
        if cw <= speck and ch <= speck:
            continue  # a speck or a dust spot
        along_edge = (ch <= thin and (y == 0 or y + ch >= h)) or (cw <= thin and (x == 0 or x + cw >= w))
        longest = max(cw, ch) >= STRAY_LENGTH * dpi  # longer than any character
        across = longest and (
            (ch >= STRAY_RULE * h and ch >= RULE_ASPECT * cw) or (cw >= STRAY_RULE * w and cw >= RULE_ASPECT * ch)
        )
        if along_edge or across:
            continue  # what is left of a rule the inset did not clear, or a rule the grid did not take
        out.append(Ink(x0 + int(x), top + int(y), x0 + int(x + cw), top + int(y + ch)))
    return out


def ink_lines(ink: list[Ink], line_height: float) -> list[list[Ink]]:
    """The components grouped into text lines, top to bottom.

    Bands of overlapping components are merged while the line stays no taller than
    ``LINE_SPAN × line_height``: the strokes of 三 or 二 are separate bands, a text line is one.
    """
    bands: list[list[Ink]] = []
    for comp in sorted(ink, key=lambda c: c.top):
        if bands:
            band = bands[-1]
            top, bottom = min(c.top for c in band), max(c.bottom for c in band)
            overlaps = comp.top < bottom
            fits = max(bottom, comp.bottom) - top <= LINE_SPAN * line_height
            if overlaps or fits:
                band.append(comp)
                continue
        bands.append([comp])
    return bands


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


def crop(image: np.ndarray, box: BBox) -> np.ndarray:
    """The pixels of ``box`` (page pixels, clipped to the image)."""
    h, w = image.shape[:2]
    x0, top = max(0, int(box[0])), max(0, int(box[1]))
    x1, bottom = min(w, int(np.ceil(box[2]))), min(h, int(np.ceil(box[3])))
    return image[top : max(bottom, top + 1), x0 : max(x1, x0 + 1)]
