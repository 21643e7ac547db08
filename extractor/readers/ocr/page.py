"""OCR of a scanned page into the document model: text lines and ruled tables with spans.

Pipeline for one page (:func:`ocr_page` is the thin orchestrator):

1. :mod:`extractor.readers.ocr.imaging`: grey → deskew (projection profile) → binarise → rule masks → rulings.
2. :func:`extractor.readers.ocr.table.table_layouts`: rulings → spanned cell grids (the ruled-PDF geometry).
3. :meth:`extractor.readers.ocr.engine.Engine.detect`: text boxes on the deskewed page.
4. :func:`extractor.readers.ocr.table.split_boxes`: boxes cut at cell borders; the rest is running text.
5. :meth:`extractor.readers.ocr.engine.Engine.recognise`: every piece read in one batched pass.
6. :func:`extractor.readers.ocr.table.fill_table` builds ``method="ocr"`` tables through
   :func:`extractor.readers.grid.build_table`; running text is grouped into lines.

Coordinates: everything is measured in pixels of the deskewed image and multiplied by ``scale`` on
the way out — ``72 / dpi`` for a rendered PDF page (so bboxes are PDF points like the text-layer
pages), ``1`` for an image file (bboxes in pixels of the image). Every table cell and text line
carries the recogniser's confidence (the lowest of its pieces). The form is not known here: the
same rules map OCR tables as any other grid.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from extractor.model import UNREADABLE, Paragraph, Provenance, Table
from extractor.readers.cjk import CN_NUMERAL
from extractor.readers.layout.lines import Line
from extractor.readers.layout.tables import TableLayout
from extractor.readers.ocr.cells import INK_CONTRAST, cell_ink, crop, ink_lines, is_dash, line_box, typical_height
from extractor.readers.ocr.engine import Recognised, engine
from extractor.readers.ocr.imaging import ImageSettings, estimate_skew, find_rulings, ink_contrast, rotate, to_gray
from extractor.readers.ocr.table import (
    BBox,
    Piece,
    as_number,
    fill_table,
    group_lines,
    line_text,
    table_layouts,
)

log = logging.getLogger(__name__)

PDF_DPI = 200  # PDF pages without a usable text layer are rendered at this resolution
DETECT_DPI = 150  # the text detector sees pages at most this sharp (reading uses the full image)
IMAGE_DPI = 150  # assumed for image files that do not record their resolution
MIN_DPI = 72
MAX_DPI = 600
STRIP_GAP = 0.25  # inches: rows of paper at least this tall outside the tables split the text into strips
STRIP_MARGIN = 0.08  # inches of paper kept around a strip's ink for the detector
STRIP_INK = 2  # pixels of ink a row needs to count as printed (a speck or two of dust does not)
MIN_CONFIDENCE = 0.3  # pieces read with less confidence than this are dropped as noise
MAX_PIXELS = 60_000_000  # larger images are refused (a decompression bomb, not a page)
DASH = "—"
_DASH_READINGS = frozenset({"一", "-", "—", "－", "–", "_", "ー", "一一", "--"})
# A numbered heading's enumeration comma is often read as a dot (``四·政府信息公开…``).
_NUMBERED_HEADING = re.compile(rf"^({CN_NUMERAL}{{1,3}})[·・.．,，](?=[\u4e00-\u9fff])")


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """Settings of the OCR reader."""

    pdf_dpi: int = PDF_DPI
    image_dpi: int = IMAGE_DPI
    detect_dpi: int = DETECT_DPI
    min_confidence: float = MIN_CONFIDENCE
    max_pixels: int = MAX_PIXELS
    image: ImageSettings = field(default_factory=ImageSettings)

    def __post_init__(self) -> None:
        for name in ("pdf_dpi", "image_dpi", "detect_dpi"):
            if not MIN_DPI <= getattr(self, name) <= MAX_DPI:
                raise ValueError(f"OcrSettings.{name} must be in [{MIN_DPI}, {MAX_DPI}]")
        if not 0 <= self.min_confidence < 1:
            raise ValueError("OcrSettings.min_confidence must be in [0, 1)")


DEFAULT_SETTINGS = OcrSettings()


@dataclass(frozen=True, slots=True)
class OcrLine(Line):
    """A line of running text read by OCR, with the recogniser's confidence (the lowest of its pieces)."""

    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class OcrPage:
    """One OCR'd page: its tables and lines of running text, in output units (see ``scale``)."""

    number: int
    width: float
    height: float
    tables: list[Table]
    lines: list[OcrLine]
    skew: float  # degrees the page was rotated to deskew it
    seconds: float


def _bbox(quad: np.ndarray) -> BBox:
    return float(quad[:, 0].min()), float(quad[:, 1].min()), float(quad[:, 0].max()), float(quad[:, 1].max())


def _dashlike(text: str) -> str:
    """A cell read as a lone horizontal stroke (``一``, ``-``) prints a dash."""
    return DASH if text.strip() in _DASH_READINGS else text


def _read_cells(layouts: list[TableLayout], contrast: np.ndarray, dpi: float) -> list[tuple[int, int, BBox, bool]]:
    """Every inked cell's text lines as ``(table, cell, crop box, is a dash)``.

    A cell with no ink left once rules and specks are removed yields nothing: it is printed blank.
    """
    inked = {
        (t, c): cell_ink(contrast, cell.bbox, dpi) for t, lay in enumerate(layouts) for c, cell in enumerate(lay.cells)
    }
    height = typical_height(list(inked.values()))
    out = []
    for (t, c), ink in inked.items():
        for line in ink_lines(ink, height):
            out.append((t, c, line_box(line, contrast.shape), is_dash(line, dpi)))
    return out


def _mask_tables(image: np.ndarray, layouts: list[TableLayout]) -> np.ndarray:
    """The page with its tables painted over as paper: the detector looks for running text only."""
    out = image.copy()
    for lay in layouts:
        x0, top, x1, bottom = (int(v) for v in lay.bbox)
        out[max(0, top) : bottom + 1, max(0, x0) : x1 + 1] = 255
    return out


def _strips(masked: np.ndarray, dpi: float) -> list[tuple[int, int, int, int]]:
    """Where the page (tables masked) has ink: bands of printed rows, split at rows of paper
    ``STRIP_GAP`` tall, each cut to its ink's width, with ``STRIP_MARGIN`` of paper around.

    The detector sees only these strips: its cost grows with the pixels it sees, and margins,
    tables and the paper between paragraphs hold no running text.
    """
    ink = masked <= 255 - INK_CONTRAST
    rows = np.flatnonzero(np.count_nonzero(ink, axis=1) >= STRIP_INK)
    if not rows.size:
        return []
    h, w = masked.shape[:2]
    margin = round(STRIP_MARGIN * dpi)
    breaks = np.flatnonzero(np.diff(rows) > STRIP_GAP * dpi)
    out = []
    for first, last in zip(np.r_[0, breaks + 1], np.r_[breaks, rows.size - 1], strict=True):
        top, bottom = max(0, rows[first] - margin), min(h, rows[last] + 1 + margin)
        cols = np.flatnonzero(ink[top:bottom].any(axis=0))
        out.append((max(0, int(cols[0]) - margin), int(top), min(w, int(cols[-1]) + 1 + margin), int(bottom)))
    return out


def _detect(masked: np.ndarray, dpi: float, detect_dpi: float) -> list[BBox]:
    """Boxes of running text on the page with its tables masked, strip by strip (page pixels)."""
    eng, scale = engine(), min(1.0, detect_dpi / dpi)
    out = []
    for x0, top, x1, bottom in _strips(masked, dpi):
        for quad in eng.detect(masked[top:bottom, x0:x1], scale):
            b = _bbox(quad)
            out.append((b[0] + x0, b[1] + top, b[2] + x0, b[3] + top))
    return out


def ocr_page(
    image: np.ndarray, number: int, dpi: float, scale: float, settings: OcrSettings = DEFAULT_SETTINGS
) -> OcrPage:
    """OCR one page image (grey, BGR or BGRA) at ``dpi``; coordinates come out multiplied by ``scale``."""
    start = time.process_time()
    gray = to_gray(image)
    skew = estimate_skew(gray, settings.image)
    gray = rotate(gray, skew)
    contrast = ink_contrast(gray, dpi, settings.image)
    rulings = find_rulings(contrast, dpi, settings.image)
    layouts = table_layouts(rulings, dpi)
    page = cv2.subtract(np.full_like(contrast, 255), contrast)  # paper-normalised: white paper, dark ink

    eng = engine()
    cells = _read_cells(layouts, contrast, dpi)
    free = _detect(_mask_tables(page, layouts), dpi, settings.detect_dpi)
    to_read = [box for _, _, box, dash in cells if not dash] + free
    read = iter(eng.recognise([crop(page, b) for b in to_read]))

    pieces: dict[int, dict[int, list[Piece]]] = {}
    for t, c, box, dash in cells:
        rec = Recognised(DASH, 1.0) if dash else next(read)
        text, confidence = as_number(_dashlike(rec.text), rec.confidence)
        if confidence < settings.min_confidence or not text.strip():
            text, confidence = UNREADABLE, 0.0  # ink that no reading explains: not a blank
            log.debug(
                "page %d: ink no reading explains in the cell at %s (read %r, confidence %.2f)",
                number,
                tuple(round(v * scale, 1) for v in box),
                rec.text,
                rec.confidence,
            )
        pieces.setdefault(t, {}).setdefault(c, []).append(Piece(box, text, confidence))
    tables = [fill_table(lay, pieces.get(t, {}), number, scale) for t, lay in enumerate(layouts)]

    free_pieces = [
        Piece(b, r.text, r.confidence)
        for b, r in zip(free, read, strict=True)
        if r.confidence >= settings.min_confidence and r.text.strip()
    ]
    lines: list[OcrLine] = []
    for group in group_lines(free_pieces):
        text = _NUMBERED_HEADING.sub(r"\1、", line_text(group))
        if not text:
            continue
        x0 = min(p.bbox[0] for p in group) * scale
        top = min(p.bbox[1] for p in group) * scale
        x1 = max(p.bbox[2] for p in group) * scale
        bottom = max(p.bbox[3] for p in group) * scale
        lines.append(OcrLine(text, x0, top, x1, bottom, (), round(min(p.confidence for p in group), 4)))
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    seconds = time.process_time() - start
    log.debug(
        "page %d: skew %.2f°, %d tables, %d lines, %d pieces, %.1fs",
        number,
        skew,
        len(tables),
        len(lines),
        len(to_read),
        seconds,
    )
    return OcrPage(number, gray.shape[1] * scale, gray.shape[0] * scale, tables, lines, skew, seconds)


def page_blocks(page: OcrPage, furniture: list[bool]) -> list[Table | Paragraph]:
    """The page's blocks in reading order (tables and kept lines by their top edge)."""
    keyed: list[tuple[float, float, Table | Paragraph]] = []
    for table in page.tables:
        bbox = table.prov.bbox or (0.0, 0.0, 0.0, 0.0)
        keyed.append((bbox[1], bbox[0], table))
    for ln, is_furniture in zip(page.lines, furniture, strict=True):
        if not is_furniture:
            keyed.append((ln.top, ln.x0, Paragraph(ln.text, Provenance(page=page.number, bbox=ln.bbox), ln.confidence)))
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [block for _, _, block in keyed]
