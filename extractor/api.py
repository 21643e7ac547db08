"""The Python API for notebooks: ``read_report(path)`` gives DataFrames for one report;
``read_reports(paths)`` (or ``combine(views)``) a set of reports completed as a batch is: cells
settled by the agency's neighbouring years, cross-year checks, crosswalk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from extractor.dataset.finish import finish_tables
from extractor.dataset.tables import extraction_tables, frame
from extractor.pipeline import Extraction, copy_row, extract_bytes, extract_file

UNNAMED = "<bytes>"


@dataclass(frozen=True)
class ReportView:
    """One extracted report: its metadata and its cells, sections, checks and warnings as DataFrames."""

    extraction: Extraction

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self.extraction.report)

    @property
    def status(self) -> str:
        return self.extraction.status

    @property
    def error(self) -> str | None:
        return self.extraction.report.get("error")

    @property
    def cells(self) -> pd.DataFrame:
        return frame("cells", self.extraction.cells)

    @property
    def sections(self) -> pd.DataFrame:
        return frame("sections", self.extraction.sections)

    @property
    def checks(self) -> pd.DataFrame:
        return frame("checks", self.extraction.checks)

    @property
    def warnings(self) -> pd.DataFrame:
        return frame("warnings", self.extraction.warnings)

    @property
    def facts(self) -> pd.DataFrame:
        return frame("facts", self.extraction.facts)

    @property
    def values(self) -> pd.DataFrame:
        """One row per canonical key (the index): value (NaN for blank, dash or text), state, unit."""
        return self.cells.set_index("key")[["value", "state", "unit"]]

    def __repr__(self) -> str:
        m = self.meta
        return (
            f"<ReportView {m['source']} status={m['status']} version={m['format_version']} "
            f"year={m['report_year']} cells={len(self.extraction.cells)}>"
        )


def read_report(path: str | Path | bytes, name: str | None = None) -> ReportView:
    """Extract one report: a file path, or the report's bytes (``name`` — a file name whose suffix
    may help tell the format — is its ``source``). Never raises for a bad document: check
    ``.status`` and ``.error``."""
    if isinstance(path, bytes | bytearray | memoryview):
        source = name or UNNAMED
        return ReportView(extract_bytes(bytes(path), Path(source), source))
    if not isinstance(path, str | PathLike):
        raise TypeError(
            f"read_report takes a path (str or pathlib.Path) or the report's bytes, not {type(path).__name__}"
        )
    p = Path(path)
    return ReportView(extract_file(p, p.as_posix()))


def combine(views: Iterable[ReportView]) -> dict[str, pd.DataFrame]:
    """Reports read one by one, as the tables of one batch: ``reports``, ``cells`` (with the cells
    the same agency's adjacent years settle, ``method == "cross-year"``), ``sections``, ``checks``
    (with X1 and X2), ``warnings`` (documents on the same agency and year flagged) and ``crosswalk``,
    finished as a batch is (:func:`extractor.dataset.finish.finish_tables`).

    As in a batch, ``report_id`` is unique: the same document given twice is one row, and the same
    content under another name is a row of its own with ``duplicate_of`` set and no cells."""
    first: dict[str, Extraction] = {}
    extractions: list[Extraction] = []
    for view in views:
        ext = view.extraction
        rid = ext.report["report_id"]
        if rid not in first:
            first[rid] = ext
            extractions.append(ext)
        elif ext.report["source"] != first[rid].report["source"]:
            extractions.append(copy_row(first[rid].report, ext.report["source"], ext.report["source"]))
    return finish_tables(extraction_tables(extractions))


def read_reports(paths: Iterable[str | Path]) -> dict[str, pd.DataFrame]:
    """Extract several report files and complete them as a batch (see :func:`combine`); a file
    named twice (in any spelling) is read once."""
    unique: dict[Path, str | Path] = {}
    for p in paths:
        unique.setdefault(Path(p).resolve(), p)
    return combine(read_report(p) for p in unique.values())
