"""PDF reports with a text layer (exported from Word or WPS): ruled tables and running text.

Pipeline, one pass per page (:func:`read_pdf` is the thin orchestrator):

1. :func:`extractor.readers.pdf.page.read_page` reads glyphs and visible rules once, with PDFium.
2. :func:`extractor.readers.layout.lines.dedupe_glyphs` undoes fake bold.
3. :func:`extractor.readers.layout.tables.read_tables` finds ruled tables (only on pages with rules) and
   builds their grids with real spans; the remaining glyphs become lines
   (:func:`extractor.readers.layout.lines.make_lines`).
4. :func:`extractor.readers.layout.furniture.furniture_flags` drops page numbers and running headers.
5. Tables and lines are interleaved by vertical position, page by page.

A table that continues on the next page is emitted as a second table, in order, with its own
provenance; stitching follows the form's row sequence and belongs to the rules. Pages without a
usable text layer (scans, ``(cid:N)`` garbage) are rendered and OCR'd (:mod:`extractor.readers.pdf.ocr`);
only when OCR cannot read them are they reported: the whole file fails when no page has text,
otherwise the document is ``partial`` with a warning naming the pages.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractor.errors import ExtractionError
from extractor.model import Block, Document, FileFormat, Paragraph, Provenance, Status, Table
from extractor.readers.layout.furniture import FurnitureSettings, furniture_flags, is_page_number
from extractor.readers.layout.lines import dedupe_glyphs, is_cjk, make_lines
from extractor.readers.layout.tables import TableSettings, TooManyRulings, read_tables
from extractor.readers.pdf.page import PageContent, read_page
from extractor.readers.pdf.result import PageResult

log = logging.getLogger(__name__)

MAX_PAGES = 2000  # a report longer than this is hostile or not a report
GARBAGE_SHARE = 0.5  # a page whose glyphs are mostly unmapped has no usable text layer
SCAN_IMAGE_COVER = 0.6  # a page this much covered by one image ...
SCAN_MAX_GLYPHS = 40  # ... with fewer glyphs than this is a scan with a stamp or page number in text
EOF_WINDOW = 4096  # bytes at the end of the file searched for the %%EOF marker

# PDFium is not thread-safe: one document at a time per process (use processes to parallelise).
_PDFIUM_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class PdfSettings:
    """Settings of the PDF reader; each component's own settings nest here."""

    tables: TableSettings = field(default_factory=TableSettings)
    furniture: FurnitureSettings = field(default_factory=FurnitureSettings)
    max_pages: int = MAX_PAGES
    garbage_share: float = GARBAGE_SHARE
    scan_image_cover: float = SCAN_IMAGE_COVER
    scan_max_glyphs: int = SCAN_MAX_GLYPHS

    def __post_init__(self) -> None:
        if self.max_pages < 1:
            raise ValueError("PdfSettings.max_pages must be at least 1")
        if not 0 < self.garbage_share <= 1:
            raise ValueError("PdfSettings.garbage_share must be in (0, 1]")
        if not 0 < self.scan_image_cover <= 1:
            raise ValueError("PdfSettings.scan_image_cover must be in (0, 1]")


DEFAULT_SETTINGS = PdfSettings()


def _open(data: bytes) -> pdfium.PdfDocument:
    """Open the PDF or raise an :class:`ExtractionError` saying what is wrong with it."""
    if b"%PDF-" not in data[:1024]:
        raise ExtractionError("the file is not a PDF (no %PDF- header)")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ExtractionError("the PDF is encrypted with a password; ask the publisher for an open copy") from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise ExtractionError("the PDF uses an unsupported encryption (security handler)") from exc
        if b"%%EOF" not in data[-EOF_WINDOW:]:
            raise ExtractionError(
                "the PDF is truncated (it has no end-of-file marker and cannot be repaired); download it again"
            ) from exc
        raise ExtractionError(f"the PDF is corrupt and cannot be opened ({exc})") from exc


def has_text(content: PageContent, garbage_share: float) -> bool:
    """Whether the page has a usable text layer (glyphs, not mostly garbage)."""
    total = len(content.glyphs) + content.bad_glyphs
    return bool(content.glyphs) and content.bad_glyphs <= garbage_share * total


def read_page_blocks(content: PageContent, settings: PdfSettings) -> PageResult:
    """Tables and running-text lines of one page."""
    if content.skewed_glyphs:
        log.debug("page %d: %d slanted glyphs (watermark) left out", content.number, content.skewed_glyphs)
    glyphs = dedupe_glyphs(content.glyphs)
    try:
        tables, free = read_tables(content.rulings, glyphs, content.number, settings.tables)
    except TooManyRulings as exc:
        note = (
            f"page {content.number} draws too many lines ({exc}) to look for tables; its text is read as running lines"
        )
        return PageResult(content, [], make_lines(glyphs), [note])
    return PageResult(content, tables, make_lines(free))


def _interleave(result: PageResult, furniture: list[bool]) -> list[Block]:
    """The page's blocks in reading order: tables and kept lines by their top edge."""
    page = result.content.number
    keyed: list[tuple[float, float, Block]] = []
    for table in result.tables:
        bbox = table.prov.bbox or (0.0, 0.0, 0.0, 0.0)
        keyed.append((bbox[1], bbox[0], table))
    for line, is_furniture in zip(result.lines, furniture, strict=True):
        if not is_furniture:
            keyed.append(
                (
                    line.top,
                    line.x0,
                    Paragraph(line.text, Provenance(page=page, bbox=line.bbox), getattr(line, "confidence", None)),
                )
            )  # OCR'd lines have one
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [block for _, _, block in keyed]


_TITLE_NOISE = re.compile(r"^(microsoft\s+(word|excel)\s*-\s*)|\.(docx?|wps|pdf)$", re.I)


def _title(doc: pdfium.PdfDocument) -> str | None:
    """The metadata title when it is real text (Chinese), not ``Microsoft Word - 1.doc``."""
    try:
        title = (doc.get_metadata_dict().get("Title") or "").strip()
    except pdfium.PdfiumError:
        return None
    title = _TITLE_NOISE.sub("", title).strip()
    return title if any(is_cjk(ch) for ch in title) else None


def _is_scan_like(content: PageContent, settings: PdfSettings) -> bool:
    """A page-size image with only a few words of text (a stamp or a page number) on it."""
    return content.image_cover >= settings.scan_image_cover and len(content.glyphs) < settings.scan_max_glyphs


def _ocr(page: pdfium.PdfPage, content: PageContent, settings: PdfSettings) -> PageResult | None:
    """The page read by OCR when it has no usable text layer, or looks scanned (see
    :mod:`extractor.readers.pdf.ocr`); None otherwise, or when OCR is not installed or finds no text (the
    page is then reported)."""
    if has_text(content, settings.garbage_share):
        if not _is_scan_like(content, settings):
            return None
    elif not (content.n_images or content.bad_glyphs):
        return None
    try:
        from extractor.readers.pdf.ocr import ocr_pdf_page

        result = ocr_pdf_page(page, content)
    except (ImportError, ExtractionError) as exc:
        log.warning("page %d has no text layer and cannot be OCR'd: %s", content.number, exc)
        return None
    if not result.tables and all(is_page_number(line.text) for line in result.lines):
        return None  # OCR found nothing to read but (at most) a page number
    return result


def _page_list(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def read_pdf(data: bytes, path: Path, settings: PdfSettings = DEFAULT_SETTINGS) -> Document:
    """Read a PDF with a text layer into a :class:`Document` (tables with spans, lines of text)."""
    with _PDFIUM_LOCK:
        pages = read_pages(data, path, settings)
    return assemble(pages, data, path, settings)


@dataclass(slots=True)
class PdfPages:
    """Every page read once: the pages with text, and the numbers of those without."""

    n_pages: int
    title: str | None
    results: list[PageResult] = field(default_factory=list)
    no_text: list[int] = field(default_factory=list)  # scanned or garbled pages
    scan_like: list[int] = field(default_factory=list)  # page-size image with a few words of text
    broken: list[int] = field(default_factory=list)  # pages PDFium could not load


def read_pages(data: bytes, path: Path, settings: PdfSettings) -> PdfPages:
    """Parse every page once with PDFium; pages without usable text are only counted."""
    doc = _open(data)
    try:
        n_pages = len(doc)
        if n_pages == 0:
            raise ExtractionError("the PDF has no pages")
        if n_pages > settings.max_pages:
            raise ExtractionError(f"the PDF has {n_pages} pages, more than the {settings.max_pages} a report can have")
        out = PdfPages(n_pages, _title(doc))
        for i in range(n_pages):
            try:
                page = doc[i]
            except pdfium.PdfiumError:
                out.broken.append(i + 1)
                continue
            scanned: PageResult | None = None
            try:
                content = read_page(page, i + 1)
                scanned = _ocr(page, content, settings)
            except pdfium.PdfiumError as exc:
                log.warning("%s: page %d unreadable: %s", path.name, i + 1, exc)
                out.broken.append(i + 1)
                continue
            finally:
                page.close()
            if scanned is not None:
                out.results.append(scanned)
                continue
            if not has_text(content, settings.garbage_share):
                if content.n_images or content.bad_glyphs:
                    out.no_text.append(i + 1)
                continue
            if _is_scan_like(content, settings):
                out.scan_like.append(i + 1)
            out.results.append(read_page_blocks(content, settings))
    finally:
        doc.close()
    return out


def assemble(pages: PdfPages, data: bytes, path: Path, settings: PdfSettings) -> Document:
    """Pages to a Document: furniture dropped, blocks in order, status and warnings set."""
    results, no_text, broken = pages.results, pages.no_text, pages.broken
    if len(pages.scan_like) == len(results):  # every page with text is a scan with a stamp on it
        results = []
    if not results:
        if broken and not no_text:
            raise ExtractionError("the PDF is corrupt: none of its pages could be read")
        if not no_text and not pages.scan_like:  # nothing was OCR'd: there was nothing to OCR
            raise ExtractionError("the PDF's pages are blank: they hold no text and no images")
        raise ExtractionError("the PDF has no text layer (a scan or garbled fonts) and OCR found no text on its pages")
    warnings: list[str] = []
    if no_text:
        warnings.append(
            f"pages {_page_list(no_text)} have no text layer (scanned or garbled); "
            "OCR could not read them, so their content is missing"
        )
    if pages.scan_like:
        warnings.append(
            f"pages {_page_list(pages.scan_like)} look scanned (a page-size image with only a "
            "few words of text) and OCR could not read them; only their text layer was read"
        )
    if broken:
        warnings.append(f"pages {_page_list(broken)} could not be read (corrupt page objects)")
    warnings.extend(w for r in results for w in r.warnings)
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        warnings.append("the PDF has no end-of-file marker (truncated download?); pages may be missing")
    flags = furniture_flags([(r.content.height, r.lines) for r in results], settings.furniture)
    blocks: list[Block] = []
    for result, page_flags in zip(results, flags, strict=True):
        blocks.extend(_interleave(result, page_flags))
    log.debug(
        "%s: %d pages, %d blocks, %d tables",
        path.name,
        pages.n_pages,
        len(blocks),
        sum(isinstance(b, Table) for b in blocks),
    )
    return Document(
        blocks=tuple(blocks),
        file_format=FileFormat.PDF,
        status=Status.PARTIAL if warnings else Status.OK,
        warnings=tuple(warnings),
        n_pages=pages.n_pages,
        title=pages.title,
    )
