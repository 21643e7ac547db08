"""Which national form a report follows: 2019 (trial), 2021, or legacy (before 2019)."""

from __future__ import annotations

from collections.abc import Iterable

from rules.constants import FormVersion
from rules.data import version_markers
from rules.normalize import label_key

FIRST_FORM_YEAR = 2019
SECOND_FORM_YEAR = 2021


def version_of_year(report_year: int | None) -> FormVersion | None:
    """The form a report on ``report_year`` follows: before 2019 legacy, 2019–2020 the trial form
    of 2019, from 2021 on the form of 2021."""
    if report_year is None:
        return None
    if report_year < FIRST_FORM_YEAR:
        return FormVersion.LEGACY
    return FormVersion.V2021 if report_year >= SECOND_FORM_YEAR else FormVersion.V2019


def detect_version(
    labels: Iterable[str], report_year: int | None, has_form_sections: bool = True
) -> FormVersion | None:
    """The tables decide when they print a form's markers; otherwise the year reported on does
    (a partial page with no tables, a mirror's copy of the introduction, is still a report of its
    year's form). ``has_form_sections`` no longer decides: a report without the standard headings
    is read by its year too."""
    del has_form_sections
    text = "".join(label_key(x) for x in labels)
    counts = {FormVersion(v): sum(text.count(m) for m in markers) for v, markers in version_markers().items()}
    new, old = counts[FormVersion.V2021], counts[FormVersion.V2019]
    if report_year is not None and report_year < FIRST_FORM_YEAR:
        return FormVersion.LEGACY
    if new or old:
        return FormVersion.V2021 if new >= old else FormVersion.V2019
    return version_of_year(report_year)
