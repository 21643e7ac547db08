"""Finishing a set of extracted reports as one dataset, in memory: what needs every report at once.

Documents that name the same agency and year are flagged (``same_agency_year`` warnings), then the
whole-dataset tables are completed (:func:`extractor.dataset.tables.complete_tables`: cells settled
across years, cross-year checks, crosswalk). :func:`extractor.batch.finish.finish` adds writing
the tables and the QA report; ``extractor.api.combine`` uses this directly.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pandas as pd

from extractor.dataset.tables import COLUMNS, complete_tables
from extractor.model import Status

logger = logging.getLogger(__name__)

SAME_AGENCY_YEAR = "same_agency_year"  # the warnings kind


def same_agency_year_warnings(reports: pd.DataFrame) -> pd.DataFrame:
    """A ``same_agency_year`` warning for each of two or more different documents that name the
    same agency and year (a re-published report, or a mislabelled one)."""
    live = reports[reports["duplicate_of"].isna() & reports["agency"].notna() & reports["report_year"].notna()]
    live = live[live["status"] != Status.FAILED]
    ids = live.groupby(["agency", "report_year"])["report_id"].transform("nunique")
    live = live[ids >= 2]  # looping over every group was slow at 10⁵ documents
    rows = []
    for (agency, year), group in live.groupby(["agency", "report_year"]):
        ids = group["report_id"].unique()
        names = ", ".join(sorted(group["source"]))
        for rid in ids:
            rows.append(
                {
                    "report_id": rid,
                    "kind": SAME_AGENCY_YEAR,
                    "message": f"{len(ids)} different documents report on {agency} {year}: {names}",
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS["warnings"])).astype(COLUMNS["warnings"])


def flag_same_agency_year(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``tables`` with :func:`same_agency_year_warnings` (re)placed in ``warnings``."""
    rows = same_agency_year_warnings(tables["reports"])
    out = dict(tables)
    if not len(rows):
        return out
    kept = out["warnings"][out["warnings"]["kind"] != SAME_AGENCY_YEAR]
    out["warnings"] = pd.concat([kept, rows], ignore_index=True).astype(COLUMNS["warnings"])
    return out


def finish_tables(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The finished tables of a compacted set of reports (idempotent: a rerun recomputes, never
    repeats, what it adds)."""
    return complete_tables(flag_same_agency_year(tables))
