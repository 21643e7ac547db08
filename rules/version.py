"""Which national form a report follows: 2019 (trial), 2021, or legacy (before 2019)."""

from __future__ import annotations

from collections.abc import Iterable

from rules.data import version_markers
from rules.normalize import label_key

FIRST_FORM_YEAR = 2019
SECOND_FORM_YEAR = 2021


def version_of_year(report_year: int | None) -> str | None:
    """The form a report on ``report_year`` follows: before 2019 legacy, 2019–2020 the trial form
    of 2019, from 2021 on the form of 2021."""
    if report_year is None:
        return None
    if report_year < FIRST_FORM_YEAR:
        return "legacy"
    return "2021" if report_year >= SECOND_FORM_YEAR else "2019"


def detect_version(labels: Iterable[str], report_year: int | None, has_form_sections: bool = True) -> str | None:
    """The tables decide when they print a form's markers; otherwise the year reported on does
    (a partial page with no tables, a mirror's copy of the introduction, is still a report of its
    year's form). ``has_form_sections`` no longer decides: a report without the standard headings
    is read by its year too."""
    del has_form_sections
    text = "".join(label_key(x) for x in labels)
    counts = {v: sum(text.count(m) for m in markers) for v, markers in version_markers().items()}
    if report_year is not None and report_year < FIRST_FORM_YEAR:
        return "legacy"
    if counts["2021"] or counts["2019"]:
        return "2021" if counts["2021"] >= counts["2019"] else "2019"
    return version_of_year(report_year)
