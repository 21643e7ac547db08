"""The Python API for notebooks: ``read_report(path)`` gives DataFrames for one report."""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from extractor.dataset.tables import frame
from extractor.pipeline import Extraction, extract_bytes, extract_file

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
