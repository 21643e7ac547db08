"""Image files (PNG, JPEG, TIFF; multi-page TIFF as pages) read by OCR into a :class:`Document`.

Bboxes are in pixels of each page image, origin top left. The resolution recorded in the file is
used to size the OCR's rule and text thresholds; files that record none are taken to be
``OcrSettings.image_dpi``.
"""

from __future__ import annotations

import io
import logging
import math
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from extractor.errors import ExtractionError
from extractor.model import Block, Document, FileFormat
from extractor.readers.layout.furniture import FurnitureSettings, furniture_flags
from extractor.readers.ocr.imaging import to_gray
from extractor.readers.ocr.page import DEFAULT_SETTINGS, MAX_DPI, MIN_DPI, OcrPage, OcrSettings, ocr_page, page_blocks

log = logging.getLogger(__name__)

MAX_FRAMES = 200  # a TIFF with more pages than this is not a report
# Larger pages are shrunk (by a whole factor) before OCR: OCR needs about 140 bytes per pixel, so a
# page just under the decoding limit (60 Mpx, a 16 KB PNG can be that) took 8.5 GB; 12 Mpx is A4 at
# 350 dpi and stays under 2 GB.
OCR_MAX_PIXELS = 12_000_000


def _dpi(frame: Image.Image, default: int) -> float:
    dpi = frame.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    return value if MIN_DPI <= value <= MAX_DPI else float(default)


def _bounded(frame: Image.Image) -> tuple[Image.Image, float]:
    """The page shrunk to at most :data:`OCR_MAX_PIXELS` (JPEG decoded small directly), and the
    factor it was shrunk by (1.0: as it is)."""
    w, h = frame.size
    if w * h <= OCR_MAX_PIXELS:
        return frame, 1.0
    want = math.sqrt(w * h / OCR_MAX_PIXELS)
    frame.draft(_mode(frame), (math.floor(w / want), math.floor(h / want)))
    if frame.mode in ("1", "P"):  # ``reduce`` needs grey or colour
        frame = frame.convert(_mode(frame))
    rest = math.ceil(math.sqrt(frame.size[0] * frame.size[1] / OCR_MAX_PIXELS))
    if rest > 1:
        frame = frame.reduce(rest)
    log.info("a %d×%d px page shrunk to %d×%d before OCR", w, h, *frame.size)
    return frame, w / frame.size[0]


def _mode(frame: Image.Image) -> str:
    return "L" if frame.mode in ("1", "L", "LA") else "RGB"


def image_pages(data: bytes, settings: OcrSettings = DEFAULT_SETTINGS) -> list[tuple[np.ndarray, float]]:
    """Each page (frame) of the image as an 8-bit grey array with its dpi."""
    return [(pixels, dpi) for pixels, dpi, _ in scaled_image_pages(data, settings)]


def scaled_image_pages(data: bytes, settings: OcrSettings = DEFAULT_SETTINGS) -> list[tuple[np.ndarray, float, float]]:
    """Each page (frame) of the image as an 8-bit grey array with its dpi and the factor it was shrunk
    by (sizes are checked before decoding; pages over :data:`OCR_MAX_PIXELS` are shrunk)."""
    Image.MAX_IMAGE_PIXELS = settings.max_pixels  # Pillow's own check stays, as a backstop
    too_big = f"more than the {settings.max_pixels / 1e6:.0f} Mpx a page scan can have; not read"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the check below says it
            img = Image.open(io.BytesIO(data))
        pages = []
        for i, frame in enumerate(ImageSequence.Iterator(img)):
            if i >= MAX_FRAMES:
                raise ExtractionError(f"the image has more than {MAX_FRAMES} pages")
            w, h = frame.size
            if w * h > settings.max_pixels:
                raise ExtractionError(f"the image is {w}×{h} pixels ({w * h / 1e6:.0f} Mpx), {too_big}")
            dpi = _dpi(frame, settings.image_dpi)
            frame, factor = _bounded(frame)
            # 16-bit and float frames keep their range (``convert("L")`` would clip them white)
            # colour frames keep their colour until to_gray (a red seal drops out there)
            pixels = np.asarray(frame) if frame.mode[0] in "IF" else np.asarray(frame.convert(_mode(frame)))
            pages.append((to_gray(pixels), dpi / factor, factor))
    except Image.DecompressionBombError as exc:  # over twice the limit: Pillow refuses to open it
        raise ExtractionError(f"the image is {too_big}") from exc
    except UnidentifiedImageError as exc:
        raise ExtractionError("the image cannot be read (not a PNG, JPEG or TIFF image Pillow recognises)") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ExtractionError(f"the image is damaged or truncated ({exc})") from exc
    return pages


def read_image(data: bytes, path: Path, settings: OcrSettings = DEFAULT_SETTINGS) -> Document:
    """OCR every page of a PNG, JPEG or TIFF file."""
    pages: list[OcrPage] = [
        ocr_page(image, i + 1, dpi, factor, settings)  # bboxes in the file's own pixels
        for i, (image, dpi, factor) in enumerate(scaled_image_pages(data, settings))
    ]
    if not any(p.tables or p.lines for p in pages):
        raise ExtractionError("OCR found no text in the image")
    flags = furniture_flags([(p.height, p.lines) for p in pages], FurnitureSettings())
    blocks: list[Block] = []
    for page, page_flags in zip(pages, flags, strict=True):
        blocks.extend(page_blocks(page, page_flags))
    log.debug("%s: %d pages OCR'd in %.1fs", path.name, len(pages), sum(p.seconds for p in pages))
    return Document(blocks=tuple(blocks), file_format=FileFormat.IMAGE, n_pages=len(pages))
