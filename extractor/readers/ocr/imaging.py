"""A scanned page image made ready for OCR: grey, deskewed, binarised, its ruling lines found.

Pure functions on numpy arrays (OpenCV), in pipeline order:
:func:`to_gray` → :func:`estimate_skew` / :func:`rotate` → :func:`ink_contrast` → :func:`find_rulings`
(:func:`horizontal_rules`, :func:`vertical_rules`). Lengths are given in inches and turned into
pixels with the page's dpi, so the same settings serve 150 and 300 dpi scans.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import cv2
import numpy as np

from extractor.readers.layout.primitives import Ruling

log = logging.getLogger(__name__)

MAX_SKEW = 3.0  # degrees: larger rotations are not a scanner's skew (and are not corrected)
SKEW_STEP = 0.1  # degrees: coarse search step, refined to a fifth of it
SKEW_WIDTH = 900  # pixels: the page is scaled to this width to estimate the skew
STAMP_MIN = 30  # a pixel at least this colourful (brightest minus darkest channel, grey levels) ...
# ... and more colourful than it is dark is stamp ink (see :func:`drop_stamp`)
PAPER_WINDOW = 0.1  # inches: the paper's shade is the brightest pixel this close
H_CONTRAST = 30  # grey levels darker than the paper a horizontal rule's pixels are (a faint 1-px rule
# blurred by a scanner is ~50 darker at its centre)
V_CONTRAST = 45  # the same for vertical rules: higher, so that the blurred strokes of characters in
# successive rows do not fuse into a false rule across the horizontal rule between them
SIDE_NEAR = 0.02  # inches beside a vertical run where ink joined to it is looked for ...
SIDE_FAR = 0.04  # ... up to this far
SIDE_INKED = 0.25  # a vertical run with ink beside it along more than this share of its length is strokes
H_LINE_MIN = 0.5  # inches: the shortest horizontal run taken for a rule (a CJK character is ~0.15)
H_GAP = 0.03  # inches: a horizontal rule is followed past gaps this long (breaks, JPEG dips) to its end
V_SHARE = 0.5  # faint vertical runs are looked for at this share of the horizontal rules' darkness ...
V_CONTRAST_MIN = 28  # ... but never below this (grey levels)
RULE_BAND = 3  # pixels above and below a horizontal rule's centre where its darkness is measured
ALIGN = 0.03  # inches: a faint vertical run this close to a clear rule's line continues that rule
FRAME_RULES = 3  # horizontal rules ending on one line that make it a side of a table's frame ...
FRAME_INKED = 0.8  # ... kept as a rule when inked along this share of it
WIDTH_WINDOW = 0.03  # inches each side of a vertical run where its width is measured
WIDTH_MAX = 0.03  # inches: a vertical run wider than this (median over its length) is character strokes
V_LINE_MIN = 0.3  # inches: the shortest vertical run taken for a rule (table rows are ~0.18)


@dataclass(frozen=True, slots=True)
class ImageSettings:
    """How a page image is cleaned and where its rules are looked for."""

    max_skew: float = MAX_SKEW
    skew_step: float = SKEW_STEP
    paper_window: float = PAPER_WINDOW
    h_contrast: int = H_CONTRAST
    v_contrast: int = V_CONTRAST
    h_line_min: float = H_LINE_MIN
    v_line_min: float = V_LINE_MIN

    def __post_init__(self) -> None:
        if not 0 <= self.max_skew <= 10:
            raise ValueError("ImageSettings.max_skew must be in [0, 10] degrees")
        if self.skew_step <= 0:
            raise ValueError("ImageSettings.skew_step must be positive")
        for name in ("paper_window", "h_line_min", "v_line_min"):
            if getattr(self, name) <= 0:
                raise ValueError(f"ImageSettings.{name} must be positive")


def to_gray(image: np.ndarray) -> np.ndarray:
    """An 8-bit single-channel copy of a grey, BGR or BGRA image.

    A colour pixel's grey is its brightest channel: black print stays dark in every channel, while
    a red seal (or any coloured stamp or pen) is bright in its own channel and drops out as paper.
    """
    if image.dtype != np.uint8:  # 16-bit or float scans: stretch to 0–255
        lo, hi = float(image.min()), float(image.max())
        image = ((image.astype(np.float64) - lo) * (255.0 / max(hi - lo, 1e-9))).astype(np.uint8)
    if image.ndim == 2:
        return image
    return np.ascontiguousarray(image[:, :, :3].max(axis=2))


def colourfulness(image: np.ndarray) -> np.ndarray | None:
    """Brightest minus darkest channel of a colour image (8-bit); ``None`` for a grey one."""
    if image.ndim == 2 or image.dtype != np.uint8:
        return None
    rgb = image[:, :, :3]
    return cv2.subtract(rgb.max(axis=2), rgb.min(axis=2))


def drop_stamp(contrast: np.ndarray, colour: np.ndarray | None) -> np.ndarray:
    """``contrast`` with the pixels of coloured stamp ink set to paper (``colour``: the page's
    :func:`colourfulness`, rotated like ``contrast``).

    The grey of :func:`to_gray` keeps a seal's strokes ~30–60 grey levels dark (stamp ink dims its
    own channel too, and JPEG's halved colour resolution thins the colour of fine strokes): as dark
    as faint 9 pt print, and joined to the digits they cross. A stroke of stamp ink is more
    colourful than it is dark; print is grey (its colourfulness is JPEG noise), and print under a
    seal is darker than the seal is colourful, so it stays. Used for reading cells, not for
    finding rules (a rule under a seal is kept whole by the rule finder's own tolerances).
    """
    if colour is None:
        return contrast
    stamp = (colour >= STAMP_MIN) & (contrast <= colour)
    return np.where(stamp, np.uint8(0), contrast)


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """The image rotated by ``angle`` degrees (counter-clockwise as displayed), same size, paper-filled."""
    if abs(angle) < 1e-3:
        return gray
    h, w = gray.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = int(np.median(gray[: max(1, h // 50)]))  # the paper's own shade from the top margin
    return cv2.warpAffine(
        gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border
    )


def _sharpness(ink: np.ndarray, angle: float) -> float:
    """How crisp the row profile is after rotating by ``angle``: rules and text lines give peaks."""
    profile = rotate(ink, angle).sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(profile)).sum())


def estimate_skew(gray: np.ndarray, settings: ImageSettings) -> float:
    """The rotation (degrees) that makes the page's rows horizontal, by the projection profile."""
    if settings.max_skew == 0:
        return 0.0
    scale = min(1.0, SKEW_WIDTH / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    _, ink = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    ink = ink.astype(np.uint8)
    step = settings.skew_step
    coarse = np.arange(-settings.max_skew, settings.max_skew + step / 2, step)
    best = max(coarse, key=lambda a: _sharpness(ink, float(a)))
    fine = np.arange(best - step, best + step + step / 10, step / 5)
    angle = float(max(fine, key=lambda a: _sharpness(ink, float(a))))
    log.debug("skew %.2f°", angle)
    return angle


def ink_contrast(gray: np.ndarray, dpi: float, settings: ImageSettings) -> np.ndarray:
    """How much darker each pixel is than the paper around it (0 = paper).

    The paper's local shade is estimated with a max filter (text and rules are thin, so the
    brightest pixel nearby is paper); unlike a mean threshold this keeps rules whole next to dense
    text, and grey backgrounds and uneven lighting drop out.
    """
    size = max(3, int(settings.paper_window * dpi) | 1)
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    paper = cv2.dilate(smooth, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    return cv2.subtract(paper, smooth)


def _px(inches: float, dpi: float) -> int:
    return max(1, round(inches * dpi))


def horizontal_rules(contrast: np.ndarray, dpi: float, settings: ImageSettings) -> list[Ruling]:
    """Horizontal rules: runs at least ``h_line_min`` long (morphological opening), each followed
    along its own line past gaps of at most ``H_GAP`` to its end.

    A rule printed faint or broken loses short pieces to the length filter: the piece between a
    break and the table's frame would otherwise be gone, the rule would not meet the frame, and the
    table would fall apart into row groups without their last column."""
    _, ink = cv2.threshold(contrast, settings.h_contrast, 255, cv2.THRESH_BINARY)
    mask = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (_px(settings.h_line_min, dpi), 1))
    )
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    gap = _px(H_GAP, dpi)
    out = []
    for x, y, w, h, _ in stats[1:n]:
        band = ink[max(0, y - 1) : y + h + 1].max(axis=0) > 0
        x0, x1 = _trace(band, x, -1, gap), _trace(band, x + w - 1, 1, gap)
        out.append(Ruling(float(x0), y + h / 2, float(x1 + 1), y + h / 2))
    return out


def _trace(inked: np.ndarray, start: int, step: int, gap: int) -> int:
    """The last inked index reached from ``start`` in direction ``step`` across gaps of at most ``gap``."""
    last, i = start, start + step
    while 0 <= i < inked.size and abs(i - last) <= gap + 1:
        if inked[i]:
            last = i
        i += step
    return last


def _side_inked(ink: np.ndarray, x: int, y: int, w: int, h: int, dpi: float) -> float:
    """Share of a vertical run's rows with ink just beside it on both sides (0–1)."""
    near, far = _px(SIDE_NEAR, dpi), _px(SIDE_FAR, dpi)
    rows = ink[y : y + h]
    left = rows[:, max(0, x - far) : max(0, x - near)]
    right = rows[:, x + w + near : x + w + far]
    if not (left.size and right.size and h):
        return 0.0
    return float((left.any(axis=1) & right.any(axis=1)).mean())


def _profile_width(contrast: np.ndarray, x: int, y: int, h: int, dpi: float) -> float:
    """Median width (pixels) of a vertical run across its length: in each row, the pixels beside the
    run's centre at least half as dark as the darkest there."""
    half = _px(WIDTH_WINDOW, dpi)
    window = contrast[y : y + h, max(0, x - half) : x + half + 1].astype(np.int16)
    if not window.size:
        return 0.0
    peak = window.max(axis=1, keepdims=True)
    return float(np.median((2 * window >= peak).sum(axis=1)))


def vertical_rules(contrast: np.ndarray, dpi: float, settings: ImageSettings) -> list[Ruling]:
    """Vertical rules: runs at least ``v_line_min`` long (morphological opening), clear at their sides.

    Their contrast threshold is higher than the horizontal rules' (see ``V_CONTRAST``): a table's
    rows are barely taller than its text, and the blurred strokes of characters in successive rows
    fuse, through the horizontal rule between them, into a run as long as a rule. A character's
    stroke has other strokes joined to it on both sides along much of its length; a rule has ink on
    both sides only where it crosses a horizontal rule (text may run up to it on one side). Nor is a
    rule wider than ``WIDTH_MAX`` along most of its length, while strokes of like characters (行, 政)
    stacked in rows, as dark as a rule or darker, are as wide as the character's strokes together.
    """
    _, ink = cv2.threshold(contrast, settings.v_contrast, 255, cv2.THRESH_BINARY)
    mask = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, _px(settings.v_line_min, dpi)))
    )
    _, faint = cv2.threshold(contrast, settings.h_contrast, 1, cv2.THRESH_BINARY)
    flat = cv2.morphologyEx(
        faint, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (_px(settings.h_line_min, dpi), 1))
    )
    crossing = cv2.dilate(flat, np.ones((2 * _px(SIDE_NEAR, dpi) + 1, 1), np.uint8))
    strokes = np.logical_and(faint > 0, crossing == 0)  # ink, but not a horizontal rule's
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [
        Ruling(x + w / 2, float(y), x + w / 2, float(y + h))
        for x, y, w, h, _ in stats[1:n]
        if _side_inked(strokes, x, y, w, h, dpi) <= SIDE_INKED
        and _profile_width(contrast, x + w // 2, y, h, dpi) <= WIDTH_MAX * dpi
    ]


def rule_darkness(contrast: np.ndarray, rules: list[Ruling]) -> float | None:
    """How much darker than the paper the page's horizontal rules are at their centre (median)."""
    levels = []
    for r in rules:
        y, x0, x1 = int(r.top), int(r.x0), int(r.x1)
        band = contrast[max(0, y - RULE_BAND) : y + RULE_BAND + 1, x0:x1]
        if band.size:
            levels.append(float(np.median(band.max(axis=0))))
    return float(np.median(levels)) if levels else None


def find_rulings(contrast: np.ndarray, dpi: float, settings: ImageSettings) -> list[Ruling]:
    """The page's visible rules (pixels), horizontal then vertical.

    Vertical rules are found twice. First at ``v_contrast``; then, on a page whose rules came out
    faint (worn toner: the horizontal rules, found reliably by their length, are dark by less than
    ``v_contrast / V_SHARE``), again at ``V_SHARE`` of the horizontal rules' darkness. A faint run is
    kept only on the line of a clear one (within ``ALIGN``): it completes a column border found
    elsewhere on the page (the form's grid is regular) and never adds a border of its own.
    """
    horizontal = horizontal_rules(contrast, dpi, settings)
    strong = vertical_rules(contrast, dpi, settings)
    level = rule_darkness(contrast, horizontal)
    if level is None:
        return horizontal + strong
    v = int(min(settings.v_contrast, max(V_CONTRAST_MIN, V_SHARE * level)))
    if v >= settings.v_contrast:
        return horizontal + strong + frame_sides(contrast, horizontal, strong, dpi)
    faint = vertical_rules(contrast, dpi, replace(settings, v_contrast=v))
    xs = np.array(sorted(r.x0 for r in strong))
    tol = ALIGN * dpi
    kept = [r for r in faint if xs.size and np.abs(xs - r.x0).min() <= tol]
    log.debug("rule darkness %.0f: %d of %d faint vertical runs align with a strong rule", level, len(kept), len(faint))
    return horizontal + strong + kept + frame_sides(contrast, horizontal, strong + kept, dpi)


def frame_sides(contrast: np.ndarray, horizontal: list[Ruling], vertical: list[Ruling], dpi: float) -> list[Ruling]:
    """The left and right sides of a table's frame that the vertical rules missed (worn away).

    At least ``FRAME_RULES`` horizontal rules ending on one line (within ``ALIGN``) are a table's
    frame side; between two of them where no vertical rule runs there, one is added if the line is
    inked (at least ``V_CONTRAST_MIN``) along ``FRAME_INKED`` of the way: a side worn too faint to
    be found as a rule, but there (the gap between two tables is not inked along it)."""
    tol = ALIGN * dpi
    out: list[Ruling] = []
    for ends in ([r.x0 for r in horizontal], [r.x1 for r in horizontal]):
        order = np.argsort(ends)
        groups: list[list[int]] = []
        for i in order:
            if groups and ends[i] - ends[groups[-1][-1]] <= tol:
                groups[-1].append(int(i))
            else:
                groups.append([int(i)])
        for group in groups:
            if len(group) < FRAME_RULES:
                continue
            x = float(np.median([ends[i] for i in group]))
            ys = sorted(horizontal[i].top for i in group)
            half = max(1, round(tol / 2))
            start = None
            for a, b in zip(ys, [*ys[1:], None], strict=True):
                ok = False
                if b is not None and not any(
                    abs(r.x0 - x) <= tol and r.top <= a + tol and r.bottom >= b - tol for r in vertical
                ):
                    band = contrast[int(a) : int(b) + 1, max(0, int(x) - half) : int(x) + half + 1]
                    ok = bool(band.size) and float((band.max(axis=1) >= V_CONTRAST_MIN).mean()) >= FRAME_INKED
                if ok and start is None:
                    start = a
                elif not ok and start is not None:
                    out.append(Ruling(x, start, x, a))
                    start = None
    return out
