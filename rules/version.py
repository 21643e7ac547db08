"""Which national form a report follows: 2019 (trial), 2021, or legacy (before 2019)."""

from __future__ import annotations

from collections.abc import Iterable

from rules.data import version_markers
from rules.normalize import label_key

FIRST_FORM_YEAR = 2019
SECOND_FORM_YEAR = 2021


def detect_version(labels: Iterable[str], report_year: int | None, has_form_sections: bool) -> str | None:
    """Count the markers of each form among the table labels; fall back on the year reported on."""
    text = "".join(label_key(x) for x in labels)
    counts = {v: sum(text.count(m) for m in markers) for v, markers in version_markers().items()}
    if report_year is not None and report_year < FIRST_FORM_YEAR:
        return "legacy"
    if counts["2021"] or counts["2019"]:
        return "2021" if counts["2021"] >= counts["2019"] else "2019"
    if report_year is None:
        return None
    if not has_form_sections:
        return "legacy"
    return "2021" if report_year >= SECOND_FORM_YEAR else "2019"
