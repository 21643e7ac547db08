"""OCR for the PDF reader: pages with no usable text layer are rendered and read as scans.

:func:`extractor.readers.pdf.reader.read_pdf` calls :func:`ocr_pdf_page` only for pages without a usable text layer
(images or ``(cid:N)``/private-use garbage), so a mixed document has only its scanned pages OCR'd. The result is the PDF
reader's own :class:`~extractor.readers.pdf.result.PageResult` with bboxes in PDF points, so furniture removal and
reading order work on OCR'd pages exactly as on text pages.
"""

from __future__ import annotations

import logging

import pypdfium2 as pdfium

from extractor.readers.ocr.page import DEFAULT_SETTINGS, OcrSettings, ocr_page
from extractor.readers.pdf.page import PageContent
from extractor.readers.pdf.result import PageResult

log = logging.getLogger(__name__)

POINTS_PER_INCH = 72.0


def ocr_pdf_page(page: pdfium.PdfPage, content: PageContent, settings: OcrSettings = DEFAULT_SETTINGS) -> PageResult:
    """Render ``page`` at ``settings.pdf_dpi`` and OCR it; bboxes come out in PDF points."""
    dpi = settings.pdf_dpi
    bitmap = page.render(scale=dpi / POINTS_PER_INCH)  # in colour: a red seal drops out of the grey
    try:
        image = bitmap.to_numpy().copy()
    finally:
        bitmap.close()
    result = ocr_page(image, content.number, dpi, POINTS_PER_INCH / dpi, settings)
    log.info("page %d read by OCR at %d dpi in %.1fs", content.number, dpi, result.seconds)
    return PageResult(content, result.tables, list(result.lines))
