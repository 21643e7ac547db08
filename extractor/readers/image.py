"""Image files (PNG, JPEG, TIFF; multi-page TIFF as pages) read by OCR into a :class:`Document`.

Bboxes are in pixels of each page image, origin top left. The resolution recorded in the file is
used to size the OCR's rule and text thresholds; files that record none are taken to be
``OcrSettings.image_dpi``.
"""

from __future__ import annotations

import io
import logging
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


def _dpi(frame: Image.Image, default: int) -> float:
    dpi = frame.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    return value if MIN_DPI <= value <= MAX_DPI else float(default)


def _mode(frame: Image.Image) -> str:
    return "L" if frame.mode in ("1", "L", "LA") else "RGB"


def image_pages(data: bytes, settings: OcrSettings = DEFAULT_SETTINGS) -> list[tuple[np.ndarray, float]]:
    """Each page (frame) of the image as an 8-bit grey array with its dpi."""
    Image.MAX_IMAGE_PIXELS = settings.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            pages = []
            for i, frame in enumerate(ImageSequence.Iterator(img)):
                if i >= MAX_FRAMES:
                    raise ExtractionError(f"the image has more than {MAX_FRAMES} pages")
                # 16-bit and float frames keep their range (``convert("L")`` would clip them white)
                # colour frames keep their colour until to_gray (a red seal drops out there)
                pixels = np.asarray(frame) if frame.mode[0] in "IF" else np.asarray(frame.convert(_mode(frame)))
                pages.append((to_gray(pixels), _dpi(frame, settings.image_dpi)))
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ExtractionError(f"the image cannot be read ({exc})") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ExtractionError(f"the image is damaged or truncated ({exc})") from exc
    return pages


def read_image(data: bytes, path: Path, settings: OcrSettings = DEFAULT_SETTINGS) -> Document:
    """OCR every page of a PNG, JPEG or TIFF file."""
    pages: list[OcrPage] = [
        ocr_page(image, i + 1, dpi, 1.0, settings) for i, (image, dpi) in enumerate(image_pages(data, settings))
    ]
    if not any(p.tables or p.lines for p in pages):
        raise ExtractionError("OCR found no text in the image")
    flags = furniture_flags([(p.height, p.lines) for p in pages], FurnitureSettings())
    blocks: list[Block] = []
    for page, page_flags in zip(pages, flags, strict=True):
        blocks.extend(page_blocks(page, page_flags))
    log.debug("%s: %d pages OCR'd in %.1fs", path.name, len(pages), sum(p.seconds for p in pages))
    return Document(blocks=tuple(blocks), file_format=FileFormat.IMAGE, n_pages=len(pages))
