"""One file in, one extraction out: read, analyse, and turn the Report into dataset rows.

Nothing here raises for a bad document: every failure becomes a ``failed`` reports row whose
``error`` is a sentence a person can act on.
"""

from __future__ import annotations

import hashlib
import logging
import resource
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.errors import ExtractionError
from extractor.model import Document, FileFormat, Paragraph, Status, Table
from extractor.readers.registry import reader_for
from extractor.readers.sniff import sniff_format
from rules.ambiguity import AMBIGUOUS_KIND
from rules.report import Report, analyse

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 200 * 1024 * 1024  # larger files are not annual reports
MEMORY_LIMIT_NEAR = 0.9


@dataclass
class Extraction:
    """The dataset rows of one input file."""

    report: dict[str, Any]
    cells: list[dict[str, Any]] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    legacy_readings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return str(self.report["status"])


REPORT_ID_HEX = 16


def content_id(data: bytes) -> str:
    """Stable id of a document's content: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(data).hexdigest()[:REPORT_ID_HEX]


PATH_ID_HEX = 8  # suffix of a duplicate's report_id, from its path


def duplicate_id(content: str, where: str) -> str:
    """report_id of a later copy of ``content`` found at ``where`` (unique per path, stable across runs)."""
    return f"{content}-{hashlib.sha256(where.encode()).hexdigest()[:PATH_ID_HEX]}"


def copy_row(first: Mapping[str, Any], source: str, where: str, **columns: Any) -> Extraction:
    """The ``reports`` row of a later copy of ``first``'s content (found at ``where``): its own
    report_id and source, ``duplicate_of`` the first, no cells of its own (they would repeat the
    first's); a copy of a failed or partial document says why, as the first does."""
    content = first.get("content_id") or first["report_id"]
    error = first.get("error")
    row = dict(first)
    row.update(
        report_id=duplicate_id(content, where),
        content_id=content,
        source=source,
        duplicate_of=first["report_id"],
        seconds=0.0,
        error=None if error is None or error != error else f"same content as {first['source']}: {error}",  # NaN: none
        **columns,
    )
    return Extraction(row)


def file_content_id(path: Path) -> str:
    """:func:`content_id` of a file, read in chunks (planning a batch hashes every input)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()[:REPORT_ID_HEX]


def _report_row(
    report_id: str,
    source: str,
    fmt: str,
    status: str,
    error: str | None,
    report: Report | None,
    seconds: float | None,
    n_bytes: int,
    root: str | None = None,
) -> dict[str, Any]:
    return {
        "report_id": report_id,
        "content_id": report_id or None,
        "source": source,
        "root": root,
        "file_format": fmt,
        "status": status,
        "error": error,
        "agency": report.agency if report else None,
        "report_year": report.report_year if report else None,
        "format_version": report.format_version if report else None,
        "publish_date": report.publish_date.isoformat() if report and report.publish_date else None,
        "duplicate_of": None,
        "n_pages": report.n_pages if report else None,
        "n_cells": len(report.cells) if report else 0,
        "n_bytes": n_bytes,
        "seconds": None if seconds is None else round(seconds, 4),
    }


def failed(
    source: str,
    error: str,
    report_id: str = "",
    fmt: str = FileFormat.UNKNOWN.value,
    seconds: float | None = None,
    n_bytes: int = 0,
    root: str | None = None,
) -> Extraction:
    """A ``failed`` row; ``seconds`` is None when no time was spent reading (or it is unknown)."""
    return Extraction(_report_row(report_id, source, fmt, Status.FAILED.value, error, None, seconds, n_bytes, root))


def report_rows(report_id: str, report: Report) -> tuple[list[dict[str, Any]], ...]:
    cells = [
        {
            "report_id": report_id,
            "key": c.key,
            "table": c.table,
            "row": c.row,
            "col": c.col,
            "value": c.value,
            "state": c.state,
            "raw": c.raw,
            "unit": c.unit,
            "page": c.token.prov.page,
            "bbox": c.token.prov.bbox_str(),
            "locator": c.token.prov.locator,
            "method": c.token.method,
            "confidence": round(c.confidence, 3),
            "note": c.note,
        }
        for c in report.cells
    ]
    sections = [
        {"report_id": report_id, "number": s.number, "heading": s.heading, "text": s.text} for s in report.sections
    ]
    checks = [
        {"report_id": report_id, "rule": k.rule, "scope": k.scope, "passed": k.passed, "detail": k.detail}
        for k in report.checks
    ]
    warnings = [{"report_id": report_id, "kind": "warning", "message": w} for w in report.warnings]
    warnings += [{"report_id": report_id, "kind": "unmapped_label", "message": lbl} for lbl in report.unmapped_labels]
    # cells left out with the readings that remain: the batch may settle them across years
    warnings += [{"report_id": report_id, "kind": AMBIGUOUS_KIND, "message": a.to_json()} for a in report.ambiguities]
    facts = [
        {
            "report_id": report_id,
            "key": f.key,
            "value": f.value,
            "unit": f.unit,
            "section": f.section,
            "sentence": f.sentence,
            "span": f.span,
            "confidence": f.confidence,
        }
        for f in report.facts
    ]
    readings = [
        {
            "report_id": report_id,
            "key": r.key,
            "printed": r.printed,
            "options": r.options_text,
            "determined": r.determined,
            "method": r.method,
            "locator": r.locator,
        }
        for r in report.legacy_readings
    ]
    return cells, sections, checks, warnings, facts, readings


def _hit_memory_limit() -> bool:
    """Whether this process ran into its address-space limit (libraries then fail in odd ways,
    e.g. libxml2's "unknown error", instead of raising MemoryError)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return False
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return False
    peak = next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmPeak:")), 0)
    return peak >= MEMORY_LIMIT_NEAR * soft


def no_report_found(doc: Document) -> str:
    """Why a document that reads but holds no title, no standard section and no table is failed."""
    chars = sum(len(b.text) for b in doc.blocks if isinstance(b, Paragraph))
    return (
        f"no annual report found (the {doc.file_format.value} file reads as {chars} characters of text "
        "with no title naming an agency or year, no standard section heading and no table)"
    )


def extract_bytes(data: bytes, path: Path, source: str) -> Extraction:
    """Read and analyse one document's bytes."""
    t0 = time.perf_counter()
    rid = content_id(data)
    fmt = sniff_format(data, path)
    try:
        doc = reader_for(fmt)(data, path)
        report = analyse(doc)
    except ExtractionError as exc:
        return failed(source, str(exc), rid, fmt.value, time.perf_counter() - t0, len(data))
    except RecursionError:
        return failed(
            source,
            "the document is nested too deeply to read (hostile or broken markup)",
            rid,
            fmt.value,
            time.perf_counter() - t0,
            len(data),
        )
    except MemoryError:
        return failed(
            source,
            "the document needs more memory than is available",
            rid,
            fmt.value,
            time.perf_counter() - t0,
            len(data),
        )
    except Exception as exc:  # a bug of ours must not stop the batch
        if _hit_memory_limit():
            return failed(
                source,
                "the document needs more memory than the limit allows (--memory-limit)",
                rid,
                fmt.value,
                time.perf_counter() - t0,
                len(data),
            )
        logger.exception("internal error on %s", source)
        return failed(
            source,
            f"internal error while reading ({type(exc).__name__}: {exc}); please report it with the file",
            rid,
            fmt.value,
            time.perf_counter() - t0,
            len(data),
        )
    if not report.sections and not report.cells and report.agency is None and report.report_year is None:
        if not any(isinstance(b, Table) for b in doc.blocks):
            return failed(source, no_report_found(doc), rid, fmt.value, time.perf_counter() - t0, len(data))
    status = report.status
    error = None
    if status is not Status.OK:  # a row that is not ok always says why
        error = "; ".join(report.warnings[:3]) or f"{status.value}: the reader recorded no reason (please report it)"
    ext = Extraction(
        _report_row(rid, source, report.file_format, status.value, error, report, time.perf_counter() - t0, len(data))
    )
    ext.cells, ext.sections, ext.checks, ext.warnings, ext.facts, ext.legacy_readings = report_rows(rid, report)
    return ext


def extract_file(path: Path, source: str | None = None, root: str | None = None) -> Extraction:
    """Read and analyse one file; never raises for a bad file. ``source`` and ``root`` name it in
    the dataset (default: the path as given, no root)."""
    ext = _read_and_extract(path, source or path.as_posix())
    ext.report["root"] = root
    return ext


def _read_and_extract(path: Path, source: str) -> Extraction:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return failed(
                source,
                f"the file is {size // 2**20} MiB, larger than any annual report ({MAX_FILE_BYTES // 2**20} MiB limit)",
                file_content_id(path),
                n_bytes=size,
            )
        data = path.read_bytes()
    except OSError as exc:
        return failed(source, f"the file cannot be read ({exc.strerror or exc})")
    if not data:
        return failed(source, "the file is empty (0 bytes)", content_id(data))
    return extract_bytes(data, path, source)
