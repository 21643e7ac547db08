"""From a Document to a Report: sections, form version, cells, metadata and checks.

This is the thin orchestrator over the rule modules, in pipeline order:
layout → sections → token streams → rows → cells → metadata → checks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date

from extractor.model import Document, FileFormat, Paragraph, Status, Table
from rules import metadata
from rules.checks import Check, run_checks
from rules.repair import repair_ocr_cells
from rules.sections import Layout, Section, blocks_in, find_sections, layout, section_text
from rules.stream import Kind, Token, assemble_rows, grid_tokens, paragraph_tokens
from rules.tables import Cell, TableResult, map_active, map_requests, map_review
from rules.version import detect_version

logger = logging.getLogger(__name__)

GRID_METHOD = {
    FileFormat.HTML: "html-table",
    FileFormat.TEXT: "text-table",
    FileFormat.PDF: "pdf-table",
    FileFormat.DOCX: "docx-table",
    FileFormat.DOC: "docx-table",
    FileFormat.WPS: "docx-table",
    FileFormat.RTF: "docx-table",
    FileFormat.IMAGE: "ocr",
}
HEAD_BLOCKS = 12
YUAN_HEADER_WORDS = ("单位:元", "单位：元", "(元)", "（元）")


@dataclass(frozen=True, slots=True)
class SectionOut:
    number: int
    heading: str
    text: str


@dataclass
class Report:
    file_format: str
    status: Status
    agency: str | None = None
    report_year: int | None = None
    format_version: str | None = None
    publish_date: date | None = None
    sections: list[SectionOut] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unmapped_labels: list[str] = field(default_factory=list)
    n_pages: int | None = None


def _stream(doc: Document, lay: Layout, start: int, end: int) -> list[Token]:
    tokens: list[Token] = []
    for i, (block, s, e) in enumerate(blocks_in(lay, start, end)):
        if isinstance(block, Table):
            tokens.append(Token(Kind.ROW_END, "", block.prov))  # a table never continues a text row
            tokens.extend(grid_tokens(block, block.method or GRID_METHOD.get(doc.file_format, "table")))
        elif isinstance(block, Paragraph):
            tokens.extend(replace(t, block=i) for t in paragraph_tokens(block, s, e))
            if not block.line:
                tokens.append(Token(Kind.ROW_END, "", block.prov))
    return tokens


def _region(secs: dict[int, Section], number: int, lay: Layout) -> tuple[int, int] | None:
    """Where to read table ``number`` (2, 3 or 4): its section, else between its neighbours."""
    if number in secs:
        return secs[number].body_start, secs[number].end
    before = [s for n, s in secs.items() if n < number]
    after = [s for n, s in secs.items() if n > number]
    if not before and not after:
        return (0, len(lay.text)) if number != 4 else None
    if number == 4:
        return None  # section 四's values carry no labels: without its heading they cannot be told apart
    start = max((s.body_start for s in before), default=0)
    end = min((s.start for s in after), default=len(lay.text))
    return start, end


def analyse(doc: Document) -> Report:
    """Read the standard form out of ``doc``."""
    report = Report(
        file_format=doc.file_format.value, status=doc.status, warnings=list(doc.warnings), n_pages=doc.n_pages
    )
    lay = layout(doc)
    found = find_sections(lay)
    secs = {s.number: s for s in found}
    report.sections = [SectionOut(s.number, s.heading, section_text(lay, s)) for s in found]

    streams: dict[int, list[Token]] = {}
    for number in (2, 3, 4):
        region = _region(secs, number, lay)
        if region:
            streams[number] = _stream(doc, lay, *region)
    labels = [t.text for n in (2, 3) for t in streams.get(n, []) if t.kind is Kind.LABEL]

    head = [b.text for b in doc.blocks[:HEAD_BLOCKS] if isinstance(b, Paragraph)]
    title = metadata.find_title(head, doc.title)
    # the report's end: the last section up to any page footer after it (or the whole text)
    last = found[-1] if found and found[-1].number >= 5 else None
    tail_text = lay.text[last.body_start : last.end] if last else lay.text
    tail = [ln for ln in tail_text.splitlines() if ln.strip()]
    report.agency = (title.agency if title else None) or metadata.signature_agency(tail)
    body = section_text(lay, secs[1]) if 1 in secs else lay.text
    report.report_year = metadata.report_year(title, body)
    report.publish_date = metadata.publish_date(tail) if found and found[-1].number >= 5 else None
    report.format_version = detect_version(labels, report.report_year, bool(found))

    version = report.format_version
    if version in ("2019", "2021"):
        results: list[TableResult] = []
        if 2 in streams:
            factor = 1.0 if any(w in lbl for lbl in labels for w in YUAN_HEADER_WORDS) else 10000.0
            prose = "\n".join(s.text for s in report.sections if s.number in (1, 5, 6))
            results.append(map_active(assemble_rows(streams[2]), version, factor, prose))
        if 3 in streams:
            results.append(map_requests(assemble_rows(streams[3]), version))
        if 4 in streams:
            results.append(map_review(assemble_rows(streams[4]), version))
        for res in results:
            report.cells.extend(res.cells)
            report.warnings.extend(res.warnings)
            report.unmapped_labels.extend(res.unmapped)
        values = {c.key: c.value for c in report.cells}
        report.checks = run_checks(values, version)
        fixed = repair_ocr_cells(report.cells, report.checks, version)  # changes OCR'd cells only
        report.cells, report.checks = fixed.cells, fixed.checks
        report.warnings.extend(fixed.warnings)
    if not found:
        report.warnings.append("no standard section heading (一、总体情况 … 六、其他需要报告的事项) was found")
    return report
