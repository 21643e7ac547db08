"""The Python API for notebooks: ``read_report(path)`` gives DataFrames for one report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from extractor.dataset.tables import frame
from extractor.pipeline import Extraction, extract_file


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

    def values(self) -> dict[str, float | None]:
        """canonical key -> value (None for blank, dash or text cells)."""
        return {c["key"]: c["value"] for c in self.extraction.cells}

    def __repr__(self) -> str:
        m = self.meta
        return (
            f"<ReportView {m['source']} status={m['status']} version={m['format_version']} "
            f"year={m['report_year']} cells={len(self.extraction.cells)}>"
        )


def read_report(path: str | Path) -> ReportView:
    """Extract one report file. Never raises for a bad file: check ``.status`` and ``.error``."""
    p = Path(path)
    return ReportView(extract_file(p, p.as_posix()))
