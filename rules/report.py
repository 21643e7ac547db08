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
from rules.ambiguity import Ambiguity
from rules.checks import Check, run_checks
from rules.clean import clean_document
from rules.constants import VERSIONS, YUAN, YUAN_PER_AMOUNT_UNIT, FormVersion
from rules.data import form, sections, value_words
from rules.legacy import Reading, analyse_legacy
from rules.prose_facts import Fact, find_facts, find_hints
from rules.repair import repair_ocr_cells
from rules.sections import (
    Layout,
    Section,
    blocks_in,
    enclosing_table_start,
    find_review_header,
    find_sections,
    layout,
    section_text,
)
from rules.stream import Kind, Token, assemble_rows, grid_tokens, paragraph_tokens
from rules.t1 import t1_checks
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
TAIL_CHARS = 600  # how far from the end a signature date can stand
PROSE_ONLY = "no table of the standard form was found: the report gives its figures in prose only (no cells)"
NOT_A_REPORT = (
    "this does not look like an annual report: no standard section heading, no report year and no table "
    "of the form were found; check that the file is the report and not a notice or an index page"
)


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
    format_version: FormVersion | None = None
    publish_date: date | None = None
    sections: list[SectionOut] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unmapped_labels: list[str] = field(default_factory=list)
    ambiguities: list[Ambiguity] = field(default_factory=list)  # cells left out, with their readings
    n_pages: int | None = None
    facts: list[Fact] = field(default_factory=list)
    legacy_readings: list[Reading] = field(default_factory=list)


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
    """Where to read table ``number`` (2, 3 or 4): its section, else between its neighbours.

    Section 四's values carry no labels: without its heading only its header (found by its words)
    tells them apart — and then ends section 三, whose region would otherwise run on over them."""
    if number in secs:
        start, end = secs[number].body_start, secs[number].end
    else:
        start = max((s.body_start for n, s in secs.items() if n < number), default=0)
        end = min((s.start for n, s in secs.items() if n > number), default=len(lay.text))
    review = form().review.section
    if review in secs or number == form().active_section:
        return start, end
    header = find_review_header(lay.text, start, end)
    if number == review:
        if header is None:
            return None
        table = enclosing_table_start(lay, header[0])  # a grid: read the whole table, header included
        return (table if table is not None else header[1], end)
    if header is None:
        return start, end
    table = enclosing_table_start(lay, header[0])
    return start, table if table is not None else header[0]


def _analyse_legacy(doc: Document, lay: Layout, head: list[str], report: Report) -> None:
    """A pre-2019 report: its own headings, statistics table and sentences (rules/legacy.py)."""
    res, facts, published = analyse_legacy(
        lay.text,
        head,
        lambda s, e: _stream(doc, lay, s, e),
        lambda secs: find_facts(secs, "legacy"),
        lambda secs: find_hints(secs, "legacy"),
    )
    report.sections = [SectionOut(s.number, s.heading, s.text) for s in res.sections]
    report.cells, report.checks, report.facts = res.cells, res.checks, facts
    report.legacy_readings = res.readings
    report.warnings.extend(res.warnings)
    report.unmapped_labels.extend(res.unmapped)
    report.publish_date = published
    if not res.sections:
        report.warnings.append("no heading of the 2007 regulation's report (一、概述 … 主动公开 … 依申请公开)")


def analyse(doc: Document) -> Report:
    """Read the standard form out of ``doc``."""
    doc, cleaned = clean_document(doc)
    report = Report(
        file_format=doc.file_format.value,
        status=doc.status,
        warnings=[*doc.warnings, *cleaned],
        n_pages=doc.n_pages,
    )
    lay = layout(doc)
    found = find_sections(lay)
    secs = {s.number: s for s in found}
    report.sections = [SectionOut(s.number, s.heading, section_text(lay, s)) for s in found]

    streams: dict[int, list[Token]] = {}
    f = form()
    active, requests, review = f.active_section, f.requests.section, f.review.section
    for number in (active, requests, review):
        region = _region(secs, number, lay)
        if region:
            streams[number] = _stream(doc, lay, *region)
    labels = [t.text for n in (active, requests) for t in streams.get(n, []) if t.kind is Kind.LABEL]

    head = [b.text for b in doc.blocks[:HEAD_BLOCKS] if isinstance(b, Paragraph)]
    title = metadata.find_title(head, doc.title)
    # the report's end: the last section up to any page footer after it (or the whole text)
    last = found[-1] if found and found[-1].number >= 5 else None
    tail_text = lay.text[last.body_start : last.end] if last else lay.text
    tail = [ln for ln in tail_text.splitlines() if ln.strip()]
    report.agency = (title.agency if title else None) or metadata.signature_agency(tail)
    body = section_text(lay, secs[1]) if 1 in secs else lay.text
    report.report_year = metadata.report_year(title, body)
    signed = metadata.publish_date(tail) if found and found[-1].number >= 5 else None
    report.publish_date = signed or _labelled_date(head, tail_text, report.warnings)
    report.format_version = detect_version(labels, report.report_year, bool(found))

    version = report.format_version
    if version in VERSIONS:
        results: list[TableResult] = []
        if active in streams:
            yuan = any(w in lbl for lbl in labels for w in value_words().yuan_header_words)
            factor = YUAN if yuan else YUAN_PER_AMOUNT_UNIT
            prose = "\n".join(s.text for s in report.sections if s.number not in (active, requests, review))
            results.append(map_active(assemble_rows(streams[active]), version, factor, prose))
        if requests in streams:
            results.append(map_requests(assemble_rows(streams[requests]), version))
        if review in streams:
            results.append(map_review(assemble_rows(streams[review]), version))
        for res in results:
            report.cells.extend(res.cells)
            report.warnings.extend(res.warnings)
            if res.cells:  # where nothing of a table was mapped, the "labels" are sentences, not a table's
                report.unmapped_labels.extend(res.unmapped)
            report.ambiguities.extend(res.ambiguities)
        values = {c.key: c.value for c in report.cells}
        report.checks = run_checks(values, version, {c.key: c.state for c in report.cells})
        fixed = repair_ocr_cells(report.cells, report.checks, version)  # changes OCR'd cells only
        report.cells, report.checks = fixed.cells, fixed.checks
        report.warnings.extend(fixed.warnings)
        report.facts = find_facts([(s.number, s.text) for s in report.sections], version)
        report.checks.extend(t1_checks(report.facts, report.cells, version))
    elif version == FormVersion.LEGACY:
        _analyse_legacy(doc, lay, head, report)
        return report
    if not found:
        first, last_label = sections()[0].label, sections()[-1].label
        report.warnings.append(f"no standard section heading ({first} … {last_label}) was found")
    _judge_emptiness(report, bool(found))
    return report


def _labelled_date(head: list[str], tail_text: str, warnings: list[str]) -> date | None:
    """The date labelled 发布日期 near the title, unless the report's end prints another date (a
    signature the tail rules could not place): then which one is the publication date is not known."""
    labelled = metadata.labelled_date(head)
    if labelled is None:
        return None
    others = metadata.all_dates(tail_text[-TAIL_CHARS:]) - {labelled}
    if others:
        warnings.append(
            f"publish date left blank: {labelled.isoformat()} is printed under the title but the end of the "
            f"report prints {', '.join(sorted(d.isoformat() for d in others))}"
        )
        return None
    return labelled


def _judge_emptiness(report: Report, has_sections: bool) -> None:
    """A file with nothing of the form is not ``ok``: a prose-only report is partial, a file with no
    section, no year and no table is not a report at all."""
    if report.cells or report.status is not Status.OK:
        return
    if report.format_version in ("2019", "2021"):
        report.status = Status.PARTIAL
        report.warnings.insert(0, PROSE_ONLY)
    elif report.format_version is None and not has_sections:
        report.status = Status.FAILED
        report.warnings.insert(0, NOT_A_REPORT)
