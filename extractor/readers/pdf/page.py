"""The raw content of one PDF page, read once with PDFium: glyphs and visible ruling segments.

PDFium (through pypdfium2) reads a page's text layer and drawing objects about twenty times faster
than pdfminer, so the PDF reader parses every page here exactly once and works on these plain
records afterwards. Coordinates are converted to pdfplumber's convention: PDF points, origin at
the top left of the visible page (the crop box).

Only what a person sees as a rule becomes a :class:`Ruling`: stroked straight segments and thin
filled bars in a dark enough colour. Word and WPS paint white background rectangles behind every
paragraph line and table cell; those are not rules, and taking them for rules is what makes a
plain pdfplumber ``find_tables`` see tables in running text.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractor.readers.layout.primitives import Glyph, Ruling

log = logging.getLogger(__name__)

THIN_RULE = 2.5  # a filled bar at most this thick (points) is drawn as a rule
CURVED_PATH_MIN_RULE = 20.0  # points: shorter straight pieces of a curved path are glyph strokes
AXIS_TOLERANCE = 1.0  # a segment this far off horizontal/vertical still counts as axis-aligned
WHITE_LEVEL = 235  # colour channels all at or above this (0-255) are background, not ink
MAX_FORM_DEPTH = 8  # nested Form XObjects deeper than this are hostile and not walked
ASCENT_EM = 0.88  # a glyph's box spans from this many ems above its baseline ...
DESCENT_EM = 0.12  # ... to this many below (pdfminer's convention, 1 em tall)
MIN_EM, MAX_EM = 1.0, 300.0  # points: font sizes outside this are broken, not text
EM_MAX_RATIO = 2.0  # an em more than this times the loose box height is not believed
LOOSE_BOX_SUSPECT = 24.0  # points: only a loose box wider than this is checked against the glyph
LOOSE_BOX_MAX_RATIO = 10.0  # a loose glyph box this many times wider than the glyph is implausible
LOOSE_BOX_SLACK = 10.0  # points added to that limit: full-width ，、· are narrow ink in a wide box
SKEW_TOLERANCE = math.radians(3)  # glyphs further than this from a right angle are watermarks
PRIVATE_USE = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))


@dataclass(frozen=True, slots=True)
class PageContent:
    """Everything the reader needs from one page."""

    number: int  # 1-based
    width: float
    height: float
    glyphs: tuple[Glyph, ...]
    rulings: tuple[Ruling, ...]
    bad_glyphs: int  # glyphs without a usable Unicode mapping (``(cid:N)``, private use, U+FFFD)
    n_images: int
    skewed_glyphs: int = 0  # glyphs set at a slant (diagonal watermarks), left out
    image_cover: float = 0.0  # share of the page covered by its largest image (1.0 for a scan)


@dataclass(frozen=True, slots=True)
class PageFrame:
    """Maps PDF user space (y up) to the page as displayed: crop box, ``/Rotate``, y down."""

    left: float
    bottom: float
    right: float
    top: float
    rotation: int = 0  # clockwise degrees, 0/90/180/270

    @property
    def width(self) -> float:
        return self.top - self.bottom if self.rotation in (90, 270) else self.right - self.left

    @property
    def height(self) -> float:
        return self.right - self.left if self.rotation in (90, 270) else self.top - self.bottom

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 90:
            return y - self.bottom, x - self.left
        if self.rotation == 180:
            return self.right - x, y - self.bottom
        if self.rotation == 270:
            return self.top - y, self.right - x
        return x - self.left, self.top - y

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """A user-space box as ``(x0, top, x1, bottom)`` on the displayed page."""
        ax, ay = self.point(x0, y0)
        bx, by = self.point(x1, y1)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def is_garbage_char(ch: str) -> bool:
    """A character that carries no text: private-use glyph codes or the replacement character."""
    cp = ord(ch)
    return cp == 0xFFFD or cp == 0 or any(lo <= cp <= hi for lo, hi in PRIVATE_USE)


def _matmul(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, ...]:
    """``a`` applied after ``b`` for PDF matrices ``(a, b, c, d, e, f)``."""
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    return (
        b0 * a0 + b1 * a2,
        b0 * a1 + b1 * a3,
        b2 * a0 + b3 * a2,
        b2 * a1 + b3 * a3,
        b4 * a0 + b5 * a2 + a4,
        b4 * a1 + b5 * a3 + a5,
    )


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _matrix(obj: pdfium_c.FPDF_PAGEOBJECT) -> tuple[float, ...]:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _color(getter: object, obj: pdfium_c.FPDF_PAGEOBJECT) -> tuple[int, int, int, int] | None:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):  # type: ignore[operator]
        return None
    return r.value, g.value, b.value, a.value


def _is_ink(color: tuple[int, int, int, int] | None) -> bool:
    """True for a colour a reader sees on white paper (not transparent, not near white)."""
    if color is None:
        return True  # pattern or unknown colour space: assume it is visible
    r, g, b, a = color
    return a > 0 and min(r, g, b) < WHITE_LEVEL


@dataclass(slots=True)
class _Path:
    """A path's straight sub-paths in page space, and whether it also had curves."""

    subpaths: list[list[tuple[float, float]]]
    curved: bool


def _path_points(obj: pdfium_c.FPDF_PAGEOBJECT, ctm: tuple[float, ...]) -> _Path:
    """The path's straight sub-paths as lists of points in page space (a curve ends a sub-path)."""
    subpaths: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    curved = False
    x, y = ctypes.c_float(), ctypes.c_float()
    a, b, c, d, e, f = ctm
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        pt = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            if len(current) > 1:
                subpaths.append(current)
            current = [pt]
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            current.append(pt)
            if pdfium_c.FPDFPathSegment_GetClose(seg) and current[0] != pt:
                current.append(current[0])
        else:  # Bézier: not a rule; break the sub-path here
            curved = True
            if len(current) > 1:
                subpaths.append(current)
            current = [pt]
    if len(current) > 1:
        subpaths.append(current)
    return _Path(subpaths, curved)


def _rectangle(pts: list[tuple[float, float]]) -> tuple[float, float, float, float] | None:
    """The bounds of a sub-path that is an axis-aligned rectangle, else None."""
    corners = pts[:-1] if len(pts) == 5 and pts[0] == pts[-1] else pts
    if len(corners) != 4:
        return None
    xs = sorted({round(p[0], 1) for p in corners})
    ys = sorted({round(p[1], 1) for p in corners})
    if len(xs) > 2 or len(ys) > 2:
        return None
    return xs[0], ys[0], xs[-1], ys[-1]


class _PageReader:
    """Walks one page's objects (into Form XObjects) collecting rulings and image counts."""

    def __init__(self, frame: PageFrame) -> None:
        self.frame = frame
        self.rulings: list[Ruling] = []
        self.n_images = 0
        self.largest_image = 0.0  # area in square points

    def _add(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """Add a segment given in PDF user space (y up)."""
        xa, ta, xb, tb = self.frame.box(x0, y0, x1, y1)
        if xb - xa <= AXIS_TOLERANCE and tb - ta > AXIS_TOLERANCE:
            mid = (xa + xb) / 2
            self.rulings.append(Ruling(mid, ta, mid, tb))
        elif tb - ta <= AXIS_TOLERANCE and xb - xa > AXIS_TOLERANCE:
            mid = (ta + tb) / 2
            self.rulings.append(Ruling(xa, mid, xb, mid))

    def path(self, obj: pdfium_c.FPDF_PAGEOBJECT, ctm: tuple[float, ...]) -> None:
        fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
        if not pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke):
            return
        stroked = bool(stroke.value) and _is_ink(_color(pdfium_c.FPDFPageObj_GetStrokeColor, obj))
        filled = bool(fill_mode.value) and _is_ink(_color(pdfium_c.FPDFPageObj_GetFillColor, obj))
        if not (stroked or filled):
            return
        path = _path_points(obj, ctm)
        if stroked:
            # a path with curves is a shape or a glyph outline (text converted to paths, stroked
            # for bold): only its long straight stretches can be rules, say of a rounded box
            shortest = CURVED_PATH_MIN_RULE if path.curved else 0.0
            for pts in path.subpaths:
                for (xa, ya), (xb, yb) in itertools.pairwise(pts):
                    if abs(xb - xa) + abs(yb - ya) >= shortest:
                        self._add(xa, ya, xb, yb)
            return
        # Filled: only a plain thin rectangle is a rule (Word and LibreOffice draw borders so).
        # Any other filled shape — a glyph drawn as outlines, a logo — has no rules in it.
        rects = [_rectangle(pts) for pts in path.subpaths]
        if path.curved or any(r is None for r in rects):
            return
        for r in rects:
            assert r is not None
            x0, y0, x1, y1 = r
            w, h = x1 - x0, y1 - y0
            if h <= THIN_RULE < w:
                self._add(x0, (y0 + y1) / 2, x1, (y0 + y1) / 2)
            elif w <= THIN_RULE < h:
                self._add((x0 + x1) / 2, y0, (x0 + x1) / 2, y1)

    def image(self, ctm: tuple[float, ...]) -> None:
        """An image is drawn into the unit square mapped by ``ctm``: note its area on the page."""
        self.n_images += 1
        a, b, c, d, e, f = ctm
        corners = [self.frame.point(a * x + c * y + e, b * x + d * y + f) for x, y in ((0, 0), (1, 1))]
        (x0, t0), (x1, t1) = corners
        w = min(max(x0, x1), self.frame.width) - max(min(x0, x1), 0.0)
        h = min(max(t0, t1), self.frame.height) - max(min(t0, t1), 0.0)
        if w > 0 and h > 0:
            self.largest_image = max(self.largest_image, w * h)

    def walk(self, objects: Iterator[pdfium_c.FPDF_PAGEOBJECT], ctm: tuple[float, ...], depth: int) -> None:
        for obj in objects:
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                self.path(obj, _matmul(ctm, _matrix(obj)))
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                self.image(_matmul(ctm, _matrix(obj)))
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
                form_ctm = _matmul(ctm, _matrix(obj))
                n = pdfium_c.FPDFFormObj_CountObjects(obj)
                self.walk((pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(n)), form_ctm, depth + 1)


class _GlyphBoxes:
    """Boxes of a text page's glyphs on the displayed page (reusing PDFium's output buffers)."""

    def __init__(self, raw: pdfium_c.FPDF_TEXTPAGE, frame: PageFrame) -> None:
        self.raw = raw
        self.frame = frame
        self.rect = pdfium_c.FS_RECTF()
        self.tight = tuple(ctypes.c_double() for _ in range(4))  # left, right, bottom, top
        self.origin = (ctypes.c_double(), ctypes.c_double())
        self.matrix = pdfium_c.FS_MATRIX()

    def em(self, i: int) -> float:
        """The glyph's font size on the page in points: the nominal size times the text
        matrix's scale (WPS writes size 240 with a 0.05 matrix), or 0 when unknown."""
        size = pdfium_c.FPDFText_GetFontSize(self.raw, i)
        m = self.matrix
        if size <= 0 or not pdfium_c.FPDFText_GetMatrix(self.raw, i, m):
            return 0.0
        return float(size * math.sqrt(abs(m.a * m.d - m.b * m.c)))

    def box(self, i: int) -> tuple[float, float, float, float] | None:
        """``(x0, top, x1, bottom)``: the advance width across, one em from the baseline down."""
        raw, rect = self.raw, self.rect
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect):
            return None
        x0, y0, x1, y1 = rect.left, rect.bottom, rect.right, rect.top
        tl, tr, tb, tt = self.tight
        if x1 - x0 > LOOSE_BOX_SUSPECT and pdfium_c.FPDFText_GetCharBox(raw, i, tl, tr, tb, tt):
            # PDFium's loose box is wrong for glyphs drawn in vertical writing mode (a label
            # written top to bottom came out 199 pt square, 170 pt off); the tight box is right.
            cx, cy = (tl.value + tr.value) / 2, (tb.value + tt.value) / 2
            too_wide = x1 - x0 > LOOSE_BOX_MAX_RATIO * (tr.value - tl.value) + LOOSE_BOX_SLACK
            if too_wide or not (x0 <= cx <= x1 and y0 <= cy <= y1):
                x0, x1, y0, y1 = tl.value, tr.value, tb.value, tt.value
        gx0, top, gx1, bottom = self.frame.box(x0, y0, x1, y1)
        em = self.em(i)
        ox, oy = self.origin
        if MIN_EM <= em <= min(MAX_EM, EM_MAX_RATIO * (bottom - top) + 1) and pdfium_c.FPDFText_GetCharOrigin(
            raw, i, ox, oy
        ):
            # The loose box's height comes from the font's ascent and descent, which some
            # producers (Cairo, Type 3 fonts) set to three times the size: lines would merge.
            # One em from the baseline, as pdfminer does, is the same for every font.
            _, base = self.frame.point(ox.value, oy.value)
            top, bottom = base - ASCENT_EM * em, base + DESCENT_EM * em
        return gx0, top, gx1, bottom


def _glyphs(textpage: pdfium.PdfTextPage, frame: PageFrame) -> tuple[list[Glyph], int, int]:
    """Usable glyphs, the number without a Unicode mapping, and the number set at a slant."""
    raw = textpage.raw
    boxes = _GlyphBoxes(raw, frame)
    glyphs: list[Glyph] = []
    bad = skewed = 0
    space = False
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        cp = pdfium_c.FPDFText_GetUnicode(raw, i)
        ch = chr(cp) if 0 <= cp < 0x110000 else "\ufffd"
        if ch in (" ", "\t", "\u3000", "\xa0"):  # real or PDFium-inferred word space
            space = True
            continue
        if ch in ("\r", "\n") or pdfium_c.FPDFText_IsGenerated(raw, i):
            space = False  # line breaks are re-derived from the geometry
            continue
        angle = pdfium_c.FPDFText_GetCharAngle(raw, i)
        if angle >= 0 and abs(math.remainder(angle, math.pi / 2)) > SKEW_TOLERANCE:
            skewed += 1  # diagonal watermark text, not part of the reading flow
            continue
        if pdfium_c.FPDFText_HasUnicodeMapError(raw, i) == 1 or is_garbage_char(ch):
            bad += 1
            continue
        box = boxes.box(i)
        if box is not None:
            glyphs.append(Glyph(ch, *box, space))
            space = False
    return glyphs, bad, skewed


def read_page(page: pdfium.PdfPage, number: int) -> PageContent:
    """Read one page's glyphs and rulings, in points on the page as displayed (crop box,
    ``/Rotate`` applied, origin top left)."""
    left, bottom, right, top = page.get_cropbox()
    rotation = page.get_rotation() % 360
    frame = PageFrame(left, bottom, right, top, rotation if rotation in (90, 180, 270) else 0)
    textpage = page.get_textpage()
    try:
        glyphs, bad, skewed = _glyphs(textpage, frame)
    finally:
        textpage.close()
    reader = _PageReader(frame)
    n = pdfium_c.FPDFPage_CountObjects(page.raw)
    reader.walk((pdfium_c.FPDFPage_GetObject(page.raw, i) for i in range(n)), _IDENTITY, 0)
    cover = reader.largest_image / (frame.width * frame.height) if frame.width * frame.height else 0.0
    return PageContent(
        number,
        frame.width,
        frame.height,
        tuple(glyphs),
        tuple(reader.rulings),
        bad,
        reader.n_images,
        skewed,
        min(cover, 1.0),
    )
