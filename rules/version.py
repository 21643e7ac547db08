"""Which national form a report follows: 2019 (trial), 2021, or legacy (before 2019)."""

from __future__ import annotations

from collections.abc import Iterable

from rules.constants import FormVersion
from rules.data import version_markers
from rules.normalize import label_key

FIRST_FORM_YEAR = 2019
SECOND_FORM_YEAR = 2021


def detect_version(labels: Iterable[str], report_year: int | None, has_form_sections: bool) -> FormVersion | None:
    """Count the markers of each form among the table labels; fall back on the year reported on."""
    text = "".join(label_key(x) for x in labels)
    counts = {FormVersion(v): sum(text.count(m) for m in markers) for v, markers in version_markers().items()}
    new, old = counts[FormVersion.V2021], counts[FormVersion.V2019]
    if report_year is not None and report_year < FIRST_FORM_YEAR:
        return FormVersion.LEGACY
    if new or old:
        return FormVersion.V2021 if new >= old else FormVersion.V2019
    if report_year is None:
        return None
    if not has_form_sections:
        return FormVersion.LEGACY
    return FormVersion.V2021 if report_year >= SECOND_FORM_YEAR else FormVersion.V2019
